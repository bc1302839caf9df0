/**
 * Worker side: warms the tool-call path while the worker is idle. A new worker's first thousands of
 * tool calls cost several times a warm one's (docs/sandbox.md#measurements-behind-the-design),
 * because V8 is still optimizing quickjs-emscripten's
 * glue and the WASM engine is still tiering up QuickJS. So, once, in the worker's idle time, throw-away
 * sandboxes run short loops of calls to a binding that is answered inside the worker (no host, no
 * real tool). A chunk starts only while no run is in progress and lasts a few milliseconds; nothing
 * of it is shared with any run (each chunk has its own fresh sandbox, freed after it).
 */
import type { Limits } from "../executor.js"
import type { PreparedSandbox } from "./prepared.js"
import { sharedNow, type WorkerToHost } from "./protocol.js"
import { SandboxRun } from "./sandbox-run.js"
import { prepareInPool } from "./spares.js"
import type { ModulePool } from "./wasm-modules.js"

/** Calls per chunk: a run that arrives meanwhile waits for at most one chunk (a few ms). */
const CHUNK_CALLS = 100

/**
 * Runs `js` in `sb` inside the worker, outside the host's view: tool calls are answered at once with
 * their own argument. Resolves with whether the run succeeded, once its sandbox is freed.
 */
export function runLocally(sb: PreparedSandbox, modules: ModulePool, js: string, names: readonly string[], limits: Limits): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let ok = false
    const run: SandboxRun = new SandboxRun(
      { t: "run", run: 0, js, names: [...names], limits, deadline: sharedNow() + limits.timeMs },
      {
        modules,
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
  const { modules } = options
  const limits: Limits = { ...options.limits, maxToolCalls: CHUNK_CALLS }
  let made = 0
  let over!: (calls: number) => void
  const result = new Promise<number>((resolve) => (over = resolve))
  const chunk = async (calls: number) => {
    const sb = await prepareInPool(modules, limits.memoryBytes, options.maxArgumentBytes)
    const js = `let s = 0; for (let i = 0; i < ${calls}; i++) s += (await codemode.warm.echo({ i })).i; return s`
    return runLocally(sb, modules, js, ["warm.echo"], limits)
  }
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
  setImmediate(next)
  return result
}
