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
})
