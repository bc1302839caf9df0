/** createCodeMode end to end with the real default executor (QuickJS in worker threads). */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as z from "zod"
import { createCodeMode, type CodeMode } from "../../src/runtime/codemode.js"
import { demoSource } from "../../src/tools/demo.js"
import { functions } from "../../src/tools/functions.js"

let cm: CodeMode
let slowCalls = 0
beforeAll(async () => {
  cm = await createCodeMode({
    sources: [
      demoSource(),
      functions("host", {
        fail: { input: z.object({ why: z.string() }), run: ({ why }) => { throw new Error(why) } },
        slow: {
          run: (_args, ctx) =>
            new Promise<string>((resolve, reject) => {
              slowCalls++
              const timer = setTimeout(() => resolve("late"), 5_000)
              ctx.signal?.addEventListener("abort", () => { clearTimeout(timer); reject(new Error("cancelled")) }, { once: true })
            }),
        },
      }),
    ],
    limits: { timeMs: 10_000 },
  })
})
afterAll(async () => {
  await cm.close()
})

describe("execute with the QuickJS sandbox", () => {
  it("runs the demo program: value, logs and the call trace", async () => {
    const { DEMO_PROGRAM } = await import("../../src/tools/demo.js")
    const result = await cm.execute(DEMO_PROGRAM)
    expect(result.error, JSON.stringify(result.error)).toBeUndefined()
    expect(result.value).toEqual({ open: ["pack the bag", "water the plants"], done: 2 })
    expect(result.logs.map((l) => l.level)).toEqual(["log", "log", "log", "log", "info"])
    expect(result.logs[0]?.message).toBe("added { id: 1, text: 'book the train', done: false }")
    expect(result.calls.map((c) => c.tool)).toEqual([
      ...Array(4).fill("demo.addTodo"), "demo.listTodos", "demo.completeTodo", "demo.completeTodo", "demo.listTodos", "demo.listTodos",
    ])
    expect(result.calls.every((c) => c.ok && c.durationMs >= 0)).toBe(true)
    expect(result.stats.toolCalls).toBe(9)
  })

  it("gives the sandbox a catchable error naming the tool and its arguments", async () => {
    const result = await cm.execute(`
      try {
        await codemode.host.fail({ why: "disk full" })
      } catch (e) {
        return [e instanceof Error, e.message]
      }`)
    expect(result.value).toEqual([true, 'codemode.host.fail({"why":"disk full"}) failed: disk full'])
    expect(result.calls[0]).toMatchObject({ tool: "host.fail", ok: false, error: { code: "TOOL_CALL_FAILED", message: "[codemode] [host.fail] disk full" } })
  })

  it("points an uncaught failed tool call at the call in the model's code", async () => {
    const code = "const a = 1\nconst b = await codemode.host.fail({ why: 'disk full' })\nreturn b"
    const result = await cm.execute(code)
    expect(result.error).toMatchObject({ kind: "runtime", line: 2, column: 17, tool: "host.fail", code: "TOOL_CALL_FAILED" })
    expect(result.error?.message).toBe('Error: codemode.host.fail({"why":"disk full"}) failed: disk full')
    expect(result.error?.excerpt).toBe("  1 | const a = 1\n> 2 | const b = await codemode.host.fail({ why: 'disk full' })\n    |                 ^")
    // in TypeScript, inside a helper, a second call of the same tool on the line: still that call
    const ts = await cm.execute("async function get(why: string): Promise<unknown> {\n  return [await codemode.host.fail({ why: 'ok' }).catch(() => 0), await codemode.host.fail({ why })]\n}\nreturn await get('second')")
    expect(ts.error).toMatchObject({ line: 2, column: 73, tool: "host.fail" })
    expect(ts.error?.stack).toMatch(/at get \(code\.js:2:\d+\)/)
  })

  it("maps a runtime error to the model's line in a fenced TypeScript answer", async () => {
    const result = await cm.execute("Let me check:\n```ts\nconst todos: unknown[] = await codemode.demo.listTodos({})\nconst first = todos[99] as { text: string }\nfirst.text.length\n```")
    expect(result.ok).toBe(false)
    expect(result.error).toMatchObject({ kind: "runtime", line: 5 })
    expect(result.error?.message).toContain("TypeError")
    expect(result.error?.excerpt).toContain("> 5 | first.text.length")
    // Stack frames point into the model's code too (esbuild moved the line; the frame is mapped back).
    expect(result.error?.stack).toMatch(/:5:\d+\)/)
  })

  it("names what exists when the code calls an unknown tool or namespace", async () => {
    const typed = await cm.execute("const r = await codemode.demo.addTask({ text: 'x' })")
    expect(typed.error).toMatchObject({ kind: "type", line: 1, column: 31 })
    expect(typed.error?.message).toBe("Property 'addTask' does not exist on type 'typeof demo'. Tools in demo: echo, addTodo, listTodos, completeTodo.")
    // unchecked, the sandbox's error gets the same list
    const tool = await cm.execute("const r = await codemode.demo.addTask({ text: 'x' })", { typecheck: "off" })
    expect(tool.error?.message).toMatch(/codemode\.demo\.addTask does not exist; tools in demo: echo, addTodo, listTodos, completeTodo\)$/)
    const ns = await cm.execute("await codemode.github.search({})", { typecheck: "off" })
    expect(ns.error?.message).toMatch(/codemode\.github does not exist; namespaces: demo, host\)$/)
    const thrown = await cm.execute("await codemode.demo.echo({})\nthrow new Error('mine')")
    expect(thrown.error?.message).toBe("Error: mine")
  })

  it("passes limits through: time and tool calls", async () => {
    const timeout = await cm.execute("while (true) {}", { limits: { timeMs: 200 } })
    expect(timeout.error).toMatchObject({ kind: "timeout", limit: { name: "timeMs", value: 200 } })
    const calls = await cm.execute("for (let i = 0; i < 10; i++) await codemode.demo.echo({ i })", { limits: { maxToolCalls: 3 } })
    expect(calls.error).toMatchObject({ kind: "limit", limit: { name: "maxToolCalls", value: 3 } })
    expect(calls.calls).toHaveLength(3)
  })

  it("cancels a run with an AbortSignal and aborts the tool in flight", async () => {
    const controller = new AbortController()
    const before = slowCalls
    const pending = cm.execute("return await codemode.host.slow()", { signal: controller.signal })
    while (slowCalls === before) await new Promise((r) => setTimeout(r, 5))
    controller.abort()
    const result = await pending
    expect(result.error?.kind).toBe("aborted")
    expect(result.calls[0]).toMatchObject({ tool: "host.slow", ok: false })
  })

  it("keeps runs isolated: nothing survives between runs", async () => {
    await cm.execute("globalThis.leak = 42")
    expect((await cm.execute("typeof globalThis.leak")).value).toBe("undefined")
  })
})
