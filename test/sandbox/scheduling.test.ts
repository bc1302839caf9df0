/**
 * Where runs go and when spares are made: sequential runs alternate between workers, and a worker
 * prepares its next sandbox only while it has no run in progress (preparing one holds the thread
 * for about a millisecond, and a waiting run's tool result would sit behind it).
 */
import { describe, expect, it } from "vitest"
import { DEFAULT_LIMITS } from "../../src/sandbox/executor.js"
import { pickSlot, REST_MS, type SlotState } from "../../src/sandbox/quickjs/pool.js"
import { createSpares } from "../../src/sandbox/quickjs/spares.js"
import { warmUpWhenIdle } from "../../src/sandbox/quickjs/warm-up.js"
import { createModulePool } from "../../src/sandbox/quickjs/wasm-modules.js"

const MiB = 1 << 20

describe("pickSlot", () => {
  const slot = (ready: boolean, idleSince: number, load = 0) => ({ ready, idleSince, load })
  const pick = (slots: (SlotState & { load: number })[], now = 100) => slots.indexOf(pickSlot(slots, (s) => s.load, now))

  it("takes the least busy slot first", () => {
    expect(pick([slot(true, 0, 2), slot(true, 5, 1), slot(false, 9, 3)])).toBe(1)
  })

  it("among equally busy slots, prefers a worker that is up", () => {
    expect(pick([slot(false, 0), slot(true, 50)])).toBe(1)
  })

  it("prefers a worker that has rested since its last run (its spare is ready), the most recently used of those", () => {
    const now = 100
    expect(pick([slot(true, now - REST_MS / 2), slot(true, now - 2 * REST_MS)], now)).toBe(1)
    expect(pick([slot(true, now - 3 * REST_MS), slot(true, now - 2 * REST_MS), slot(true, -Infinity)], now)).toBe(1)
  })

  it("when none has rested, takes the one idle the longest", () => {
    const now = 100
    expect(pick([slot(true, now - REST_MS / 2), slot(true, now - REST_MS / 4)], now)).toBe(0)
  })

  it("alternates back-to-back runs between two workers and keeps runs with pauses on one", () => {
    const order = (gapMs: number) => {
      const slots = [slot(true, -Infinity), slot(true, -Infinity)]
      const seen: number[] = []
      let now = 0
      for (let i = 0; i < 4; i++) {
        now += gapMs
        const s = pickSlot(slots, (x) => x.load, now)
        seen.push(slots.indexOf(s))
        now += REST_MS / 4 // the run
        s.idleSince = now
      }
      return seen
    }
    expect(order(0)).toEqual([0, 1, 0, 1])
    expect(order(REST_MS * 2)).toEqual([0, 0, 0, 0])
  })
})

describe("spares", () => {
  const next = () => new Promise((r) => setImmediate(r))
  const req = { memoryBytes: 16 * MiB, names: ["demo.echo"], outputBudget: DEFAULT_LIMITS.maxOutputBytes, maxToolCalls: DEFAULT_LIMITS.maxToolCalls }

  it("prepares the next sandbox only while the worker is idle", async () => {
    const modules = createModulePool({ slackBytes: 16 * MiB, retireBytes: 48 * MiB })
    let idle = false
    const spares = createSpares(modules, MiB, req, () => idle)
    spares.refillSoon()
    await next()
    await next()
    const busy = spares.take(req)
    expect(busy).toBeInstanceOf(Promise) // nothing was prepared while a run was in progress
    await busy

    idle = true
    spares.refillSoon()
    await next()
    await next()
    const ready = spares.take(req)
    expect(ready).not.toBeInstanceOf(Promise)
    if (ready instanceof Promise) return
    expect(ready.initKey).toContain("demo.echo") // initialized ahead for the last run's bindings
  })
})

describe("idle-time warm-up", () => {
  it("makes its calls only while the worker is idle, in chunks, then stops", async () => {
    const modules = createModulePool({ slackBytes: 16 * MiB, retireBytes: 48 * MiB })
    let idle = false
    let chunksWhileBusy = 0
    const done = warmUpWhenIdle({
      calls: 250,
      modules,
      maxArgumentBytes: MiB,
      limits: { ...DEFAULT_LIMITS, timeMs: 10_000 },
      idle: () => {
        if (!idle) chunksWhileBusy++
        return idle
      },
    })
    await new Promise((r) => setTimeout(r, 30))
    expect(chunksWhileBusy).toBeGreaterThan(0) // it asked, and waited
    idle = true
    expect(await done).toBe(250)
  })
})
