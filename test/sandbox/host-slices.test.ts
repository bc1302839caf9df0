import { describe, expect, it } from "vitest"
import { createHostSlicer } from "../../src/sandbox/quickjs/host-slices.js"

const busy = (ms: number) => {
  const until = performance.now() + ms
  while (performance.now() < until);
}

describe("createHostSlicer", () => {
  it("runs small jobs at once, in order", () => {
    const slice = createHostSlicer(4)
    const seen: number[] = []
    for (let i = 0; i < 100; i++) slice(() => seen.push(i))
    expect(seen).toEqual([...Array(100).keys()])
  })

  it("defers what is left once a turn has spent its budget, so other work of the event loop runs between", async () => {
    const slice = createHostSlicer(4)
    const seen: string[] = []
    // Each job takes longer than the budget: one job per turn of the event loop.
    for (let i = 0; i < 4; i++) slice(() => (busy(5), seen.push(`job ${i}`)))
    expect(seen).toEqual(["job 0"])
    setImmediate(() => seen.push("other work"))
    for (let turns = 0; turns < 100 && seen.length < 5; turns++) await new Promise((resolve) => setImmediate(resolve))
    expect(seen).toEqual(["job 0", "job 1", "other work", "job 2", "job 3"])
  })

  it("goes on with the next job when one throws", () => {
    const slice = createHostSlicer(4)
    const seen: number[] = []
    expect(() => slice(() => { throw new Error("boom") })).toThrow("boom")
    slice(() => seen.push(1))
    expect(seen).toEqual([1])
  })
})
