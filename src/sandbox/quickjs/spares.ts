/**
 * Worker side: keeps one prepared sandbox ready (for the memory limit last asked for), so a run
 * starts on a runtime + context + prelude that already exist. A spare is never reused: each one is
 * handed to exactly one run, and a new one is prepared while that run waits for its tools.
 */
import { disposeSandbox, prepareSandbox, type PreparedSandbox } from "./prepared.js"
import type { ModulePool } from "./wasm-modules.js"

export interface Spares {
  /** A fresh sandbox for a run with this memory limit: the spare when it fits, else a new one. */
  take(memoryBytes: number): PreparedSandbox | Promise<PreparedSandbox>
  /** Prepares the next spare soon (after the current event), off the run's critical path. */
  refillSoon(): void
}

export function createSpares(modules: ModulePool, maxArgumentBytes: number, firstLimit: number): Spares {
  let spare: { limit: number; sb: PreparedSandbox } | undefined
  let limit = firstLimit
  let scheduled = false

  const prepare = async (memoryBytes: number) => {
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
  const drop = (sb: PreparedSandbox) => {
    if (!disposeSandbox(sb)) modules.retire(sb.module)
    modules.release(sb.module)
  }

  const spares: Spares = {
    take(memoryBytes) {
      limit = memoryBytes
      const s = spare
      spare = undefined
      if (s && s.limit === memoryBytes && !s.sb.module.retired) return s.sb
      if (s) drop(s.sb)
      return prepare(memoryBytes)
    },
    refillSoon() {
      if (scheduled) return
      scheduled = true
      setImmediate(() => {
        scheduled = false
        if (spare) return
        const want = limit
        prepare(want).then(
          (sb) => {
            if (spare) drop(spare.sb)
            spare = { limit: want, sb }
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
