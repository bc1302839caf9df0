import { describe, expect, it, vi } from "vitest"
import * as z from "zod"
import { CodeModeError } from "../../src/errors.js"
import { createCodeMode } from "../../src/runtime/codemode.js"
import { demoSource } from "../../src/tools/demo.js"
import { functions } from "../../src/tools/functions.js"
import { defineSource, type Tool, type ToolSource } from "../../src/tools/tool.js"
import { hostExecutor } from "./host-executor.js"

/** A source whose tools and failures the test controls, counting loads and closes. */
function controlledSource(namespace: string, names: string[], fail?: Error) {
  let listener: (() => void) | undefined
  const state = { loads: 0, closes: 0, names, fail }
  const source = defineSource({
    namespace,
    kind: "test",
    load: async () => {
      state.loads++
      if (state.fail) throw state.fail
      return state.names.map((name): Tool => ({ name, namespace, inputSchema: { type: "object" }, call: async () => name }))
    },
    onToolsChanged: (l: () => void) => {
      listener = l
      return () => (listener = undefined)
    },
    close: async () => {
      state.closes++
    },
  })
  return { source, state, notify: () => listener?.() }
}

describe("createCodeMode (runtime logic, host test double)", () => {
  it("runs normalized code with the tools as bindings and returns value, logs, calls and stats", async () => {
    const executor = hostExecutor()
    const cm = await createCodeMode({ sources: [demoSource()], executor })
    const result = await cm.execute("```js\nconst t = await codemode.demo.addTodo({ text: 'a' })\nconsole.log('added')\nt.id\n```")
    expect(result).toMatchObject({ ok: true, value: 1, logs: [{ level: "log", message: "added" }] })
    expect(result.calls).toEqual([{ tool: "demo.addTodo", args: { text: "a" }, durationMs: expect.any(Number), ok: true }])
    expect(result.stats.toolCalls).toBe(1)
    expect(result.stats.durationMs).toBeGreaterThan(0)
    expect(executor.runs[0]?.js).toBe("\nconst t = await codemode.demo.addTodo({ text: 'a' })\nconsole.log('added')\nreturn t.id\n")
    await cm.close()
  })

  it("lists the loaded tools", async () => {
    const cm = await createCodeMode({ sources: [demoSource()], executor: hostExecutor() })
    expect(cm.tools().map((t) => `${t.namespace}.${t.name}`)).toEqual(["demo.echo", "demo.addTodo", "demo.listTodos", "demo.completeTodo"])
    await cm.close()
  })

  it("gives the declarations and a search over the loaded tools, following tool changes", async () => {
    const shop = functions("shop", {
      listOrders: { description: "List the orders of a customer.", input: z.object({ customer: z.string() }), run: () => [] },
      refundOrder: { description: "Refund an order.", input: z.object({ orderId: z.string() }), run: () => true },
    })
    const other = controlledSource("other", ["ping"])
    const cm = await createCodeMode({ sources: [shop, other.source], executor: hostExecutor() })
    const all = cm.declarations()
    expect(all).toContain("declare namespace codemode.shop")
    expect(all).toContain("function listOrders(args: ListOrdersArgs)")
    expect(all).toContain("declare namespace codemode.other")
    const onlyShop = cm.declarations({ namespace: "shop" })
    expect(onlyShop).toContain("function refundOrder(")
    expect(onlyShop).not.toContain("codemode.other")
    expect(() => cm.declarations({ namespace: "nope" })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }))
    const [best] = cm.search("refund an order")
    expect(best).toMatchObject({ name: "codemode.shop.refundOrder", namespace: "shop", good: true, detail: "full" })
    expect(best?.signature).toContain("function refundOrder(")
    // a word no tool has ("give"): nothing matches well; the closest come back compact, marked as such
    const [closest] = cm.search("give the money back for an order")
    expect(closest).toMatchObject({ name: "codemode.shop.refundOrder", good: false, detail: "compact" })
    expect(cm.catalog().mode).toBe("execute")
    other.state.names = ["ping", "pong"]
    other.notify()
    await vi.waitFor(() => expect(cm.declarations({ namespace: "other" })).toContain("function pong("))
    expect(cm.search("pong", { namespace: "other" })[0]?.name).toBe("codemode.other.pong")
    await cm.close()
  })

  it("returns syntax errors as values with the model's line, column and excerpt, without running", async () => {
    const executor = hostExecutor()
    const cm = await createCodeMode({ sources: [], executor })
    const result = await cm.execute("Here:\n```js\nconst a = [1,\nreturn a\n```")
    expect(result.ok).toBe(false)
    expect(result.error).toMatchObject({ kind: "syntax", line: 4, column: 1 })
    expect(result.error?.message).toBe("SyntaxError: Unexpected token")
    expect(result.error?.excerpt).toContain("> 4 | return a")
    expect(executor.runs).toHaveLength(0)
    await cm.close()
  })

  it("records failed tool calls and gives the sandbox a message naming the tool and arguments", async () => {
    // `text: 5` does not typecheck: run it anyway to see what the tool says
    const cm = await createCodeMode({ sources: [demoSource()], executor: hostExecutor(), typecheck: "off" })
    const result = await cm.execute(
      "try { await codemode.demo.addTodo({ text: 5 }) } catch (e) { console.log(e.message) }\nawait codemode.demo.completeTodo({ id: 99 })",
    )
    expect(result.logs[0]?.message).toBe(
      'codemode.demo.addTodo({"text":5}) failed: invalid input: at text: Invalid input: expected string, received number',
    )
    expect(result.ok).toBe(false)
    expect(result.error?.message).toContain('codemode.demo.completeTodo({"id":99}) failed: no to-do with id 99')
    expect(result.calls.map((c) => [c.tool, c.ok, c.error?.code])).toEqual([
      ["demo.addTodo", false, "TOOL_INPUT_INVALID"],
      ["demo.completeTodo", false, "TOOL_CALL_FAILED"],
    ])
    await cm.close()
  })

  it("maps runtime error lines back to the model's code and adds an excerpt", async () => {
    const cm = await createCodeMode({ sources: [], executor: hostExecutor() })
    const result = await cm.execute("Sure:\n```ts\nconst o: any = null\n\no.boom\n```")
    expect(result.ok).toBe(false)
    expect(result.error?.line).toBe(5)
    expect(result.error?.excerpt).toContain("> 5 | o.boom")
    await cm.close()
  })

  it("passes merged limits and the signal to the executor", async () => {
    const executor = hostExecutor()
    const cm = await createCodeMode({ sources: [], executor, limits: { timeMs: 5_000, maxToolCalls: 7 } })
    const controller = new AbortController()
    await cm.execute("return 1", { limits: { maxToolCalls: 3 }, signal: controller.signal })
    expect(executor.runs[0]?.limits).toMatchObject({ timeMs: 5_000, maxToolCalls: 3, memoryBytes: 64 * 1024 * 1024 })
    expect(executor.runs[0]?.signal).toBe(controller.signal)
    await expect(cm.execute("1", { limits: { timeMs: -1 } })).rejects.toMatchObject({ code: "CONFIG_INVALID" })
    const typo = { timeoutMs: 5 } as unknown as { timeMs: number }
    await expect(cm.execute("1", { limits: typo })).rejects.toThrow(/unknown limit "timeoutMs"; limits are timeMs, memoryBytes/)
    await expect(createCodeMode({ sources: [], limits: typo })).rejects.toMatchObject({ code: "CONFIG_INVALID" })
    await cm.close()
  })

  it("aborts the tools' signal when the caller cancels and when the run ends", async () => {
    const signals: AbortSignal[] = []
    let release: (() => void) | undefined
    const source = functions("slow", {
      wait: { run: (_a, ctx) => { signals.push(ctx.signal as AbortSignal); return new Promise<string>((r) => { release = () => r("late") }) } },
      quick: { run: (_a, ctx) => { signals.push(ctx.signal as AbortSignal); return "now" } },
    })
    const cm = await createCodeMode({ sources: [source], executor: hostExecutor() })
    const controller = new AbortController()
    const pending = cm.execute("return await codemode.slow.wait()", { signal: controller.signal })
    await vi.waitFor(() => expect(signals).toHaveLength(1), { timeout: 20_000 })
    expect(signals[0]?.aborted).toBe(false)
    controller.abort()
    const result = await pending
    expect(result).toMatchObject({ ok: false, error: { kind: "aborted" } })
    expect(signals[0]?.aborted).toBe(true)
    expect(result.calls[0]).toMatchObject({ tool: "slow.wait", ok: false, error: { message: "still running when the run ended" } })
    release?.()
    const done = await cm.execute("return await codemode.slow.quick()")
    expect(done.value).toBe("now")
    expect(signals[1]?.aborted).toBe(true) // the run is over
    await cm.close()
  })

  it("rejects duplicate namespaces with CONFIG_INVALID", async () => {
    const error = await createCodeMode({ sources: [demoSource(), demoSource()], executor: hostExecutor() }).catch((e: unknown) => e)
    expect(CodeModeError.is(error, "CONFIG_INVALID")).toBe(true)
    expect((error as Error).message).toContain('duplicate namespace "demo"')
  })

  it("fails creation with SOURCE_UNAVAILABLE naming the source, closing the others", async () => {
    const good = controlledSource("good", ["a"])
    const bad = controlledSource("bad", ["b"], new Error("connect ECONNREFUSED 127.0.0.1:1"))
    const executor = hostExecutor()
    const error = await createCodeMode({ sources: [good.source, bad.source], executor }).catch((e: unknown) => e)
    expect(CodeModeError.is(error, "SOURCE_UNAVAILABLE")).toBe(true)
    expect(executor.disposed).toBe(1)
    expect((error as Error).message).toBe('[codemode] [bad] source "bad" (test) failed to load: connect ECONNREFUSED 127.0.0.1:1')
    expect(good.state.closes).toBe(1)
  })

  it("with skipUnavailableSources serves the other sources and reports the failure", async () => {
    const good = controlledSource("good", ["a"])
    const bad = controlledSource("bad", ["b"], new Error("down"))
    const errors: CodeModeError[] = []
    const cm = await createCodeMode({
      sources: [good.source, bad.source],
      executor: hostExecutor(),
      skipUnavailableSources: true,
      onError: (e) => errors.push(e),
    })
    expect(errors.map((e) => e.code)).toEqual(["SOURCE_UNAVAILABLE"])
    expect(cm.tools().map((t) => t.name)).toEqual(["a"])
    // A list-change notification retries the failed source.
    bad.state.fail = undefined
    bad.notify()
    await new Promise((r) => setTimeout(r, 10))
    expect(cm.tools().map((t) => t.name)).toEqual(["a", "b"])
    await cm.close()
  })

  it("rejects tools with invalid names or another namespace", async () => {
    const wrong: ToolSource = { namespace: "x", kind: "test", load: async () => [{ name: "not valid", namespace: "x", inputSchema: {}, call: async () => 1 }] }
    await expect(createCodeMode({ sources: [wrong], executor: hostExecutor() })).rejects.toThrow(/tool name "not valid" is not a valid identifier/)
  })

  it("follows onToolsChanged and keeps the old tools when a reload fails", async () => {
    const src = controlledSource("live", ["one"])
    const errors: CodeModeError[] = []
    const cm = await createCodeMode({ sources: [src.source], executor: hostExecutor(), onError: (e) => errors.push(e) })
    src.state.names = ["one", "two"]
    src.notify()
    await new Promise((r) => setTimeout(r, 10))
    expect(cm.tools().map((t) => t.name)).toEqual(["one", "two"])
    expect((await cm.execute("return await codemode.live.two()")).value).toBe("two")
    src.state.fail = new Error("gone")
    src.notify()
    await new Promise((r) => setTimeout(r, 10))
    expect(cm.tools().map((t) => t.name)).toEqual(["one", "two"])
    expect(errors[0]?.message).toContain("failed to load: gone")
    await cm.close()
  })

  it("close() closes sources and the executor once, and execute() afterwards rejects with CLOSED", async () => {
    const src = controlledSource("c", ["a"])
    const executor = hostExecutor()
    const cm = await createCodeMode({ sources: [src.source], executor })
    await Promise.all([cm.close(), cm.close()])
    await cm.close()
    expect(src.state.closes).toBe(1)
    expect(executor.disposed).toBe(1)
    await expect(cm.execute("return 1")).rejects.toMatchObject({ code: "CLOSED" })
    src.notify() // ignored after close
    expect(src.state.loads).toBe(1)
  })
})
