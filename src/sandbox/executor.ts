/**
 * The sandbox contract. A backend runs untrusted JavaScript whose only capabilities are the named
 * async host functions it is given. Never imports tools/, server/ or MCP.
 */

/** Flat map of host functions: `"github.repos_get"` is exposed as `codemode.github.repos_get(args)`. */
export type Bindings = Record<string, (args: unknown) => Promise<unknown>>

/** Per-run limits. Each one ends the run with an error naming it and its value. */
export interface Limits {
  /** Wall time of the whole run, including time spent awaiting tools. */
  timeMs: number
  /** Memory the run's JS heap may use. */
  memoryBytes: number
  /** Maximum JS stack size. */
  stackBytes: number
  /** Maximum number of tool calls. */
  maxToolCalls: number
  /** Maximum bytes of console output (further output ends the run). */
  maxOutputBytes: number
  /** Maximum bytes of the JSON-encoded result. */
  maxResultBytes: number
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  timeMs: 30_000,
  memoryBytes: 64 * 1024 * 1024,
  stackBytes: 1024 * 1024,
  maxToolCalls: 1_000,
  maxOutputBytes: 1024 * 1024,
  maxResultBytes: 1024 * 1024,
})

export type LogLevel = "log" | "info" | "warn" | "error" | "debug"

export interface LogLine {
  level: LogLevel
  /** Arguments formatted like `util.inspect` and joined by spaces. */
  message: string
}

export interface RunStats {
  /** Wall time of the run in milliseconds. */
  durationMs: number
  /** Number of tool calls the code started. */
  toolCalls: number
  /** Estimated peak heap bytes of the run, when the backend can tell. */
  memoryBytes?: number
}

export type RunErrorKind = "syntax" | "runtime" | "timeout" | "memory" | "stack" | "limit" | "aborted" | "denied"

export interface RunError {
  kind: RunErrorKind
  /** Plain text, no host paths or host stack frames. */
  message: string
  /** 1-based line/column in the code given to `run`. */
  line?: number
  column?: number
  /** For limit errors: which limit and its value. */
  limit?: { name: keyof Limits; value: number }
  /** Stack frames in the code given to `run` only (`at f (code.js:3:5)`), when the backend has them. */
  stack?: string
}

export type RunOutcome =
  | { ok: true; value: unknown; logs: LogLine[]; stats: RunStats }
  | { ok: false; error: RunError; logs: LogLine[]; stats: RunStats }

/**
 * A sandbox backend.
 *
 * `run(js, …)` executes `js` as the body of an async function (it may `await` and `return`), in a
 * fresh isolated context: nothing survives between runs. Only JSON-compatible values cross the
 * boundary, by copy. It never throws for anything the code does: every failure is a `RunOutcome`
 * with `ok: false`. It may be called concurrently. `dispose()` is idempotent; `run` after it rejects
 * with a `CLOSED` CodeModeError.
 */
export interface Executor {
  /** Backend name for messages, e.g. "quickjs". */
  readonly name: string
  run(js: string, bindings: Bindings, limits: Limits, signal?: AbortSignal): Promise<RunOutcome>
  dispose(): Promise<void>
}
