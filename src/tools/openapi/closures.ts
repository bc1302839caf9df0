/**
 * The `$defs` a tool schema carries: every component schema reachable from the ones it references.
 * Big specs are one tangle (Microsoft Graph: every entity inherits from one base whose
 * discriminator maps every entity), so each schema reaches thousands of others; copying them into
 * every tool's `$defs` took seconds and gigabytes. Here what a def reaches is found once per strongly
 * connected component (Tarjan's algorithm), as a bit set over the component schemas shared by its
 * members, and a `$defs` object is built on first read, once per set of components, and shared by
 * every schema that needs exactly those.
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

/** What one component reaches (its own defs included): bit i stands for the i-th name in sorted order. */
interface Closure {
  bits: Uint32Array
}

/** Closures over the defs `def` converts; `names` are all the component schema names. */
export function createDefClosures(names: readonly string[], def: DefLookup): DefClosures {
  const sorted = [...names].sort()
  const indexOf = new Map(sorted.map((n, i) => [n, i]))
  const words = Math.ceil(sorted.length / 32)
  /** Converted schemas by index, filled as components are closed; what the lazy `$defs` are built from. */
  const schemas: JSONSchema[] = []
  const closures = new Map<string, Closure>()

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
      const bits = new Uint32Array(words)
      const merged = new Set<Closure>()
      for (const member of members) {
        const i = indexOf.get(member) as number
        bits[i >>> 5]! |= 1 << (i & 31)
        schemas[i] = def(member).schema
        for (const to of def(member).refs) {
          const below = closures.get(to) // undefined for a member of this component
          if (below === undefined || merged.has(below)) continue
          merged.add(below)
          for (let w = 0; w < words; w++) bits[w]! |= below.bits[w]!
        }
      }
      const closure = { bits }
      for (const member of members) closures.set(member, closure)
    }
    return closures.get(start) as Closure
  }

  const built = new Map<string, Record<string, JSONSchema>>()

  /** The `$defs` object of these closures (the union of their bits), sorted by name since bits are; one per distinct union. */
  function build(parts: readonly Closure[]): Record<string, JSONSchema> {
    const bits = new Uint32Array(words)
    for (const p of parts) for (let w = 0; w < words; w++) bits[w]! |= p.bits[w]!
    const key = Buffer.from(bits.buffer).toString("base64")
    let defs = built.get(key)
    if (!defs) {
      defs = {}
      for (let w = 0; w < words; w++) {
        for (let word = bits[w]!, b = 0; word !== 0; word >>>= 1, b++) {
          if (word & 1) defs[sorted[w * 32 + b] as string] = schemas[w * 32 + b] as JSONSchema
        }
      }
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
