import { describe, expect, it } from "vitest"
import { SpinGate, TurnBudget } from "../../src/sandbox/quickjs/spin.js"

describe("spin gate", () => {
  it("never spins with a zero budget", () => {
    expect(new SpinGate(0).sent(0)).toBe(false)
  })

  it("keeps spinning after one miss, backs off after misses in a row, and a quick answer to a spin ends the back-off", () => {
    const g = new SpinGate(0.1)
    expect(g.sent(0)).toBe(true)
    g.missed() // one miss: no back-off
    expect(g.sent(1)).toBe(true)
    g.missed() // second in a row: skip 1
    expect(g.sent(2)).toBe(false)
    expect(g.sent(3)).toBe(true)
    g.missed() // third: skip 3
    expect([g.sent(4), g.sent(5), g.sent(6), g.sent(7)]).toEqual([false, false, false, true])
    g.missed() // fourth: skip 7
    expect(g.sent(10)).toBe(false)
    g.answered(10.05, false) // quick, but this thread was asleep: the back-off goes on
    expect([g.sent(11), g.sent(12), g.sent(13), g.sent(14), g.sent(15), g.sent(16), g.sent(17)]).toEqual([false, false, false, false, false, false, true])
    g.answered(17.05, true) // a quick answer to a spin
    expect(g.sent(18)).toBe(true)
    g.missed() // one miss after the reset: no back-off
    expect(g.sent(19)).toBe(true)
  })
})

describe("turn budget", () => {
  it("allows a stretch up to its length, then again after a turn of the event loop", async () => {
    const t = new TurnBudget(2)
    expect(t.allows(100)).toBe(true)
    expect(t.allows(101.9)).toBe(true)
    expect(t.allows(102.1)).toBe(false)
    await new Promise((r) => setImmediate(r))
    expect(t.allows(500)).toBe(true)
  })

  it("in park mode starts a new stretch after parking once, without waiting for a turn", () => {
    const t = new TurnBudget(2, "park")
    expect(t.allows(100)).toBe(true)
    expect(t.allows(102.1)).toBe(false)
    expect(t.allows(102.2)).toBe(true)
    expect(t.allows(104.1)).toBe(true)
    expect(t.allows(104.3)).toBe(false)
  })

  it("in turn mode keeps refusing until the event loop turns", () => {
    const t = new TurnBudget(2)
    expect(t.allows(100)).toBe(true)
    expect(t.allows(102.1)).toBe(false)
    expect(t.allows(102.2)).toBe(false)
  })
})
