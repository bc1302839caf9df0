/**
 * Messages between the host thread and a sandbox worker thread (carried by channel.ts: structured
 * clone on the port, or codec.ts's text in shared memory). Only plain data crosses: values travel
 * as JSON text produced and checked on the side that owns them.
 */
import type { MessagePort } from "node:worker_threads"
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
  /** Present only for a deterministic run (executor.ts `Determinism`). */
  det?: RunDeterminism
}

/** What a deterministic run installs in its sandbox: `Determinism` without the host's callback. */
export interface RunDeterminism {
  /** Seed of `Math.random`, an unsigned 32-bit integer. */
  seed: number
  /** The clock values to replay, run-length encoded: `[value, count, value, count, …]` (determinism.ts). */
  clock: number[]
}

/** The result of one tool call. */
export interface SettledCall {
  run: number
  call: number
  ok: boolean
  /** JSON text of the value when ok (`""` for `undefined`), else the plain error message. */
  payload: string
}

/**
 * Host → worker: results of tool calls, all those that completed in the same host tick (a
 * `Promise.all` of many calls costs one message and one wake-up of the worker, not one per call).
 */
export interface CallSettled {
  t: "settle"
  results: SettledCall[]
}

/** Host → worker: stop a run (AbortSignal fired). */
export interface AbortRun {
  t: "abort"
  run: number
}

export type HostToWorker = StartRun | CallSettled | AbortRun

/** One tool call made by sandbox code. `json` is `""` for an `undefined` argument. */
export interface ToolCall {
  call: number
  name: string
  json: string
}

/** Worker → host: the tool calls a run made since it last waited (one message per batch). */
export interface CallStarted {
  t: "call"
  run: number
  calls: ToolCall[]
  /**
   * A deterministic run's clock reads past its replayed clock since the last message, run-length
   * encoded (`[value, count, …]`); the host reports them before it calls any binding of `calls`.
   */
  reads?: number[]
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
  /** A deterministic run's last clock reads (as in {@link CallStarted}), reported before the outcome. */
  reads?: number[]
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
  /** Tool calls the worker makes in its idle time to warm the call path (warm-up.ts; 0: none). */
  warmUpCalls: number
  /** Runs after which the worker, once idle, collects its garbage in full (heap-trim.ts; 0: never). */
  heapTrimRuns: number
  /** OS niceness of the worker thread (Linux), so the host's thread wins the CPU over sandboxes. */
  nice: number
  /** How long the worker polls for a tool result before it sleeps, in ms (0: never). See spin.ts. */
  spinMs: number
  /** The worker's end of the MessageChannel under the channel every message travels on (channel.ts). */
  port: MessagePort
  /** The channel's shared memory (channel.ts). */
  memory: SharedArrayBuffer
}

/** The clock both threads share (ms since the epoch, sub-ms precision). */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now()
}
