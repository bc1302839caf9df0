/**
 * What `execute` and `resume` return, and how the sandbox's errors are mapped back to the model's
 * own code (line, column, excerpt, hints).
 */
import type { View } from "./views.js"
import { codeExcerpt } from "../code/excerpt.js"
import type { NormalizedCode } from "../code/normalize.js"
import type { TypeDiagnostic } from "../code/typecheck/options.js"
import type { CodeModeError, CodeModeErrorCode } from "../errors.js"
import type { LogLine, ResultCut, RunError, RunStats } from "../sandbox/executor.js"
import type { Tool } from "../tools/tool.js"
import { argsExcerpt, type CallRecord } from "./bindings.js"
import { unknownToolHint } from "./hints.js"
import type { PendingApproval } from "./journal.js"

/** A run's error, positions in the code as the model sent it. */
export interface ExecuteError extends RunError {
  /** The offending line, the one before it and a caret, when the position is known. */
  excerpt?: string
  /** The tool call the program failed on (not caught), as "namespace.name". */
  tool?: string
  /**
   * Why that call failed (`TOOL_CALL_FAILED`, `TOOL_INPUT_INVALID`, `SOURCE_UNAVAILABLE` when its
   * server crashed or disconnected …); `SOURCE_UNAVAILABLE` without `tool` when the code used a
   * namespace whose source is still loading or failed to load.
   */
  code?: CodeModeErrorCode
  /** Kind "type": every diagnostic (the first is the one in `message`, `line`, `column`). */
  diagnostics?: TypeDiagnostic[]
}

interface ResultCommon {
  logs: LogLine[]
  calls: CallRecord[]
  stats: RunStats
  /** The run's id: in the audit log, and the journal of a durable run. */
  runId?: string
  /** Typecheck mode "warn": what the checker found (the program ran anyway). */
  diagnostics?: TypeDiagnostic[]
  /** Things the caller should know that did not stop the run, e.g. a typecheck skipped over its budget. */
  warnings?: string[]
}

/** The program returned: `value` is what it returned. */
export interface DoneResult extends ResultCommon {
  status: "done"
  ok: true
  /** The value as a declarative view (table, list, form, chart), validated, its query's rows filled in (docs/state.md#views). */
  view?: View
  /** With `saveAs`: the procedure version the program was saved as. */
  saved?: { name: string; version: number; description: string }
  /** What it returned; cut to fit when larger than `limits.maxResultBytes` (then `cut` is set). */
  value: unknown
  error?: undefined
  /** Set when the value was larger than `limits.maxResultBytes`: what was cut from it to make it fit. */
  cut?: ResultCut
}

/** The program failed (its error, a limit, a cancel, a divergence from its journal). */
export interface FailedResult extends ResultCommon {
  status: "failed"
  ok: false
  value?: undefined
  error: ExecuteError
}

/**
 * The program waits for approval of the calls in `pending` (nothing else is running). Continue it
 * with `resume(resumeToken, decisions)`, in this process or any other that shares the run store.
 */
export interface PausedResult extends ResultCommon {
  status: "paused"
  ok: false
  value?: undefined
  error?: undefined
  runId: string
  resumeToken: string
  pending: PendingApproval[]
  /** When the token stops working (ISO time). */
  expiresAt: string
}

/** Everything a run produced. Failures of the code are values (`status: "failed"`), never throws. */
export type ExecuteResult = DoneResult | FailedResult | PausedResult

export function syntaxResult(error: CodeModeError, startedAt: number): FailedResult {
  const data = error.data as { reason?: string; line?: number; column?: number; excerpt?: string } | undefined
  // As for runtime errors, position and excerpt travel in their own fields.
  const reason = data?.reason ?? error.message.replace(/^\[codemode\] \[code\] /, "")
  const runError: ExecuteError = { kind: "syntax", message: reason.startsWith("SyntaxError") ? reason : `SyntaxError: ${reason}` }
  if (data?.line !== undefined) runError.line = data.line
  if (data?.column !== undefined) runError.column = data.column
  if (data?.excerpt) runError.excerpt = data.excerpt
  return { status: "failed", ok: false, error: runError, logs: [], calls: [], stats: { durationMs: performance.now() - startedAt, toolCalls: 0 } }
}

/** What else {@link mapError} may use: the run's calls, and the sources that are not loaded. */
export interface MapErrorContext {
  calls?: readonly CallRecord[]
  /** Namespace → what to tell the model about its source ("source "x" is still loading; …"). */
  unavailable?: ReadonlyMap<string, string>
}

/**
 * Moves the sandbox's position (in the normalized code) to the model's code, adds an excerpt, and a
 * hint when the failing line calls a tool that does not exist or whose source is not loaded. An
 * uncaught failed tool call gets its tool and code, and its column moves to the start of the call.
 */
export function mapError(error: RunError, code: NormalizedCode, tools: readonly Tool[], context: MapErrorContext = {}): ExecuteError {
  const call = error.kind === "runtime" ? failedCall(error.message, context.calls ?? []) : undefined
  const about: Pick<ExecuteError, "tool" | "code"> = call ? { tool: call.tool, ...(call.error?.code ? { code: call.error.code } : {}) } : {}
  if (error.line === undefined) return { ...error, ...about, ...(error.stack ? { stack: mapStack(error.stack, code) } : {}) }
  const at = code.toOriginal(error.column === undefined ? { line: error.line } : { line: error.line, column: error.column })
  const mapped: ExecuteError = { ...error, ...about, line: at.line }
  const source = code.source.split("\n")[at.line - 1] ?? ""
  if (error.kind === "runtime" && !call) {
    const unavailable = context.unavailable ?? new Map<string, string>()
    const hint = unknownToolHint(source, tools, unavailable)
    if (hint) mapped.message = `${error.message} (${hint.text})`
    if (hint?.unavailable) mapped.code = "SOURCE_UNAVAILABLE"
  }
  const column = call && at.column !== undefined ? callColumn(source, call.tool, at.column) : at.column
  if (column === undefined) delete mapped.column
  else mapped.column = column
  const excerpt = codeExcerpt(code.source, at.line, column)
  if (excerpt) mapped.excerpt = excerpt
  if (error.stack) mapped.stack = mapStack(error.stack, code)
  return mapped
}

/** The failed call whose message the program threw (`codemode.ns.tool(args) …`), the last one if several match. */
function failedCall(message: string, calls: readonly CallRecord[]): CallRecord | undefined {
  const text = message.replace(/^Error: /, "")
  for (let i = calls.length - 1; i >= 0; i--) {
    const c = calls[i] as CallRecord
    if (!c.ok && text.startsWith(`codemode.${c.tool}(${argsExcerpt(c.args)}) `)) return c
  }
  return undefined
}

/**
 * The column where the call of `tool` starts on `line`: the sandbox reports the call's parenthesis
 * (or its await); the model reads `codemode.ns.tool(` better. The nearest call at or before `column`.
 */
function callColumn(line: string, tool: string, column: number): number {
  const pattern = new RegExp(`\\bcodemode${tool.split(".").map((part) => `\\s*\\.\\s*${escape(part)}`).join("")}\\s*\\(`, "g")
  let best: number | undefined
  for (const match of line.matchAll(pattern)) {
    if (match.index + 1 <= column) best = match.index + 1
    else if (best === undefined) best = match.index + 1
  }
  return best ?? column
}

const escape = (name: string) => name.replace(/\$/g, "\\$")

/** Rewrites every `file:line:column` of a sandbox stack to the model's code. */
function mapStack(stack: string, code: NormalizedCode): string {
  return stack.replace(/([^\s(]+):(\d+):(\d+)/g, (_all, file: string, line: string, column: string) => {
    const at = code.toOriginal({ line: Number(line), column: Number(column) })
    return `${file}:${at.line}${at.column === undefined ? "" : `:${at.column}`}`
  })
}
