/**
 * Worker side: warms the tool-call path while the worker is idle. A new worker's first thousands of
 * tool calls cost several times a warm one's (measured in-process, no threads: ≈ 120–180 µs per call
 * in the first 1,000 vs ≈ 15–30 µs after 3,000), because V8 is still optimizing quickjs-emscripten's
 * glue and the WASM engine is still tiering up QuickJS. So, once, in the worker's idle time, throw-away
 * sandboxes run short loops of calls to a binding that is answered inside the worker (no host, no
 * real tool). A chunk starts only while no run is in progress and lasts a few milliseconds; nothing
 * of it is shared with any run (each chunk has its own fresh sandbox, freed after it).
 */
import type { Limits } from "../executor.js"
import { prepareSandbox } from "./prepared.js"
import { sharedNow, type WorkerToHost } from "./protocol.js"
import { SandboxRun } from "./sandbox-run.js"
import type { ModulePool } from "./wasm-modules.js"

/** Calls per chunk: a run that arrives meanwhile waits for at most one chunk (a few ms). */
const CHUNK_CALLS = 100
const NAMES = ["warm.echo"]

export interface WarmUpOptions {
  /** Tool calls to make in all (0: no warm-up). */
  calls: number
  modules: ModulePool
  maxArgumentBytes: number
  limits: Limits
  /** Whether the worker has no run in progress. */
  idle(): boolean
}

/**
 * Starts the idle-time warm-up and returns at once; the promise tells how many calls were made when
 * it is over (fewer than asked if a chunk failed: the warm-up is only an optimization, so it stops).
 */
export function warmUpWhenIdle(options: WarmUpOptions): Promise<number> {
  let made = 0
  const limits: Limits = { ...options.limits, maxToolCalls: CHUNK_CALLS }
  let over!: (calls: number) => void
  const result = new Promise<number>((resolve) => (over = resolve))
  const next = () => {
    const calls = Math.min(CHUNK_CALLS, options.calls - made)
    if (calls <= 0) return over(made)
    if (!options.idle()) return void setTimeout(next, 5)
    chunk(calls).then(
      (ok) => {
        if (!ok) return over(made)
        made += calls
        setImmediate(next)
      },
      () => over(made),
    )
  }
  const chunk = async (calls: number): Promise<boolean> => {
    const module = await options.modules.acquire(limits.memoryBytes)
    const sb = prepareSandbox(module, options.maxArgumentBytes)
    return new Promise<boolean>((resolve) => {
      let ok = false
      const js = `let s = 0; for (let i = 0; i < ${calls}; i++) s += (await codemode.warm.echo({ i })).i; return s`
      const run: SandboxRun = new SandboxRun(
        { t: "run", run: 0, js, names: NAMES, limits, deadline: sharedNow() + limits.timeMs },
        {
          modules: options.modules,
          post: (msg: WorkerToHost) => {
            if (msg.t === "call") {
              const results = msg.calls.map((c) => ({ run: 0, call: c.call, ok: true, payload: c.json }))
              queueMicrotask(() => run.settle(results))
            } else if (msg.t === "done") ok = msg.ok
          },
          ended: () => resolve(ok),
        },
      )
      run.start(sb)
    })
  }
  setImmediate(next)
  return result
}
