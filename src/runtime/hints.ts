/**
 * Hints for errors a model can fix itself: calling a tool or namespace that does not exist shows up
 * in the sandbox as "not a function" / "cannot read property of undefined"; we name what exists, or
 * say that the namespace's source is still loading or failed to load.
 */
import { codeExcerpt } from "../code/excerpt.js"
import type { NormalizedCode } from "../code/normalize.js"
import { namespaceReferences } from "../code/references.js"
import type { Tool } from "../tools/tool.js"
import type { ExecuteError } from "./results.js"
import type { SourceStatus } from "./sources.js"

/** Most names listed in one hint. */
const MAX_NAMES = 12

/** A hint, and whether it is about a source that is not loaded (not a mistake in the code). */
export interface Hint {
  text: string
  unavailable?: boolean
}

const REFERENCE = /\bcodemode((?:\s*\.\s*[A-Za-z_$][\w$]*)+)/g

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
  // A namespace's nested namespaces (`state.todos` in `state`) are listed with its tools.
  for (const ns of [...byNamespace.keys()]) {
    for (let dot = ns.lastIndexOf("."); dot > 0; dot = ns.lastIndexOf(".", dot - 1)) {
      const parent = ns.slice(0, dot)
      const own = ns.slice(dot + 1, ns.indexOf(".", dot + 1) < 0 ? undefined : ns.indexOf(".", dot + 1))
      const names = byNamespace.get(parent) ?? []
      if (!names.includes(own)) byNamespace.set(parent, [...names, own])
    }
  }
  for (const match of line.matchAll(REFERENCE)) {
    const parts = (match[1] ?? "").split(".").map((p) => p.trim()).filter((p) => p !== "")
    const [top = ""] = parts
    if (!byNamespace.has(top)) {
      const note = unavailable.get(top)
      if (note) return { text: note, unavailable: true }
      const namespaces = [...byNamespace.keys()].filter((ns) => !ns.includes("."))
      return { text: `codemode.${top} does not exist; namespaces: ${namespaces.length > 0 ? list(namespaces) : "(none)"}` }
    }
    let ns = top
    for (const name of parts.slice(1)) {
      const names = byNamespace.get(ns) ?? []
      if (!names.includes(name)) return { text: `codemode.${ns}.${name} does not exist; tools in ${ns}: ${list(names)}` }
      if (!byNamespace.has(`${ns}.${name}`)) break
      ns = `${ns}.${name}`
    }
  }
  return undefined
}

/**
 * The error that stops a program before it runs when it refers to a namespace whose source is not
 * loaded (still loading, failed): it would fail there anyway, maybe after calls that then run twice
 * when the model retries. `undefined` when it refers to none (the code is parsed only if some are).
 */
export function unavailableError(code: NormalizedCode, unavailable: ReadonlyMap<string, string>): ExecuteError | undefined {
  if (unavailable.size === 0) return undefined
  for (const ref of namespaceReferences(code.js)) {
    const note = unavailable.get(ref.namespace)
    if (!note) continue
    const at = code.toOriginal({ line: ref.line, column: ref.column })
    const error: ExecuteError = { kind: "type", code: "SOURCE_UNAVAILABLE", message: `codemode.${ref.namespace} is not available yet: ${note}`, line: at.line }
    if (at.column !== undefined) error.column = at.column
    const excerpt = codeExcerpt(code.source, at.line, at.column)
    if (excerpt) error.excerpt = excerpt
    return error
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
