import { describe, expect, it } from "vitest"
import { memoryStore } from "../../src/store/memory.js"
import { testStore } from "./store-suite.js"

testStore("memory", () => memoryStore())

describe("memory store", () => {
  it("keeps each store's entries to itself", async () => {
    const a = memoryStore()
    const b = memoryStore()
    await a.set("k", "a")
    expect(await b.get("k")).toBeUndefined()
    expect(await b.add("k", "b")).toBe(true)
    expect(await a.get("k")).toBe("a")
  })

  it("drops expired entries nobody reads again as later writes go on", async () => {
    const store = memoryStore()
    for (let i = 0; i < 50; i++) await store.set(`runs/r${i}`, "x".repeat(1000), { ttlMs: 1 })
    await new Promise((resolve) => setTimeout(resolve, 10))
    for (let i = 0; i < 20; i++) await store.set(`live/${i}`, "y")
    expect(store.size()).toBe(20)
    expect(await store.keys("")).toHaveLength(20)
  })
})
