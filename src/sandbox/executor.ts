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

/**
 * Set by the runtime, not by backends: `diverged`, a resumed run made other calls than its journal
 * holds; `type`, the program does not typecheck against the tools' declarations (it did not run).
 */
export type RunErrorKind = "syntax" | "runtime" | "timeout" | "memory" | "stack" | "limit" | "aborted" | "denied" | "diverged" | "type"

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
 * Makes a run replayable (durable runs, see runtime/durable): given the same tool results in the
 * same order, a second run with the same `seed` and the first run's clock reads behaves exactly
 * like the first.
 *
 * - `Math.random()` is a PRNG seeded with `seed` (not cryptographic; nothing in the sandbox is).
 * - Every read of the clock (`Date.now()`, `new Date()` and `Date()` without arguments) returns the
 *   next value of `clock` while there is one, then the real time; each read past `clock` is
 *   reported through `onClock`, in read order, before the host sees any tool call the code made
 *   after that read (so a journal can write the reads ahead of those calls).
 * - Tool results reach the code one at a time, each followed by running the code until it waits
 *   again, so what the code observes depends only on the order of the results, not on how the host
 *   happened to batch them.
 */
export interface Determinism {
  /** Seed of `Math.random` (an unsigned 32-bit integer). */
  seed: number
  /** Clock reads of an earlier run of the same program, returned first and in order. */
  clock: readonly number[]
  /** Receives the reads the run made past `clock`, in batches, in read order. Must not throw. */
  onClock(reads: number[]): void
}

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
  /** `determinism`: see {@link Determinism}; a backend that cannot honour it rejects with `SANDBOX_FAILED`. */
  run(js: string, bindings: Bindings, limits: Limits, signal?: AbortSignal, determinism?: Determinism): Promise<RunOutcome>
  dispose(): Promise<void>
}
