/**
 * What the model reads back from a run: the value as JSON cut to a budget without ever breaking the
 * JSON (arrays, objects and long strings are shortened, with a note of what was cut and how to get
 * it), the program's console lines, a compact call summary, and errors with everything needed to
 * fix the code (kind, line/column with an excerpt, the limit and its value, the failing tool).
 */
import { viewText } from "./views.js"
import type { LogLine, ResultCut } from "../sandbox/executor.js"
import type { CallRecord } from "./bindings.js"
import type { TypeDiagnostic } from "../code/typecheck/options.js"
import type { ExecuteError, ExecuteResult, PausedResult } from "./results.js"

/** Options of {@link shapeValue} and {@link formatExecuteResult}. */
export interface ShapeOptions {
  /** Longest value text, in characters (~4 per token). Default {@link DEFAULT_MAX_RESULT_CHARS}. */
  maxChars?: number
  /** Longest console section, in characters. Default {@link DEFAULT_MAX_LOG_CHARS}. */
  maxLogChars?: number
  /** Most call groups listed in the call summary. Default 8. */
  maxCallGroups?: number
}

/** Default value budget: 24,000 characters, about 6,000 tokens. */
export const DEFAULT_MAX_RESULT_CHARS = 24_000
/** Default console budget: 4,000 characters. */
export const DEFAULT_MAX_LOG_CHARS = 4_000

/** A value as text for the model. */
export interface ShapedValue {
  text: string
  /** Length of the full text before any cut. */
  originalChars: number
  /** What was cut and how to get the rest; absent when nothing was cut. */
  note?: string
}

interface Budget {
  items: number
  keys: number
  chars: number
  depth: number
}

const MIN_BUDGET: Budget = { items: 1, keys: 4, chars: 40, depth: 1 }
const START_BUDGET: Budget = { items: 200, keys: 200, chars: 2_000, depth: 16 }

/** `$.result[*].name`: indices folded so one note covers every element. */
function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[*]`
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

/** Markers a cut left in a value (the sandbox's cut of a result over maxResultBytes uses the same ones). */
const MORE_ITEMS = /^… (\d+) more items$/
const MORE_KEYS = /^(\d+) more keys$/
const MORE_CHARS = /… \(\+(\d+) chars\)$/

/**
 * Copies `value` within `budget`, recording each cut once per (folded) path. `marked`: the value was
 * cut before (in the sandbox), so its markers count what is hidden already: a second cut adds them up.
 */
function prune(value: unknown, budget: Budget, path: string, depth: number, cuts: Map<string, string>, marked: boolean): unknown {
  if (typeof value === "string") {
    const before = marked ? MORE_CHARS.exec(value) : null
    const text = before ? value.slice(0, before.index) : value
    if (text.length <= budget.chars) return value
    if (!cuts.has(path)) cuts.set(path, `strings cut to ${budget.chars} chars`)
    return `${text.slice(0, budget.chars)}… (+${text.length - budget.chars + Number(before?.[1] ?? 0)} chars)`
  }
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) {
    const last: unknown = value.at(-1)
    const before = marked && typeof last === "string" ? MORE_ITEMS.exec(last) : null
    const items = before ? value.slice(0, -1) : value
    const total = items.length + Number(before?.[1] ?? 0)
    if (depth >= budget.depth) {
      cuts.set(path, "nested too deep, not shown")
      return `[… ${total} items]`
    }
    if (items.length <= budget.items) return value.map((v) => prune(v, budget, childPath(path, 0), depth + 1, cuts, marked))
    const shown = items.slice(0, budget.items).map((v) => prune(v, budget, childPath(path, 0), depth + 1, cuts, marked))
    // one note per folded path: the first array cut there stands for all of them
    if (!cuts.has(path)) cuts.set(path, `first ${budget.items} of ${total} items`)
    shown.push(`… ${total - budget.items} more items`)
    return shown
  }
  const all = Object.entries(value)
  const before = marked && typeof (value as Record<string, unknown>)["…"] === "string" ? MORE_KEYS.exec((value as Record<string, string>)["…"] as string) : null
  const entries = before ? all.filter(([k]) => k !== "…") : all
  const total = entries.length + Number(before?.[1] ?? 0)
  if (depth >= budget.depth) {
    cuts.set(path, "nested too deep, not shown")
    return `{… ${total} keys}`
  }
  const out: Record<string, unknown> = {}
  const kept = entries.length > budget.keys ? entries.slice(0, budget.keys) : all
  for (const [k, v] of kept) out[k] = prune(v, budget, childPath(path, k), depth + 1, cuts, marked)
  if (entries.length > budget.keys) {
    if (!cuts.has(path)) cuts.set(path, `first ${budget.keys} of ${total} keys`)
    out["…"] = `${total - budget.keys} more keys`
  }
  return out
}

function shrink(budget: Budget): Budget | undefined {
  const next: Budget = {
    items: Math.max(MIN_BUDGET.items, Math.floor(budget.items / 2)),
    keys: Math.max(MIN_BUDGET.keys, Math.floor(budget.keys / 2)),
    chars: Math.max(MIN_BUDGET.chars, Math.floor(budget.chars / 2)),
    // depth goes last: structure is more useful than long lists
    depth: budget.items <= 2 ? Math.max(MIN_BUDGET.depth, budget.depth - 2) : budget.depth,
  }
  const same = next.items === budget.items && next.keys === budget.keys && next.chars === budget.chars && next.depth === budget.depth
  return same ? undefined : next
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/** How big the full value was: its length, or (cut in the sandbox) the limit it was over. */
function sizeOf(originalChars: number, cut: ResultCut | undefined): string {
  return cut
    ? `over limits.maxResultBytes = ${cut.limitBytes.toLocaleString("en-US")} bytes as JSON, cut in the sandbox`
    : `${originalChars.toLocaleString("en-US")} chars`
}

function noteFor(size: string, shownChars: number, cuts: Map<string, string>): string {
  const listed = [...cuts].slice(0, 6).map(([path, what]) => `${path} (${what})`)
  const more = cuts.size > 6 ? `, and ${cuts.size - 6} more` : ""
  return (
    `[result truncated: ${size}, ${shownChars.toLocaleString("en-US")} shown; cut: ${listed.join(", ")}${more}. ` +
    "The JSON above is valid but incomplete: return only what you need (filter, map to the fields you use, slice or count) in code.]"
  )
}

/**
 * The value as compact JSON of at most `maxChars` characters (strings are returned as is). Too big a
 * value is pruned — long arrays and objects keep their first entries plus a "… N more" marker, long
 * strings are shortened with a "(+N chars)" marker, deep nesting is summarized — so the text always
 * stays valid JSON, and `note` says what was cut. `cut`: the value was already cut in the sandbox
 * (a result over `limits.maxResultBytes`); the note then always says so, and counts stay right.
 */
export function shapeValue(value: unknown, options: ShapeOptions = {}, cut?: ResultCut): ShapedValue {
  const maxChars = options.maxChars ?? DEFAULT_MAX_RESULT_CHARS
  const earlier = new Map((cut?.paths ?? []).map((p) => [p.path, p.what]))
  if (value === undefined) return { text: "undefined", originalChars: 9 }
  if (typeof value === "string") {
    if (value.length <= maxChars) return { text: value, originalChars: value.length, ...(cut ? { note: noteFor(sizeOf(0, cut), value.length, earlier) } : {}) }
    const at = value.lastIndexOf("\n", maxChars)
    const end = at > maxChars / 2 ? at : maxChars
    const size = cut ? sizeOf(0, cut) : `${value.length.toLocaleString("en-US")} chars`
    return {
      text: value.slice(0, end),
      originalChars: value.length,
      note: `[string truncated: ${size}, first ${end.toLocaleString("en-US")} shown. Return a smaller part (slice, search, split) in code.]`,
    }
  }
  const full = stringify(value)
  const size = sizeOf(full.length, cut)
  if (full.length <= maxChars) return { text: full, originalChars: full.length, ...(cut ? { note: noteFor(size, full.length, earlier) } : {}) }
  let budget: Budget | undefined = START_BUDGET
  let cuts = new Map<string, string>()
  let text = full
  while (budget) {
    cuts = new Map()
    text = stringify(prune(value, budget, "$", 0, cuts, cut !== undefined))
    // what the second cut says about a path replaces what the first one said (its counts are the shown ones)
    if (text.length <= maxChars) return { text, originalChars: full.length, note: noteFor(size, text.length, new Map([...earlier, ...cuts])) }
    budget = shrink(budget)
  }
  // Even the smallest outline is too big (huge key count at the top): describe the shape instead.
  const kind = Array.isArray(value) ? `an array of ${value.length} items` : `an object with ${Object.keys(value as object).length} keys`
  const outline = JSON.stringify({ "…": `result too large to show: ${kind}` })
  return { text: outline, originalChars: full.length, note: noteFor(size, outline.length, new Map([["$", kind]])) }
}

const ms = (value: number): string => (value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`)

/** One line per run of equal calls: `cloudflare.zones_get ×3 ok (410 ms)` / `x.y failed: reason`. */
export function summarizeCalls(calls: readonly CallRecord[], maxGroups = 8): string {
  if (calls.length === 0) return "calls: none"
  const groups: Array<{ tool: string; ok: boolean; count: number; ms: number; error?: string }> = []
  for (const call of calls) {
    const last = groups.at(-1)
    const error = call.ok ? undefined : (call.error?.message ?? "failed").replace(/^\[codemode\] (\[[^\]]*\] )?/, "")
    if (last && last.tool === call.tool && last.ok === call.ok && last.error === error) {
      last.count++
      last.ms += call.durationMs
    } else {
      groups.push({ tool: call.tool, ok: call.ok, count: 1, ms: call.durationMs, ...(error === undefined ? {} : { error }) })
    }
  }
  const failed = calls.filter((c) => !c.ok).length
  const head = `calls: ${calls.length}${failed ? ` (${failed} failed)` : ""}`
  const lines = groups.slice(0, maxGroups).map((g) => {
    const times = g.count > 1 ? ` ×${g.count}` : ""
    const status = g.ok ? "ok" : `failed: ${g.error && g.error.length > 300 ? `${g.error.slice(0, 299)}…` : g.error}`
    return `- ${g.tool}${times} ${status} (${ms(g.ms)})`
  })
  if (groups.length > maxGroups) lines.push(`- … ${groups.length - maxGroups} more groups`)
  return [head, ...lines].join("\n")
}

/** What to do about each kind of failure, in one sentence. */
const HINTS: Record<ExecuteError["kind"], string> = {
  syntax: "Fix the syntax and send the whole program again.",
  runtime: "Fix the code; check names and argument shapes against the declarations.",
  timeout: "Do less per run: fewer or parallel calls (Promise.all), or return partial results.",
  memory: "Keep less in memory: process items as they come and return only what you need.",
  stack: "Recursion too deep: use a loop.",
  limit: "Stay under the limit: fewer calls or less output per run.",
  aborted: "The run was cancelled by the client.",
  denied: "A policy denied the call; do not retry it.",
  diverged: "The resumed program made other calls than before; run it again as a new program if that is what you want.",
  type: "Nothing ran. Fix the code against the declarations (signatures above) and send the whole program again.",
}

/** The error as the model should read it: kind, position, message, excerpt, limit, what to do. */
export function formatExecuteError(error: ExecuteError): string {
  const where = error.line === undefined ? "" : ` at line ${error.line}${error.column === undefined ? "" : `, column ${error.column}`}`
  const lines = [`${error.kind} error${where}: ${error.message}`]
  if (error.kind === "type" && error.diagnostics?.length) {
    lines.length = 0
    lines.push(formatDiagnostics(error.diagnostics))
  } else if (error.excerpt) lines.push(error.excerpt)
  if (error.limit) lines.push(`limit: ${error.limit.name} = ${error.limit.value}`)
  lines.push(hintFor(error))
  return lines.join("\n")
}

/** What to do: by the failing call's code when the program failed on a tool call, else by kind. */
function hintFor(error: ExecuteError): string {
  if (error.code === "SOURCE_UNAVAILABLE" && error.tool === undefined) {
    const what = error.kind === "type" ? "Nothing ran; run the program again in a moment, or do without that namespace." : "The other namespaces work; run the program again in a moment."
    return `That namespace is not available yet; this is not a mistake in your code. ${what}`
  }
  if (error.kind !== "runtime") return HINTS[error.kind]
  // a tool that failed is not a bug in the code around it: say so, and whose failure it was
  const toolFailure = error.tool !== undefined || /codemode\.[\w$]+\.[\w$]+\(.*\) failed: /s.test(error.message)
  if (!toolFailure) return HINTS.runtime
  if (error.code === "SOURCE_UNAVAILABLE") {
    return "The tool's server crashed or disconnected during the call; this is not a problem with your code or its arguments. It is restarted on the next call, so a retry may work (the failed call may or may not have taken effect)."
  }
  if (error.code === "TOOL_TIMEOUT") return "The tool did not answer in time; a retry may work, or ask it for less per call."
  return "The tool call failed: check its arguments against the declarations, or catch the error (try/catch) and go on."
}

/**
 * Type diagnostics for the model: each with its position, code and excerpt, then the signature of
 * every tool involved (once each).
 */
export function formatDiagnostics(diagnostics: readonly TypeDiagnostic[]): string {
  const out: string[] = []
  const signatures = new Map<string, string>()
  for (const d of diagnostics) {
    out.push(`type error at line ${d.line}, column ${d.column}: ${d.message} (TS${d.code})`)
    if (d.excerpt) out.push(d.excerpt)
    if (d.tool && d.signature && !signatures.has(d.tool)) signatures.set(d.tool, d.signature)
  }
  for (const [tool, signature] of signatures) out.push(`codemode.${tool}:\n${signature.trimEnd()}`)
  return out.join("\n")
}

/** The console lines within `maxChars`, the first ones kept. */
export function formatLogs(logs: readonly LogLine[], maxChars = DEFAULT_MAX_LOG_CHARS): string {
  const out: string[] = []
  let used = 0
  for (const [i, log] of logs.entries()) {
    const line = log.level === "log" || log.level === "info" ? log.message : `[${log.level}] ${log.message}`
    if (used + line.length > maxChars) {
      const room = maxChars - used
      if (room > 80) out.push(`${line.slice(0, room)}… (+${line.length - room} chars)`)
      out.push(`… ${logs.length - i - (room > 80 ? 1 : 0)} more lines not shown`)
      break
    }
    out.push(line)
    used += line.length + 1
  }
  return `console (${logs.length} ${logs.length === 1 ? "line" : "lines"}):\n${out.join("\n")}`
}

/** A run as one text for the model, and whether it failed. */
export interface FormattedResult {
  text: string
  isError: boolean
}

/**
 * The whole outcome of a run as the model sees it: the value (shaped) or the error, then the console
 * lines (if any), then the call summary (if any call was made).
 */
export function formatExecuteResult(result: ExecuteResult, options: ShapeOptions = {}): FormattedResult {
  const sections: string[] = []
  if (result.status === "paused") {
    sections.push(formatPaused(result))
  } else if (result.ok) {
    const shaped = shapeValue(result.value, options, result.cut)
    if (result.view) sections.push(`A ${result.view.view} view${"query" in result.view && result.view.query ? ` of ${result.view.query.source}` : ""}, shown to the user as:\n${viewText(result.view)}`)
    else sections.push(result.value === undefined ? "undefined (the program returned nothing: end it with `return <value>`)" : shaped.text)
    if (shaped.note && !result.view) sections.push(shaped.note)
    if (result.saved) sections.push(`Saved as procedure codemode.procedures.${result.saved.name}(input) (version ${result.saved.version}).`)
  } else {
    sections.push(formatExecuteError(result.error))
  }
  if (result.diagnostics?.length) sections.push(`The program ran, but the typecheck found:\n${formatDiagnostics(result.diagnostics)}`)
  if (result.warnings?.length) sections.push(result.warnings.map((w) => `warning: ${w}`).join("\n"))
  if (result.logs.length > 0) sections.push(formatLogs(result.logs, options.maxLogChars))
  if (result.calls.length > 0) sections.push(summarizeCalls(result.calls, options.maxCallGroups))
  return { text: sections.join("\n\n"), isError: result.status === "failed" }
}

/**
 * A paused run for the model: which calls wait for approval and why, and how to go on (the `resume`
 * tool of the MCP face, with the token). Says plainly that nothing after the pause has run.
 */
export function formatPaused(result: PausedResult): string {
  const n = result.pending.length
  const lines = [`PAUSED: ${n === 1 ? "1 call needs" : `${n} calls need`} approval before the program can go on (run ${result.runId}).`]
  for (const p of result.pending) {
    let args: string
    try {
      args = JSON.stringify(p.args) ?? ""
    } catch {
      args = "…"
    }
    lines.push(`- ${p.id}: codemode.${p.tool}(${args.length > 300 ? `${args.slice(0, 299)}…` : args}) — ${p.reason}`)
  }
  lines.push(
    "Nothing that depends on these calls has run; calls already made will not run again.",
    `Ask the user whether to allow ${n === 1 ? "it" : "them"}, then call the \`resume\` tool with this token and \`decision\` "approve" or "deny" (or \`decisions\` per id, e.g. {"${result.pending[0]?.id ?? "c0"}": "approve"}).`,
    `resumeToken: ${result.resumeToken}`,
    `(expires ${result.expiresAt})`,
  )
  return lines.join("\n")
}
