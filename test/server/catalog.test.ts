import { countTokens } from "gpt-tokenizer"
import { describe, expect, it } from "vitest"
import { z } from "zod"
import { createCatalog, createCatalogCache } from "../../src/runtime/catalog.js"
import { functions } from "../../src/tools/functions.js"
import type { Tool } from "../../src/tools/tool.js"

async function mathTools(): Promise<Tool[]> {
  return functions("math", {
    add: { description: "Add two numbers.", input: z.object({ a: z.number(), b: z.number() }), run: ({ a, b }) => a + b },
    negate: { description: "Negate a number.", input: z.object({ x: z.number() }), run: ({ x }) => -x },
  }).load()
}

describe("catalog", () => {
  it("hands small catalogs over whole and searches big ones", async () => {
    const tools = await mathTools()
    const small = createCatalog(tools)
    expect(small.mode).toBe("execute")
    expect(small.declarations).toContain("function add(args: AddArgs): Promise<unknown>")
    expect(small.namespaces).toEqual([{ name: "math", tools: 2 }])
    expect(small.declarationTokens).toBe(countTokens(small.declarations ?? ""))
    expect(small.fullDeclarations()).toBe(small.declarations)
    expect(small.fullTokens()).toBe(small.declarationTokens)
    const tight = createCatalog(tools, { tokenBudget: 15 })
    expect(tight.mode).toBe("search")
    expect(tight.declarations).toBeUndefined()
    expect(tight.fullTokens()).toBeGreaterThan(15)
    const [hit] = tight.search("negate a number")
    expect(hit?.name).toBe("codemode.math.negate")
    expect(hit?.signature).toContain("function negate(")
  })

  it("is rebuilt only when the tool objects change", async () => {
    let tools = await mathTools()
    const cache = createCatalogCache(() => tools)
    const first = cache.current()
    expect(cache.current()).toBe(first)
    tools = [...tools]
    expect(cache.current()).toBe(first)
    tools = await mathTools()
    expect(cache.current()).not.toBe(first)
  })
})
