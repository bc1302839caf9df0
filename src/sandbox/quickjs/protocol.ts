/**
 * Messages between the host thread and a sandbox worker thread. Only plain data crosses (structured
 * clone): values travel as JSON text produced and checked on the side that owns them.
 */
import type { Limits, LogLine, RunError } from "../executor.js"

/** Host → worker: start a run. */
export interface StartRun {
  t: "run"
  run: number
  js: string
  /** Binding names, `"ns.tool"`. */
  names: string[]
  limits: Limits
  /** Absolute deadline, in ms on the shared clock `performance.timeOrigin + performance.now()`. */
  deadline: number
}

/** Host → worker: the result of a tool call. `json` is `""` for `undefined`. */
export interface CallSettled {
  t: "settle"
  run: number
  call: number
  ok: boolean
  /** JSON text of the value when ok, else the plain error message. */
  payload: string
}

/** Host → worker: stop a run (AbortSignal fired). */
export interface AbortRun {
  t: "abort"
  run: number
}

export type HostToWorker = StartRun | CallSettled | AbortRun

/** Worker → host: the sandbox called a tool. `json` is `""` for an `undefined` argument. */
export interface CallStarted {
  t: "call"
  run: number
  call: number
  name: string
  json: string
}

/** Worker → host: a run ended. The value is JSON text (`""` for `undefined`), already size-checked. */
export interface RunFinished {
  t: "done"
  run: number
  ok: boolean
  json: string
  error?: RunError
  logs: LogLine[]
  toolCalls: number
  memoryBytes?: number
}

/** Worker → host: the worker loaded its WASM module and is ready. */
export interface WorkerReady {
  t: "ready"
}

export type WorkerToHost = CallStarted | RunFinished | WorkerReady

/** Options the worker thread needs (passed as `workerData`). */
export interface WorkerConfig {
  /** Bytes a capped WASM module may hold on top of a run's memory limit. */
  moduleSlackBytes: number
  /** A module whose heap grew beyond this is replaced once its runs end. */
  moduleRetireBytes: number
  /** Max bytes of a tool argument crossing out of the sandbox. */
  maxArgumentBytes: number
  /** Memory limit whose module is created at start-up, so the first run does not wait for it. */
  warmMemoryBytes: number
  /** OS niceness of the worker thread (Linux), so the host's thread wins the CPU over sandboxes. */
  nice: number
}

/** The clock both threads share (ms since the epoch, sub-ms precision). */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now()
}
