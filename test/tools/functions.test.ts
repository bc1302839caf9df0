import { describe, expect, expectTypeOf, it } from "vitest"
import * as z from "zod"
import { CodeModeError } from "../../src/errors.js"
import { defineFunction, functions } from "../../src/tools/functions.js"
import type { Tool } from "../../src/tools/tool.js"

async function toolsOf(source: ReturnType<typeof functions>): Promise<Record<string, Tool>> {
  return Object.fromEntries((await source.load()).map((t) => [t.name, t]))
}

describe("functions()", () => {
  it("turns zod definitions into tools with JSON Schemas and validated calls", async () => {
    const tools = await toolsOf(
      functions("app", {
        add: {
          description: "Adds two numbers",
          input: z.object({ a: z.number(), b: z.number().default(10) }),
          output: z.number(),
          annotations: { readOnlyHint: true },
          run: ({ a, b }) => a + b,
        },
      }),
    )
    const add = tools.add as Tool
    expect(add.namespace).toBe("app")
    expect(add.description).toBe("Adds two numbers")
    expect(add.annotations).toEqual({ readOnlyHint: true })
    expect(add.origin).toEqual({ kind: "functions", originalName: "add" })
    expect(add.inputSchema).toMatchObject({ type: "object", required: ["a"], properties: { a: { type: "number" } } })
    expect(add.outputSchema).toMatchObject({ type: "number" })
    expect(await add.call({ a: 1, b: 2 }, {})).toBe(3)
    expect(await add.call({ a: 1 }, {})).toBe(11) // default applied before run
  })

  it("rejects invalid input before run, naming the path and the expectation", async () => {
    let ran = false
    const tools = await toolsOf(
      functions("app", {
        order: {
          input: z.object({ items: z.array(z.object({ name: z.string(), qty: z.number().int().min(1) })) }),
          run: () => {
            ran = true
            return "ok"
          },
        },
      }),
    )
    const error = await (tools.order as Tool).call({ items: [{ name: "a", qty: 1 }, { name: 2, qty: 0 }] }, {}).catch((e: unknown) => e)
    expect(ran).toBe(false)
    expect(CodeModeError.is(error, "TOOL_INPUT_INVALID")).toBe(true)
    const message = (error as Error).message
    expect(message).toContain("[codemode] [app.order] invalid input")
    expect(message).toContain("at items[1].name: Invalid input: expected string, received number")
    expect(message).toContain("at items[1].qty: Too small")
  })

  it("validates plain JSON Schema input and output", async () => {
    const tools = await toolsOf(
      functions("kv", {
        get: {
          input: {
            type: "object",
            properties: { key: { type: "string", minLength: 1 }, mode: { enum: ["fast", "safe"] } },
            required: ["key"],
            additionalProperties: false,
          },
          output: { type: "object", properties: { value: { type: "string" } }, required: ["value"] },
          run: (args) => ((args as { key: string }).key === "bad" ? { value: 42 } : { value: "v" }),
        },
      }),
    )
    const get = tools.get as Tool
    expect(await get.call({ key: "k" }, {})).toEqual({ value: "v" })
    const missing = await get.call({}, {}).catch((e: unknown) => e)
    expect(CodeModeError.is(missing, "TOOL_INPUT_INVALID")).toBe(true)
    expect((missing as Error).message).toContain("at key:")
    const extra = await get.call({ key: "k", mode: "slow", other: 1 }, {}).catch((e: unknown) => e)
    expect((extra as Error).message).toMatch(/at mode: .*"fast"\|"safe"/)
    expect((extra as Error).message).toContain('Unrecognized key: "other"')
    const badOutput = await get.call({ key: "bad" }, {}).catch((e: unknown) => e)
    expect(CodeModeError.is(badOutput, "TOOL_OUTPUT_INVALID")).toBe(true)
    expect((badOutput as Error).message).toContain("[codemode] [kv.get] invalid output: at value:")
  })

  it("defaults to an empty argument object and accepts a call without arguments", async () => {
    const tools = await toolsOf(functions("app", { now: { run: () => "tick" } }))
    const now = tools.now as Tool
    expect(now.inputSchema).toEqual({ type: "object", properties: {}, additionalProperties: false })
    expect(await now.call(undefined, {})).toBe("tick")
    await expect(now.call({ surprise: 1 }, {})).rejects.toThrow(/Unrecognized key/)
  })

  it("wraps errors thrown by run as TOOL_CALL_FAILED with the tool name, keeping CodeModeErrors", async () => {
    const tools = await toolsOf(
      functions("app", {
        boom: { run: () => { throw new TypeError("disk on fire") } },
        typed: { run: () => { throw new CodeModeError("TOOL_TIMEOUT", "slow") } },
      }),
    )
    const error = await (tools.boom as Tool).call({}, {}).catch((e: unknown) => e)
    expect(CodeModeError.is(error, "TOOL_CALL_FAILED")).toBe(true)
    expect((error as Error).message).toBe("[codemode] [app.boom] disk on fire")
    expect((error as Error).cause).toBeInstanceOf(TypeError)
    await expect((tools.typed as Tool).call({}, {})).rejects.toMatchObject({ code: "TOOL_TIMEOUT" })
  })

  it("passes the call context (abort signal) to run", async () => {
    const controller = new AbortController()
    let seen: AbortSignal | undefined
    const tools = await toolsOf(functions("app", { f: { run: (_args, ctx) => { seen = ctx.signal; return 1 } } }))
    await (tools.f as Tool).call({}, { signal: controller.signal })
    expect(seen).toBe(controller.signal)
  })

  it("mangles keys that are not identifiers and keeps the original name", async () => {
    const tools = await (functions("app", { "get-user": { run: () => 1 }, get_user: { run: () => 2 } })).load()
    expect(tools.map((t) => [t.name, t.origin?.originalName])).toEqual([["get_user", "get-user"], ["get_user_2", "get_user"]])
  })

  it("fails fast on bad configuration with CONFIG_INVALID", () => {
    expect(() => functions("not valid", {})).toThrow(/namespace "not valid" is not a valid identifier/)
    expect(() => functions("app", { f: { input: z.string(), run: () => 1 } })).toThrow(/input must be an object schema/)
    expect(() => functions("app", { f: { input: { type: "object", properties: { a: { $ref: "#/nope" } } }, run: () => 1 } })).toThrow(
      /\[app\.f\] input schema cannot be used: Reference not found/,
    )
    // @ts-expect-error run is required
    expect(() => functions("app", { f: { input: z.object({}) } })).toThrow(/"f"\.run must be a function/)
  })

  it("infers run's argument type from a zod input schema", () => {
    functions("app", {
      greet: { input: z.object({ name: z.string() }), run: ({ name }) => { expectTypeOf(name).toEqualTypeOf<string>(); return name } },
    })
    const def = defineFunction({ input: z.object({ n: z.number() }), run: ({ n }) => n * 2 })
    expectTypeOf(def.run).parameter(0).toEqualTypeOf<{ n: number }>()
  })
})
