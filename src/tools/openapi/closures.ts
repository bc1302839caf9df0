/**
 * The `$defs` a tool schema carries: every component schema reachable from the ones it references.
 * Big specs are one tangle (Microsoft Graph: every entity inherits from one base whose
 * discriminator maps every entity), so each schema reaches thousands of others; copying them into
 * every tool's `$defs` took seconds and gigabytes. Here what a def reaches is found once per strongly
 * connected component (Tarjan's algorithm) and shared by its members, and a `$defs` object is built
 * on first read, once per set of components, and shared by every schema that needs exactly those.
 */
import type { JSONSchema } from "../tool.js"

/** A converted component schema and the names of the components it references. */
export type DefLookup = (name: string) => { schema: JSONSchema; refs: ReadonlySet<string> }

export interface DefClosures {
  /**
   * Gives `schema` a `$defs` property holding, sorted by name, every def reachable from `refs`. What
   * is reachable is worked out now (so a broken `$ref` fails now); the object is built on first read.
   */
  attach(schema: Record<string, unknown>, refs: ReadonlySet<string>): void
}

/** What one component reaches (its own defs included). */
interface Closure {
  id: number
  defs: Map<string, JSONSchema>
}

/** Closures over the defs `def` converts. */
export function createDefClosures(def: DefLookup): DefClosures {
  const closures = new Map<string, Closure>()
  const built = new Map<string, Record<string, JSONSchema>>()
  let ids = 0

  function closureOf(start: string): Closure {
    const known = closures.get(start)
    if (known) return known
    const index = new Map<string, number>()
    const low = new Map<string, number>()
    const stack: string[] = []
    const frames: Array<{ name: string; next: string[]; at: number }> = []
    const enter = (name: string) => {
      low.set(name, index.size)
      index.set(name, index.size)
      stack.push(name)
      frames.push({ name, next: [...def(name).refs], at: 0 })
    }
    enter(start)
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as (typeof frames)[number]
      if (frame.at < frame.next.length) {
        const to = frame.next[frame.at++] as string
        if (closures.has(to)) continue // a finished component
        if (!index.has(to)) enter(to)
        else low.set(frame.name, Math.min(low.get(frame.name) as number, index.get(to) as number)) // still on the stack
        continue
      }
      frames.pop()
      const parent = frames[frames.length - 1]
      if (parent) low.set(parent.name, Math.min(low.get(parent.name) as number, low.get(frame.name) as number))
      if (low.get(frame.name) !== index.get(frame.name)) continue
      // frame.name roots a component: its members are on the stack above it; what they reach is done
      const members = stack.splice(stack.lastIndexOf(frame.name))
      const defs = new Map(members.map((m) => [m, def(m).schema]))
      for (const member of members) {
        for (const to of def(member).refs) if (!defs.has(to)) for (const [n, s] of (closures.get(to) as Closure).defs) defs.set(n, s)
      }
      const closure = { id: ids++, defs }
      for (const member of members) closures.set(member, closure)
    }
    return closures.get(start) as Closure
  }

  /** The `$defs` object of these closures; one already covering the others stands for all of them. */
  function build(parts: Closure[]): Record<string, JSONSchema> {
    const key = parts.map((p) => p.id).sort((a, b) => a - b).join(",")
    let defs = built.get(key)
    if (!defs) {
      const largest = parts.reduce((a, b) => (b.defs.size > a.defs.size ? b : a))
      const covered = parts.every((p) => p === largest || [...p.defs.keys()].every((n) => largest.defs.has(n)))
      const entries = covered ? [...largest.defs] : [...new Map(parts.flatMap((p) => [...p.defs]))]
      defs = Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      built.set(key, defs)
    }
    return defs
  }

  return {
    attach(schema, refs) {
      if (refs.size === 0) return
      const parts = [...new Set([...refs].map(closureOf))]
      const settle = (value: unknown) => Object.defineProperty(schema, "$defs", { value, writable: true, enumerable: true, configurable: true })
      Object.defineProperty(schema, "$defs", {
        get: () => {
          const value = build(parts)
          settle(value)
          return value
        },
        set: settle,
        enumerable: true,
        configurable: true,
      })
    },
  }
}
