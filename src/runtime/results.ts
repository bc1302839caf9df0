/**
 * What `execute` and `resume` return, and how the sandbox's errors are mapped back to the model's
 * own code (line, column, excerpt, hints).
 */
import { codeExcerpt } from "../code/excerpt.js"
import type { NormalizedCode } from "../code/normalize.js"
import type { TypeDiagnostic } from "../code/typecheck/options.js"
import type { CodeModeError } from "../errors.js"
import type { LogLine, RunError, RunStats } from "../sandbox/executor.js"
import type { Tool } from "../tools/tool.js"
import type { CallRecord } from "./bindings.js"
import { unknownToolHint } from "./hints.js"
import type { PendingApproval } from "./journal.js"

/** A run's error, positions in the code as the model sent it. */
export interface ExecuteError extends RunError {
  /** The offending line, the one before it and a caret, when the position is known. */
  excerpt?: string
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
  value: unknown
  error?: undefined
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

/**
 * Moves the sandbox's position (in the normalized code) to the model's code, adds an excerpt, and a
 * hint when the failing line calls a tool that does not exist.
 */
export function mapError(error: RunError, code: NormalizedCode, tools: readonly Tool[]): ExecuteError {
  if (error.line === undefined) return error.stack ? { ...error, stack: mapStack(error.stack, code) } : { ...error }
  const at = code.toOriginal(error.column === undefined ? { line: error.line } : { line: error.line, column: error.column })
  const mapped: ExecuteError = { ...error, line: at.line }
  const hint = error.kind === "runtime" ? unknownToolHint(code.source.split("\n")[at.line - 1] ?? "", tools) : undefined
  if (hint) mapped.message = `${error.message} (${hint})`
  if (at.column === undefined) delete mapped.column
  else mapped.column = at.column
  const excerpt = codeExcerpt(code.source, at.line, at.column)
  if (excerpt) mapped.excerpt = excerpt
  if (error.stack) mapped.stack = mapStack(error.stack, code)
  return mapped
}

/** Rewrites every `file:line:column` of a sandbox stack to the model's code. */
function mapStack(stack: string, code: NormalizedCode): string {
  return stack.replace(/([^\s(]+):(\d+):(\d+)/g, (_all, file: string, line: string, column: string) => {
    const at = code.toOriginal({ line: Number(line), column: Number(column) })
    return `${file}:${at.line}${at.column === undefined ? "" : `:${at.column}`}`
  })
}
