/**
 * The typecheck before a run: modes, what a type failure says (position in the model's code,
 * TypeScript's message, the tool's signature, the `await` hint), what is never blocked, and
 * budgets (programs whose types make the checker spin or grow stop the worker, not the host).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as z from "zod"
import { resolveTypecheck } from "../../src/code/typecheck/options.js"
import { createTypechecker } from "../../src/code/typecheck/checker.js"
import { createCodeMode, type CodeMode } from "../../src/runtime/codemode.js"
import { formatExecuteResult } from "../../src/runtime/shape.js"
import { functions } from "../../src/tools/functions.js"
import type { Tool } from "../../src/tools/tool.js"

const Item = z.object({ id: z.number().int(), name: z.string(), price: z.number() })

function shop(bought: number[]) {
  return functions("shop", {
    list: {
      description: "Items for sale.",
      input: z.object({ category: z.string().optional() }),
      output: z.array(Item),
      run: () => [{ id: 1, name: "apple", price: 120 }],
    },
    buy: {
      description: "Buys an item.",
      input: z.object({ id: z.number().int(), quantity: z.number().int() }),
      output: z.object({ ok: z.boolean(), total: z.number() }),
      run: ({ id, quantity }) => (bought.push(id), { ok: true, total: quantity * 120 }),
    },
    note: { description: "Anything; the result is not described.", input: z.object({ text: z.string() }), run: ({ text }) => ({ text, at: 1 }) },
  })
}

/** 1,000 × 1,000 distinct template literal types compared one by one: seconds and hundreds of MB. */
const GRID = (digits: number) => `type D = 0|1|2|3|4|5|6|7|8|9
type K = \`${"${D}".repeat(digits)}\`
type Table = { [k in K]: { [j in K]: \`\${k}-\${j}\` } }
const t = null as unknown as Table
const b: { [k in K]: { [j in K]: string } } = t
return await codemode.shop.list({})`

describe("typecheck before a run", () => {
  const bought: number[] = []
  let cm: CodeMode
  beforeAll(async () => {
    cm = await createCodeMode({ sources: [shop(bought)] })
  })
  afterAll(async () => cm?.close())

  it("fails a program with a forgotten await before any call is made, at the model's line and column", async () => {
    const result = await cm.execute("await codemode.shop.buy({ id: 1, quantity: 1 })\nconst items = codemode.shop.list({})\nreturn items.map((i) => i.name)")
    expect(result.status).toBe("failed")
    expect(result.calls).toEqual([]) // nothing ran: buy() was not called
    expect(bought).toEqual([])
    expect(result.error).toMatchObject({
      kind: "type",
      line: 3,
      column: 14,
      message: "Property 'map' does not exist on type 'Promise<ListResult>'. Did you forget `await`?",
      excerpt: "  2 | const items = codemode.shop.list({})\n> 3 | return items.map((i) => i.name)\n    |              ^",
    })
    expect(result.error?.diagnostics?.[0]).toMatchObject({ code: 2339, tool: "shop.list" })
    expect(result.error?.diagnostics?.[0]?.signature).toContain("function list(args?: ListArgs): Promise<ListResult>")
  })

  it("names the argument that is wrong and shows the tool's signature to the model", async () => {
    const result = await cm.execute("const r = await codemode.shop.buy({ id: '1', quantity: 2 })\nreturn r.total")
    expect(result.error?.diagnostics).toEqual([
      expect.objectContaining({ line: 1, column: 37, code: 2322, message: "Type 'string' is not assignable to type 'number'.", tool: "shop.buy" }),
    ])
    const text = formatExecuteResult(result).text
    expect(text).toContain("type error at line 1, column 37: Type 'string' is not assignable to type 'number'. (TS2322)")
    expect(text).toContain("codemode.shop.buy:\ndeclare namespace codemode.shop {")
    expect(text).toContain("function buy(args: BuyArgs): Promise<BuyResult>")
    expect(text).toMatch(/Nothing ran\./)
  })

  it("lists the tools of a namespace when the program calls one that does not exist", async () => {
    const result = await cm.execute("return await codemode.shop.purchase({ id: 1 })")
    expect(result.error?.message).toBe("Property 'purchase' does not exist on type 'typeof shop'. Tools in shop: list, buy, note.")
  })

  it("does not block what works at run time: results of unknown type, expando objects, reassignment, coercion, annotations", async () => {
    const js = await cm.execute(`
      const n = await codemode.shop.note({ text: "x" })
      const seen = {}
      seen.count = n.at + 1
      let label = 1
      label = "one"
      const days = (new Date() - new Date(0)) / 864e5 > 0
      try { await codemode.shop.buy({ id: 2, quantity: 1 }) } catch (e) { console.log(e.message) }
      return [seen.count, n.text, label, days]`)
    expect(js).toMatchObject({ status: "done", value: [2, "x", "one", true] })
    const ts = await cm.execute(`
      interface Row { name: string; cost: number }
      const items: Row[] = (await codemode.shop.list({})) as any
      const total: Totals = { sum: 0 }
      const byName: Record<string, number> = {}
      for (const i of items) byName[i.name] = (byName[i.name] ?? 0) + 1
      function twice(x: number) { return x * 2 }
      return [twice("3" as any), Object.keys(byName).length, total.sum]`)
    expect(ts).toMatchObject({ status: "done", value: [6, 1, 0] })
    expect(bought).toEqual([2])
  })

  it('mode "warn" runs the program and attaches the diagnostics; "off" does not check', async () => {
    const code = "const r = await codemode.shop.list({})\nreturn r.length + (r.size ?? 1)"
    const warned = await cm.execute(code, { typecheck: "warn" })
    expect(warned).toMatchObject({ status: "done", value: 2 })
    expect(warned.diagnostics).toEqual([expect.objectContaining({ line: 2, column: 22, code: 2339, message: "Property 'size' does not exist on type 'ListResult'." })])
    expect(formatExecuteResult(warned).text).toContain("The program ran, but the typecheck found:\ntype error at line 2, column 22")
    const off = await cm.execute(code, { typecheck: "off" })
    expect(off.status).toBe("done")
    expect(off.diagnostics).toBeUndefined()
  })

  it("check() reports syntax errors with TypeScript's code and position", async () => {
    const report = await cm.check("const items = await codemode.shop.list({}\nreturn items")
    expect(report.status).toBe("failed")
    expect(report.diagnostics.map(({ line, column, code, message }) => ({ line, column, code, message }))).toEqual([
      { line: 2, column: 1, code: 1005, message: "',' expected." },
    ])
    expect((await cm.check("```ts\nconst n: number = (await codemode.shop.list({})).length\nreturn n\n```")).status).toBe("passed")
  })
})

describe("typecheck budgets", () => {
  let tools: Tool[]
  beforeAll(async () => {
    tools = await shop([]).load()
  })

  it("a check over its time budget is stopped; the host keeps running and the next check works", { timeout: 180_000 }, async () => {
    const checker = createTypechecker({ timeMs: 1_500, memoryBytes: 1024 * 1024 * 1024 })
    try {
      expect((await checker.check("return 1", false, tools)).status).toBe("passed") // loads the catalog first
      let ticks = 0
      const timer = setInterval(() => ticks++, 10)
      const report = await checker.check(GRID(3), true, tools)
      clearInterval(timer)
      expect(report).toMatchObject({ status: "skipped", overBudget: true, reason: "the check took more than its time budget (1500 ms)" })
      expect(ticks).toBeGreaterThan(10) // the host's event loop went on meanwhile
      const next = await checker.check("const r = await codemode.shop.list({})\nreturn r.nope", false, tools)
      expect(next.diagnostics.map((d) => d.code)).toEqual([2339])
    } finally {
      await checker.close()
    }
  })

  it("a check over its memory budget is stopped by the heap limit of the checker's process", { timeout: 180_000 }, async () => {
    const checker = createTypechecker({ timeMs: 120_000, memoryBytes: 256 * 1024 * 1024 })
    try {
      const report = await checker.check(GRID(4), true, tools)
      expect(report).toMatchObject({ status: "skipped", overBudget: true, reason: "the checker went over its memory budget (256 MiB)" })
      expect((await checker.check("return (await codemode.shop.list({})).length", false, tools)).status).toBe("passed")
    } finally {
      await checker.close()
    }
  })

  it('over budget, the run goes ahead with a warning, or fails with onOverBudget "fail"', { timeout: 180_000 }, async () => {
    const run = await createCodeMode({ sources: [shop([])], typecheck: { timeMs: 1_000 } })
    const fail = await createCodeMode({ sources: [shop([])], typecheck: { timeMs: 1_000, onOverBudget: "fail" } })
    try {
      const ran = await run.execute(GRID(3))
      expect(ran.status).toBe("done")
      expect(ran.warnings).toEqual(["the program was not typechecked: the check took more than its time budget (1000 ms)"])
      const failed = await fail.execute(GRID(3))
      expect(failed.error).toEqual({
        kind: "type",
        message: 'the program was not typechecked: the check took more than its time budget (1000 ms) (typecheck.onOverBudget is "fail", so it did not run)',
      })
      expect(failed.calls).toEqual([])
    } finally {
      await run.close()
      await fail.close()
    }
  })
})

describe("typecheck options", () => {
  it('defaults to "error" where there are declarations and "off" where there are none', () => {
    expect(resolveTypecheck(undefined, true)).toEqual({ mode: "error", timeMs: 5_000, memoryBytes: 1024 * 1024 * 1024, onOverBudget: "run" })
    expect(resolveTypecheck(undefined, false).mode).toBe("off")
    expect(resolveTypecheck("warn", true).mode).toBe("warn")
    expect(() => resolveTypecheck({ mode: "strict" as "error" }, true)).toThrow(/typecheck mode must be one of error, warn, off/)
    expect(() => resolveTypecheck({ timeMs: -1 }, true)).toThrow(/typecheck timeMs must be a positive number/)
  })
})
