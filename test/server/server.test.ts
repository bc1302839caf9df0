/**
 * The server face driven end to end through the SDK client over an in-memory transport, with real
 * sources (functions, a real npm MCP server that fails to start) and the real QuickJS sandbox.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { LoggingMessageNotificationSchema, ToolListChangedNotificationSchema, type Progress } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { z } from "zod"
import { createCodeModeServer, type CodeModeServer } from "../../src/server/server.js"
import { functions } from "../../src/tools/functions.js"
import { defineSource, type Tool } from "../../src/tools/tool.js"
import { mcp } from "../../src/tools/mcp/index.js"
import { connect, textOf } from "./helpers.js"

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(new Error("aborted"))), { once: true })
  })

function shop() {
  return functions("shop", {
    listOrders: {
      description: "List the orders of a customer.",
      input: z.object({ customer: z.string() }),
      annotations: { readOnlyHint: true, openWorldHint: false },
      run: ({ customer }) => [1, 2, 3].map((id) => ({ id, customer, total: id * 10 })),
    },
    refund: {
      description: "Refund an order.",
      input: z.object({ id: z.number() }),
      annotations: { destructiveHint: true, openWorldHint: false },
      run: ({ id }) => {
        if (id > 2) throw new Error(`order ${id} cannot be refunded`)
        return { id, refunded: true }
      },
    },
    slow: { description: "Wait a while.", input: z.object({ ms: z.number() }), annotations: { openWorldHint: false }, run: async ({ ms }, ctx) => (await sleep(ms, ctx.signal), ms) },
  })
}

describe("codemode serve (in-memory client)", () => {
  let server: CodeModeServer
  let client: Client
  const errors: string[] = []

  beforeAll(async () => {
    server = await createCodeModeServer({
      // a real MCP server that cannot start: reported, the rest is served
      sources: [shop(), mcp("broken", { command: process.execPath, args: ["/nonexistent/server.js"], connectTimeoutMs: 5_000 })],
      heartbeatMs: 50,
      onError: (e) => errors.push(e.message),
    })
    client = await connect(server)
  })
  afterAll(async () => {
    await client?.close()
    await server?.close()
  })

  it("reports a failing upstream source and serves the others", () => {
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/\[codemode\] \[broken\] source "broken" \(mcp\) failed to load/)
    expect(server.tools().map((t) => t.name)).toEqual(["listOrders", "refund", "slow"])
  })

  it("lists execute alone for a small catalog, with the declarations and honest hints", async () => {
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(["execute"])
    const [execute] = tools
    expect(execute?.description).toContain("function listOrders(args: ListOrdersArgs)")
    expect(execute?.description).toContain("/** Refund an order. */")
    expect(execute?.inputSchema).toEqual({
      type: "object",
      properties: { code: { type: "string", minLength: 1, description: expect.stringContaining("return") } },
      required: ["code"],
    })
    // refund is destructive; nothing reaches the outside world
    expect(execute?.annotations).toEqual({ title: "Run code against the tools", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false })
  })

  it("returns the value, console output and a call summary", async () => {
    const code = 'const orders = await codemode.shop.listOrders({ customer: "ann" })\nconsole.log("found", orders.length)\nreturn orders.map((o) => o.total)'
    const result = await client.callTool({ name: "execute", arguments: { code } })
    expect(result.isError).toBeFalsy()
    expect(textOf(result)).toMatch(/^\[10,20,30\]\n\nconsole \(1 line\):\nfound 3\n\ncalls: 1\n- shop\.listOrders ok \(\d+ ms\)$/)
  })

  it("gives errors the model can act on: tool, arguments, line, excerpt", async () => {
    const code = "const a = await codemode.shop.refund({ id: 1 })\nconst b = await codemode.shop.refund({ id: 7 })\nreturn [a, b]"
    const result = await client.callTool({ name: "execute", arguments: { code } })
    expect(result.isError).toBe(true)
    const text = textOf(result)
    expect(text).toMatch(/^runtime error.*: .*codemode\.shop\.refund\(\{"id":7\}\) failed: order 7 cannot be refunded\n/)
    expect(text).toContain("The tool call failed: check its arguments")
    expect(text).toMatch(/calls: 2 \(1 failed\)\n- shop\.refund ok \(\d+ ms\)\n- shop\.refund failed: .*order 7 cannot be refunded/)
  })

  it("points at the line and shows an excerpt for an error in the code", async () => {
    const code = "const orders = await codemode.shop.listOrders({ customer: 'a' })\nreturn orders.missing.length"
    const result = await client.callTool({ name: "execute", arguments: { code } })
    const text = textOf(result)
    expect(text).toMatch(/^runtime error at line 2, column \d+: TypeError: /)
    expect(text).toContain("> 2 | return orders.missing.length")
  })

  it("does not run a program that does not typecheck: the model gets the diagnostic and the tool's signature", async () => {
    const code = "const orders = codemode.shop.listOrders({ customer: 'a' })\nawait codemode.shop.refund({ id: '1' })\nreturn orders.length"
    const result = await client.callTool({ name: "execute", arguments: { code } })
    expect(result.isError).toBe(true)
    const text = textOf(result)
    expect(text).toMatch(/^type error at line 2, column 30: Type 'string' is not assignable to type 'number'\. \(TS2322\)\n/)
    expect(text).toContain("function refund(args: RefundArgs): Promise<unknown>")
    expect(text).toContain("type error at line 3, column 15: Property 'length' does not exist on type 'Promise<any>'. Did you forget `await`? (TS2339)")
    expect(text).toContain("Nothing ran.")
    expect(text).not.toContain("calls:")
  })

  it("names the limit that ended a run", async () => {
    const server2 = await createCodeModeServer({ sources: [shop()], limits: { timeMs: 300 } })
    const client2 = await connect(server2)
    try {
      const result = await client2.callTool({ name: "execute", arguments: { code: "while (true) {}" } })
      expect(result.isError).toBe(true)
      expect(textOf(result)).toMatch(/^timeout error/)
      expect(textOf(result)).toContain("limit: timeMs = 300")
    } finally {
      await client2.close()
      await server2.close()
    }
  })

  it("refuses bad arguments with a clear message", async () => {
    const result = await client.callTool({ name: "execute", arguments: { code: "" } })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/^\[codemode\] \[server\] invalid arguments for execute: code: /)
    const unknown = await client.callTool({ name: "nope", arguments: {} })
    expect(textOf(unknown)).toContain('unknown tool "nope"')
  })

  it("sends no logging notifications until the client sets a level, then console lines and tool calls", async () => {
    const messages: unknown[] = []
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void messages.push(n.params))
    const code = 'console.warn("careful")\nawait codemode.shop.refund({ id: 1 })\nreturn 1'
    await client.callTool({ name: "execute", arguments: { code } })
    expect(messages).toEqual([])
    await client.setLoggingLevel("info")
    await client.callTool({ name: "execute", arguments: { code } })
    expect(messages).toEqual([
      { level: "info", logger: "codemode", data: expect.stringMatching(/^tool shop\.refund ok \(\d+ ms\)$/) },
      { level: "warning", logger: "codemode", data: "console.warn: careful" },
    ])
    messages.length = 0
    await client.setLoggingLevel("error")
    await client.callTool({ name: "execute", arguments: { code } })
    expect(messages).toEqual([])
  })

  it("sends progress per completed tool call and heartbeats while a run takes long", async () => {
    const progress: Progress[] = []
    const code = "await codemode.shop.slow({ ms: 20 })\nawait codemode.shop.slow({ ms: 300 })\nreturn 'done'"
    const result = await client.callTool({ name: "execute", arguments: { code } }, undefined, { onprogress: (p) => void progress.push(p) })
    expect(textOf(result)).toMatch(/^done/)
    const messages = progress.map((p) => p.message ?? "")
    expect(messages.filter((m) => m.startsWith("tool call"))).toEqual([
      expect.stringMatching(/^tool call 1 done: shop\.slow \(\d+ ms\)$/),
      expect.stringMatching(/^tool call 2 done: shop\.slow \(\d+ ms\)$/),
    ])
    expect(messages.some((m) => /^running for \d+\.\d s, 1 tool calls done$/.test(m))).toBe(true)
    // progress must increase with every notification
    expect(progress.map((p) => p.progress)).toEqual(progress.map((_, i) => i + 1))
  })

  it("cancels a run when the client cancels the request", async () => {
    const controller = new AbortController()
    const pending = client.callTool({ name: "execute", arguments: { code: "await codemode.shop.slow({ ms: 60000 })" } }, undefined, { signal: controller.signal })
    setTimeout(() => controller.abort("user stopped"), 200)
    await expect(pending).rejects.toThrow(/user stopped|abort/i)
    // the server keeps serving
    const next = await client.callTool({ name: "execute", arguments: { code: "return 2" } })
    expect(textOf(next)).toBe("2")
  })
})

describe("tool list changes upstream", () => {
  it("rebuilds the catalog and tells the client the tool list changed", async () => {
    let version = 1
    const listeners = new Set<() => void>()
    const source = defineSource({
      namespace: "live",
      kind: "custom",
      load: async () =>
        Array.from({ length: version }, (_, i): Tool => ({
          name: `tool${i + 1}`,
          namespace: "live",
          description: `Tool number ${i + 1}.`,
          inputSchema: { type: "object", properties: {} },
          call: async () => i + 1,
        })),
      onToolsChanged: (listener: () => void) => (listeners.add(listener), () => listeners.delete(listener)),
    })
    const server = await createCodeModeServer({ sources: [source] })
    const client = await connect(server)
    try {
      let changed = 0
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++)
      expect((await client.listTools()).tools[0]?.description).not.toContain("tool2")
      version = 2
      for (const l of listeners) l()
      for (let i = 0; i < 100 && changed === 0; i++) await new Promise((r) => setTimeout(r, 20))
      expect(changed).toBe(1)
      expect((await client.listTools()).tools[0]?.description).toContain("function tool2(")
      expect(textOf(await client.callTool({ name: "execute", arguments: { code: "return await codemode.live.tool2({})" } }))).toMatch(/^2\n/)
    } finally {
      await client.close()
      await server.close()
    }
  })
})

describe("results over the budget", () => {
  it("returns the cut value with a note both just under and over limits.maxResultBytes", async () => {
    const server = await createCodeModeServer({ sources: [shop()], limits: { maxResultBytes: 20_000 }, maxChars: 2_000 })
    const client = await connect(server)
    try {
      const program = (n: number) => `return { total: ${n}, items: Array.from({ length: ${n} }, (_, i) => ({ id: i, name: 'item ' + i })) }`
      const size = (n: number) => JSON.stringify({ total: n, items: Array.from({ length: n }, (_, i) => ({ id: i, name: `item ${i}` })) }).length
      expect(size(600)).toBeLessThan(20_000)
      expect(size(1_500)).toBeGreaterThan(20_000)
      for (const n of [600, 1_500]) {
        const result = await client.callTool({ name: "execute", arguments: { code: program(n) } })
        expect(result.isError).toBeFalsy()
        const [json, note] = textOf(result).split("\n\n")
        const value = JSON.parse(json as string) as { total: number; items: unknown[] }
        expect(json!.length).toBeLessThanOrEqual(2_000)
        expect(value.total).toBe(n)
        expect(value.items[0]).toEqual({ id: 0, name: "item 0" })
        // the marker and the note count the items of the whole result, not of the sandbox's cut
        const shown = value.items.length - 1
        expect(value.items.at(-1)).toBe(`… ${n - shown} more items`)
        expect(note).toContain(`cut: $.items (first ${shown} of ${n} items)`)
        expect(note).toContain(n > 1_000 ? "over limits.maxResultBytes = 20,000 bytes as JSON, cut in the sandbox" : `${size(n).toLocaleString("en-US")} chars`)
        expect(note).toMatch(/valid but incomplete: return only what you need/)
      }
    } finally {
      await client.close()
      await server.close()
    }
  })
})
