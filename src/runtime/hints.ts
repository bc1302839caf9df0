/**
 * Hints for errors a model can fix itself: calling a tool or namespace that does not exist shows up
 * in the sandbox as "not a function" / "cannot read property of undefined"; we name what exists, or
 * say that the namespace's source is still loading or failed to load.
 */
import type { Tool } from "../tools/tool.js"
import type { SourceStatus } from "./sources.js"

/** Most names listed in one hint. */
const MAX_NAMES = 12

/** A hint, and whether it is about a source that is not loaded (not a mistake in the code). */
export interface Hint {
  text: string
  unavailable?: boolean
}

const REFERENCE = /\bcodemode\s*\.\s*([A-Za-z_$][\w$]*)(?:\s*\.\s*([A-Za-z_$][\w$]*))?/g

function list(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES).join(", ")
  return names.length > MAX_NAMES ? `${shown}, … (${names.length} in all)` : shown
}

/**
 * A hint for the `codemode.<ns>.<tool>` references on `line` that do not exist, or `undefined` when
 * every reference is a known tool. `unavailable` maps the namespaces of sources that are not loaded
 * (still loading, failed) to what to tell the model about them.
 */
export function unknownToolHint(line: string, tools: readonly Tool[], unavailable: ReadonlyMap<string, string> = new Map()): Hint | undefined {
  const byNamespace = new Map<string, string[]>()
  for (const t of tools) byNamespace.set(t.namespace, [...(byNamespace.get(t.namespace) ?? []), t.name])
  for (const match of line.matchAll(REFERENCE)) {
    const [, ns = "", name] = match
    const names = byNamespace.get(ns)
    if (!names) {
      const note = unavailable.get(ns)
      if (note) return { text: note, unavailable: true }
      const namespaces = [...byNamespace.keys()]
      return { text: `codemode.${ns} does not exist; namespaces: ${namespaces.length > 0 ? list(namespaces) : "(none)"}` }
    }
    if (name !== undefined && !names.includes(name)) return { text: `codemode.${ns}.${name} does not exist; tools in ${ns}: ${list(names)}` }
  }
  return undefined
}

/** The note of the first not-loaded namespace `code` refers to anywhere (for errors away from the reference). */
export function unavailableHint(code: string, unavailable: ReadonlyMap<string, string>): Hint | undefined {
  if (unavailable.size === 0) return undefined
  for (const match of code.matchAll(REFERENCE)) {
    const note = unavailable.get(match[1] ?? "")
    if (note) return { text: note, unavailable: true }
  }
  return undefined
}

/** Longest failure reason quoted to the model. */
const MAX_REASON = 300

/** What the model should hear about a source that is not ready, or `undefined` when it is. */
export function sourceNote(status: SourceStatus): string | undefined {
  if (status.state === "ready") return undefined
  const name = `source "${status.namespace}"`
  if (status.state === "loading") return `${name} is still loading; retry in a moment`
  let reason = (status.error?.message ?? "unknown error").replace(/^\[codemode\] (\[[^\]]*\] )?/, "").replace(/^source "[^"]*" \([^)]*\) failed to load: /, "")
  reason = reason.replace(/^\[codemode\] (\[[^\]]*\] )?/, "").replace(/\s*\n\s*/g, " ")
  if (reason.length > MAX_REASON) reason = `${reason.slice(0, MAX_REASON - 1)}…`
  const wait = status.retryInMs
  const retry = wait === undefined ? "it is not retried" : wait < 500 ? "retrying now" : `retrying in ${Math.round(wait / 1000)} s`
  return `${name} failed to load: ${reason}; ${retry}`
}
