/**
 * Worker side: keeps one prepared sandbox ready (for the memory limit last asked for), so a run
 * starts on a runtime + context + prelude that already exist. The spare is also initialized ahead
 * with the last run's binding names and output budget, so a run with the same ones (the usual case:
 * one executor, one tool set) skips that step too; a run with others re-initializes it. After a
 * deterministic run the spare also gets determinism.ts's installer compiled (not called: no state,
 * each run installs its own seed and clock at its start). A spare is never reused: each one is
 * handed to exactly one run, and a new one is prepared after that run.
 */
import { compileInstaller } from "./determinism.js"
import { disposeSandbox, initSandbox, prepareSandbox, type InitRequest, type PreparedSandbox } from "./prepared.js"
import type { ModulePool } from "./wasm-modules.js"

/** What a run needs its sandbox to be prepared for. */
export interface SpareRequest extends InitRequest {
  memoryBytes: number
  /** The run is deterministic: the spare after it gets determinism.ts's installer compiled ahead. */
  deterministic?: boolean
}

export interface Spares {
  /** A fresh sandbox for a run with this memory limit: the spare when it fits, else a new one. */
  take(req: SpareRequest): PreparedSandbox | Promise<PreparedSandbox>
  /**
   * Prepares the next spare soon (after the current event), off the run's critical path, if the
   * worker is idle then; call it again when the worker's last run ends.
   */
  refillSoon(): void
}

/**
 * A new prepared sandbox in a module of `modules` with this memory limit; on failure the module is
 * retired and released.
 */
export async function prepareInPool(modules: ModulePool, memoryBytes: number, maxArgumentBytes: number): Promise<PreparedSandbox> {
  const m = await modules.acquire(memoryBytes)
  m.allowGrowth = undefined // growth while preparing is charged to no run (the module cap holds)
  try {
    return prepareSandbox(m, maxArgumentBytes)
  } catch (err) {
    modules.retire(m)
    modules.release(m)
    throw err
  }
}

/**
 * @param idle whether the worker has no run in progress: a spare is prepared only then, because
 *   preparing one holds the thread for a while and a waiting run's tool result would wait behind it.
 */
export function createSpares(modules: ModulePool, maxArgumentBytes: number, first: SpareRequest, idle: () => boolean): Spares {
  let spare: { limit: number; sb: PreparedSandbox } | undefined
  let last = first
  let scheduled = false

  const prepare = (memoryBytes: number) => prepareInPool(modules, memoryBytes, maxArgumentBytes)
  const drop = (sb: PreparedSandbox) => {
    if (!disposeSandbox(sb)) modules.retire(sb.module)
    modules.release(sb.module)
  }

  const spares: Spares = {
    take(req) {
      last = req
      const s = spare
      spare = undefined
      if (s && s.limit === req.memoryBytes && !s.sb.module.retired) return s.sb
      if (s) drop(s.sb)
      return prepare(req.memoryBytes)
    },
    refillSoon() {
      if (scheduled) return
      scheduled = true
      setImmediate(() => {
        scheduled = false
        if (spare || !idle()) return
        const want = last
        prepare(want.memoryBytes).then(
          (sb) => {
            try {
              initSandbox(sb, want)
              if (want.deterministic) compileInstaller(sb)
            } catch {
              // Not initialized ahead: the run that takes it initializes it (and reports failures).
            }
            if (spare) drop(spare.sb)
            spare = { limit: want.memoryBytes, sb }
          },
          () => {
            // A failed spare is not an error: the next run prepares its own and reports failures.
          },
        )
      })
    },
  }
  return spares
}
