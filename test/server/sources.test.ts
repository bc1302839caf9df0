/**
 * Slow and failing sources do not hold the server up: real MCP servers over stdio — the npm
 * server-memory, a fixture that never answers `initialize`, one that fails its first starts — behind
 * the server face, driven by the SDK client over an in-memory transport.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { createCodeMode } from "../../src/runtime/codemode.js"
import { retryDelay, type SourceChange } from "../../src/runtime/sources.js"
import { createCodeModeServer } from "../../src/server/server.js"
import type { ServerLogLevel as LogLevel } from "../../src/server/log.js"
import { mcp } from "../../src/tools/mcp/index.js"
import { defineSource, type Tool } from "../../src/tools/tool.js"
import { fixtureServer, npmServer, waitFor } from "../fixtures/mcp/servers.js"
import { connect, textOf } from "./helpers.js"

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "codemode-sources-"))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const memory = (name: string) => mcp("memory", { ...npmServer("memory"), env: { MEMORY_FILE_PATH: join(dir, `${name}.jsonl`) } })
const hanging = () => mcp("hang", { ...fixtureServer("hang-on-initialize.mjs"), connectTimeoutMs: 120_000 })
function flaky(name: string, failTimes: number) {
  const counter = join(dir, `${name}.count`)
  const source = mcp("flaky", { ...fixtureServer("flaky-start.mjs"), env: { COUNTER_FILE: counter, FAIL_TIMES: String(failTimes), MEMORY_FILE_PATH: join(dir, `${name}.jsonl`) } })
  const starts = () => {
    try {
      return readFileSync(counter, "utf8").split("\n").filter(Boolean).length
    } catch {
      return 0
    }
  }
  return { source, starts }
}

async function execute(client: Client, code: string) {
  const result = await client.callTool({ name: "execute", arguments: { code } })
  return { text: textOf(result), isError: result.isError === true }
}

describe("sources that are slow or fail", () => {
  const open: Array<{ close(): Promise<unknown> }> = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close()
  })

  it("answers with the ready sources while one hangs on initialize, and tells the model it is loading", async () => {
    const log: Array<[LogLevel, string]> = []
    const server = await createCodeModeServer({ sources: [memory("hang"), hanging()], sourceLoading: { graceMs: 1_000 }, log: (level, message) => void log.push([level, message]) })
    open.push(server)
    // created while the hanging server is still starting: nothing waited for its 120 s timeout
    expect(server.sources()[1]).toMatchObject({ namespace: "hang", state: "loading" })
    expect(await waitFor(() => server.sources()[0]?.state === "ready", 20_000)).toBe(true)
    const client = await connect(server)
    open.push(client)
    const [execute_] = (await client.listTools()).tools
    expect(execute_?.description).toContain("Not available yet: codemode.hang (loading); the tool list changes when they load.")
    expect(execute_?.description).toContain("function read_graph(")
    const { text, isError } = await execute(client, "const graph = await codemode.memory.read_graph({})\nconst x = await codemode.hang.anything({})\nreturn [graph, x]")
    expect(isError).toBe(true)
    expect(text).toMatch(/^runtime error at line 2, column \d+: TypeError: .* \(source "hang" is still loading; retry in a moment\)\n/)
    expect(text).toContain("That namespace is not available yet; this is not a mistake in your code.")
    expect(text).toMatch(/calls: 1\n- memory\.read_graph ok/)
    expect(log).toContainEqual(["info", 'source "memory" (mcp) loaded: 9 tools'])
    // close() gives up the server that is still starting instead of waiting for its timeout (the test's 30 s bound)
  })

  it("retries a source that fails to start, says why meanwhile, and announces it with tools/list_changed", async () => {
    const { source, starts } = flaky("retry", 2)
    const errors: string[] = []
    const log: Array<[LogLevel, string]> = []
    const server = await createCodeModeServer({
      sources: [source],
      sourceLoading: { graceMs: 100, retryMinMs: 400, retryMaxMs: 2_000 },
      onError: (e) => void errors.push(e.message),
      log: (level, message) => void log.push([level, message]),
    })
    open.push(server)
    let changed = 0
    const client = await connect(server)
    open.push(client)
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++)
    expect(await waitFor(() => server.sources()[0]?.state === "failed", 15_000)).toBe(true)
    // it stays "failed" through the second failed start: at least 400 ms + 800 ms
    const failed = await execute(client, "return await codemode.flaky.read_graph({})")
    expect(failed.text).toMatch(/\(source "flaky" failed to load: cannot start MCP server .*not ready yet \(start \d\).*; retrying (now|in \d+ s)\)\n/)
    expect((await client.listTools()).tools[0]?.description).toContain("codemode.flaky (failed to load, retrying)")
    expect(await waitFor(() => server.sources()[0]?.state === "ready", 20_000)).toBe(true)
    expect(await waitFor(() => changed > 0, 5_000)).toBe(true)
    const { tools } = await client.listTools()
    expect(tools[0]?.description).toContain("function read_graph(")
    expect(tools[0]?.description).not.toContain("Not available yet")
    const { text } = await execute(client, "return (await codemode.flaky.read_graph({})).entities")
    expect(text).toMatch(/^\[\]\n/)
    expect(starts()).toBe(3)
    // reported once when it failed, not once per attempt; then once when it came back
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/source "flaky" \(mcp\) failed to load: .*not ready yet \(start 1\)/)
    expect(log.filter(([level]) => level === "warn")).toEqual([["warn", expect.stringMatching(/^\[codemode\] \[flaky\] source "flaky" \(mcp\) failed to load: .*; retrying in \d+ s$/)]])
    expect(log).toContainEqual(["debug", expect.stringMatching(/not ready yet \(start 2\).*; retrying in \d+ s$/)])
    expect(log).toContainEqual(["info", 'source "flaky" (mcp) loaded after 2 failed attempts: 9 tools'])
  }, 60_000)

  it("stops retrying when closed", async () => {
    const { source, starts } = flaky("closed", 1_000)
    const server = await createCodeModeServer({ sources: [source], sourceLoading: { graceMs: 50, retryMinMs: 50, retryMaxMs: 100 } })
    expect(await waitFor(() => starts() >= 2, 15_000)).toBe(true)
    await server.close()
    const after = starts()
    await new Promise((r) => setTimeout(r, 500))
    expect(starts()).toBe(after)
  }, 30_000)

  it("reports an upstream that exits and its restart", async () => {
    const log: Array<[LogLevel, string]> = []
    const t = mcp("t", { ...fixtureServer("test-server.mjs"), env: { PAGE_SIZE: "50" } })
    const server = await createCodeModeServer({ sources: [t], log: (level, message) => void log.push([level, message]) })
    open.push(server)
    const client = await connect(server)
    open.push(client)
    await execute(client, "try { await codemode.t.crash({}) } catch {}\nreturn await codemode.t.echo({ message: 'again' })")
    expect(log).toContainEqual(["warn", expect.stringMatching(/^source "t" \(mcp\): .*closed the connection.*simulated crash/)])
    expect(log).toContainEqual(["info", expect.stringMatching(/^source "t" \(mcp\): connected to the MCP server .* again \(connection 2, pid \d+\)$/)])
  })
})

describe("background loading in the library", () => {
  it("resolves after the grace period, serves the source when it arrives, and keeps the default contract without it", async () => {
    let arrive: (tools: Tool[]) => void = () => undefined
    const late = defineSource({ namespace: "late", kind: "custom", load: () => new Promise<Tool[]>((resolve) => (arrive = resolve)) })
    const changes: SourceChange[] = []
    const cm = await createCodeMode({ sources: [late], background: { graceMs: 50 }, onSourceChange: (c) => void changes.push(c) })
    try {
      expect(cm.sources()).toEqual([{ namespace: "late", kind: "custom", state: "loading", tools: 0, failures: 0 }])
      const waiting = await cm.execute("return await codemode.late.ping({})")
      expect(waiting.error).toMatchObject({ code: "SOURCE_UNAVAILABLE", message: expect.stringContaining('(source "late" is still loading; retry in a moment)') })
      arrive([{ name: "ping", namespace: "late", inputSchema: { type: "object" }, call: async () => "pong" }])
      expect(await waitFor(() => cm.tools().length === 1)).toBe(true)
      expect(changes.map((c) => [c.type, c.message])).toEqual([["loaded", 'source "late" (custom) loaded: 1 tool']])
      expect((await cm.execute("return await codemode.late.ping({})")).value).toBe("pong")
    } finally {
      await cm.close()
    }
    const broken = defineSource({ namespace: "broken", kind: "custom", load: async () => Promise.reject(new Error("no route to host\n  (tried twice)")) })
    await expect(createCodeMode({ sources: [broken] })).rejects.toThrow(/source "broken" \(custom\) failed to load: no route to host/)
    const retrying = await createCodeMode({ sources: [broken], background: { graceMs: 1_000, retryMinMs: 60_000 } })
    try {
      expect(retrying.sources()[0]).toMatchObject({ state: "failed", failures: 1, retryInMs: expect.any(Number) })
      const failed = await retrying.execute("const x = codemode.broken\nreturn await x.ping({})")
      // the error is away from the reference; the note is one line
      expect(failed.error?.message).toMatch(/^TypeError: cannot read property 'ping' of undefined \(source "broken" failed to load: no route to host \(tried twice\); retrying in (4\d|5\d|60) s\)$/)
    } finally {
      await retrying.close()
    }
  })

  it("backs off exponentially with jitter, within bounds", () => {
    for (let i = 0; i < 50; i++) {
      expect(retryDelay(1, 1_000, 60_000)).toBeGreaterThanOrEqual(800)
      expect(retryDelay(1, 1_000, 60_000)).toBeLessThanOrEqual(1_200)
      expect(retryDelay(4, 1_000, 60_000)).toBeGreaterThanOrEqual(6_400)
      expect(retryDelay(4, 1_000, 60_000)).toBeLessThanOrEqual(9_600)
      expect(retryDelay(40, 1_000, 60_000)).toBeLessThanOrEqual(60_000)
      expect(retryDelay(40, 1_000, 60_000)).toBeGreaterThanOrEqual(48_000)
    }
  })
})
