/**
 * The default sandbox backend: QuickJS (quickjs-emscripten) in a pool of worker threads.
 *
 * Each run gets a fresh QuickJS runtime + context; untrusted code never runs on the host's thread.
 * See docs/sandbox.md for the design, limits and measured figures.
 */
import { availableParallelism } from "node:os"
import { codemodeError } from "../../errors.js"
import { DEFAULT_LIMITS, type Bindings, type Determinism, type Executor, type Limits, type RunOutcome } from "../executor.js"
import type { Pool } from "./pool.js"

const NAME = "quickjs"
const MiB = 1024 * 1024

export interface QuickJSOptions {
  /** Worker threads running sandboxes. Default: `min(2, os.availableParallelism())`. */
  poolSize?: number
  /**
   * How long past a run's time limit the host waits before terminating its worker thread (the
   * thread is stuck in a long native call between two interrupt polls). Default: 50 ms.
   */
  watchdogGraceMs?: number
  /** Native stack of each worker thread, in MiB; `limits.stackBytes` must fit well inside. Default: 32. */
  workerStackMb?: number
  /**
   * Max JSON characters of one tool argument leaving the sandbox. The host parses arguments on its
   * own thread, so this bounds how long one call can hold it. Default: 1 MiB.
   */
  maxArgumentBytes?: number
  /** Max JSON characters of one tool result entering the sandbox. Default: 16 MiB. */
  maxTransferBytes?: number
}

/**
 * The executor's tuning knobs, measured on the benchmarks (`npm run bench`) and internal: reached
 * through src/internal.ts, not the package's exports.
 */
export interface QuickJSTuning {
  /**
   * Most V8 may grow each worker thread's young generation (recently created objects) to, in MiB:
   * three times its semi-space. Left alone, V8 doubles a busy worker's semi-spaces from 8 to 16 MiB
   * after a few thousand runs, +16 MiB of RSS per worker that it does not give back. Default: 24
   * (8 MiB semi-spaces).
   */
  workerYoungGenerationMb?: number
  /**
   * Bytes a shared, capped WASM module may hold beyond one run's memory limit (other live runs,
   * QuickJS's fixed data). The module's hard cap is `limits.memoryBytes + moduleSlackBytes`.
   * Default: 32 MiB.
   */
  moduleSlackBytes?: number
  /** A module whose heap grew beyond this is replaced once its runs end, returning the memory. Default: 48 MiB. */
  moduleRetireBytes?: number
  /**
   * OS niceness (0–19) of sandbox worker threads on Linux: above 0 the host's own thread wins the
   * CPU when sandboxes compute on a machine with fewer free cores than threads. 0 (the default)
   * leaves the priority alone: a lower-priority worker that shares a core with the host's spinning
   * thread gets the CPU only when the host parks, which made tool calls slower
   * (docs/sandbox.md#measurements-behind-the-design).
   */
  workerNice?: number
  /**
   * How long, in µs, the host thread polls for a worker's next message after sending it a tool
   * result, instead of sleeping at once. On a VM, waking a sleeping thread costs both threads more
   * than a quick tool call itself (docs/sandbox.md#measurements-behind-the-design). Polling yields to microtasks (bindings keep
   * settling), backs off when answers are slow, and never holds the event loop more than 2 ms in a
   * row. 0 turns it off. Default: 100.
   */
  hostSpinUs?: number
  /**
   * How long, in µs, a worker thread polls for tool results before sleeping, while a run waits for
   * them (back-off as above; at most 10 ms without a turn of the worker's event loop). 0 turns it
   * off. Default: 200.
   */
  workerSpinUs?: number
  /**
   * Tool calls each worker makes once, in its idle time, to a binding answered inside the worker, so
   * that V8 and the WASM engine optimize the tool-call path before real runs need it (a new worker's
   * first thousands of calls are several times slower). A chunk starts only while the worker has no
   * run and lasts a few milliseconds. 0 turns it off. Default: 3,000.
   */
  warmUpCalls?: number
  /**
   * After this many runs, a worker thread collects its V8 garbage in full at its next moment without
   * a run (tens of ms of idle time on a loaded 2-core VM; a run arriving meanwhile waits). Under a
   * steady stream of runs V8 would let a worker's heap grow to two or three times what is live and
   * keep those pages. 0 turns it off. Default: 200.
   */
  heapTrimRuns?: number
}

/** {@link quickjs}'s options with the tuning knobs. */
export type TunedQuickJSOptions = QuickJSOptions & QuickJSTuning

/** Defaults of {@link TunedQuickJSOptions} (poolSize depends on the machine). */
export const QUICKJS_DEFAULTS = Object.freeze({
  watchdogGraceMs: 50,
  workerStackMb: 32,
  workerYoungGenerationMb: 24,
  moduleSlackBytes: 32 * MiB,
  moduleRetireBytes: 48 * MiB,
  maxArgumentBytes: MiB,
  maxTransferBytes: 16 * MiB,
  workerNice: 0,
  hostSpinUs: 100,
  workerSpinUs: 200,
  warmUpCalls: 3000,
  heapTrimRuns: 200,
})

/**
 * Memory a run may make the host grow by beyond `limits.memoryBytes` before it is stopped: the
 * capped module's slack plus QuickJS's fixed ~5.2 MiB per module. For tests and docs.
 */
export function quickjsMemoryOverhead(options: TunedQuickJSOptions = {}): number {
  return (options.moduleSlackBytes ?? QUICKJS_DEFAULTS.moduleSlackBytes) + 6 * MiB
}

/**
 * Creates the QuickJS executor. Worker threads and the WASM module load lazily on the first run.
 *
 * @example
 * const sandbox = quickjs()
 * const out = await sandbox.run("return (await codemode.demo.echo({ n: 1 })).n + 1",
 *   { "demo.echo": async (args) => args }, DEFAULT_LIMITS)
 * // out.ok === true, out.value === 2
 * await sandbox.dispose()
 */
export function quickjs(options: QuickJSOptions = {}): Executor {
  return tunedQuickjs(options)
}

/** {@link quickjs} with the tuning knobs (benchmarks, tests). */
export function tunedQuickjs(options: TunedQuickJSOptions = {}): Executor {
  const opts = { ...QUICKJS_DEFAULTS, poolSize: Math.min(2, availableParallelism()), ...options }
  for (const [key, value] of Object.entries(opts)) {
    const min = key === "workerNice" || key === "warmUpCalls" || key === "heapTrimRuns" || key.endsWith("SpinUs") ? 0 : Number.MIN_VALUE
    if (typeof value !== "number" || !(value >= min) || !Number.isFinite(value)) {
      throw codemodeError("CONFIG_INVALID", NAME, `option ${key} must be a ${min === 0 ? "non-negative" : "positive"} number, got ${String(value)}`)
    }
  }
  let pool: Promise<Pool> | undefined
  let closed = false
  // The pool's modules load with the first run, not with `import "codemode"`.
  const getPool = () =>
    (pool ??= import("./pool.js").then(({ createPool }) => createPool({
      size: Math.floor(opts.poolSize),
      graceMs: opts.watchdogGraceMs,
      resourceLimits: { stackSizeMb: opts.workerStackMb, maxYoungGenerationSizeMb: opts.workerYoungGenerationMb },
      maxTransferBytes: opts.maxTransferBytes,
      spinMs: opts.hostSpinUs / 1000,
      config: {
        moduleSlackBytes: opts.moduleSlackBytes,
        moduleRetireBytes: opts.moduleRetireBytes,
        maxArgumentBytes: opts.maxArgumentBytes,
        warmMemoryBytes: DEFAULT_LIMITS.memoryBytes,
        nice: Math.min(19, Math.floor(opts.workerNice)),
        spinMs: opts.workerSpinUs / 1000,
        warmUpCalls: Math.floor(opts.warmUpCalls),
        heapTrimRuns: Math.floor(opts.heapTrimRuns),
      },
    })))

  return {
    name: NAME,
    async run(js: string, bindings: Bindings, limits: Limits, signal?: AbortSignal, determinism?: Determinism): Promise<RunOutcome> {
      if (closed) throw codemodeError("CLOSED", NAME, "run() was called after dispose(); create a new executor")
      checkLimits(limits, opts.workerStackMb)
      if (typeof js !== "string") throw codemodeError("CONFIG_INVALID", NAME, "run(js): js must be a string")
      if (determinism !== undefined) checkDeterminism(determinism)
      return (await getPool()).run(js, bindings, limits, signal, determinism)
    },
    async dispose() {
      closed = true
      await (await pool)?.dispose()
    },
  }
}

function checkDeterminism(d: Determinism): void {
  const bad = (what: string) => codemodeError("CONFIG_INVALID", NAME, `determinism.${what}`)
  if (typeof d !== "object" || d === null) throw codemodeError("CONFIG_INVALID", NAME, "determinism must be an object")
  if (!Number.isInteger(d.seed) || d.seed < 0 || d.seed > 0xffff_ffff) throw bad(`seed must be an unsigned 32-bit integer, got ${String(d.seed)}`)
  const { clock } = d
  if (!Array.isArray(clock)) throw bad("clock must be an array of finite numbers")
  for (let i = 0; i < clock.length; i++) if (!Number.isFinite(clock[i])) throw bad(`clock[${i}] must be a finite number, got ${String(clock[i])}`)
  if (typeof d.onClock !== "function") throw bad("onClock must be a function")
}

function checkLimits(limits: Limits, workerStackMb: number): void {
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const v = limits?.[key]
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
      throw codemodeError("CONFIG_INVALID", NAME, `limits.${key} must be a positive number, got ${String(v)}`)
    }
  }
  if (limits.stackBytes > (workerStackMb * MiB) / 4) {
    throw codemodeError(
      "CONFIG_INVALID",
      NAME,
      `limits.stackBytes (${limits.stackBytes}) must be at most a quarter of the worker stack (workerStackMb = ${workerStackMb}); raise workerStackMb`,
    )
  }
}
