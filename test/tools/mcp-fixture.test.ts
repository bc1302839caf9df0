// mcp() against test/fixtures/mcp/test-server.mjs, a real SDK server over stdio that paginates,
// sends list_changed, hangs, crashes and returns every content kind.
import { getEventListeners } from "node:events"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import type { Tool } from "../../src/tools/tool.js"
import { mcp, type McpSource } from "../../src/tools/mcp/index.js"
import { failure, fixtureServer, isAlive, waitFor } from "../fixtures/mcp/servers.js"

const sources: McpSource[] = []
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()))
})

function testServer(options: { pageSize?: number; callTimeoutMs?: number; pingTimeoutMs?: number } = {}) {
  const source = mcp("t", {
    ...fixtureServer("test-server.mjs"),
    env: { PAGE_SIZE: String(options.pageSize ?? 2) },
    ...(options.callTimeoutMs ? { callTimeoutMs: options.callTimeoutMs } : {}),
    ...(options.pingTimeoutMs ? { pingTimeoutMs: options.pingTimeoutMs } : {}),
  })
  sources.push(source)
  return source
}

// One paginated server shared by the tests that neither break nor change it (each start costs ~0.5 s).
let sharedSource: McpSource | undefined
const shared = () => (sharedSource ??= mcp("t", { ...fixtureServer("test-server.mjs"), env: { PAGE_SIZE: "2" } }))
afterAll(async () => {
  await sharedSource?.close()
})

async function toolMap(source: McpSource): Promise<Map<string, Tool>> {
  return new Map((await source.load()).map((t) => [t.name, t]))
}

async function call(source: McpSource, name: string, args: unknown = {}, signal?: AbortSignal): Promise<unknown> {
  const tool = (await toolMap(source)).get(name)
  if (!tool) throw new Error(`no tool ${name}`)
  return tool.call(args, signal ? { signal } : {})
}

describe("tools/list", () => {
  it("follows nextCursor through every page and lists the same tools as one big page", async () => {
    const paged = (await testServer({ pageSize: 2 }).load()).map((t) => t.origin?.originalName)
    const whole = (await testServer({ pageSize: 1000 }).load()).map((t) => t.origin?.originalName)
    expect(paged.length).toBeGreaterThan(10)
    expect(paged).toEqual(whole)
    expect(paged).toContain("add_tool") // defined last, so on the last page
  })

  it("gives no tools for a server without the tools capability", async () => {
    const source = mcp("prompts", fixtureServer("no-tools-server.mjs"))
    sources.push(source)
    expect(await source.load()).toEqual([])
    expect(source.status().state).toBe("connected")
  })

  it("gives each MCP name a unique identifier and routes calls by the original name", async () => {
    const tools = await toolMap(shared())
    expect(tools.get("get_user")?.origin).toEqual({ kind: "mcp", originalName: "get-user" })
    expect(tools.get("get_user_2")?.origin).toEqual({ kind: "mcp", originalName: "get_user" })
    expect(tools.get("_class")?.origin?.originalName).toBe("class")
    expect(await tools.get("get_user")!.call({}, {})).toBe("hyphen")
    expect(await tools.get("get_user_2")!.call({}, {})).toBe("underscore")
    expect(await tools.get("_class")!.call({}, {})).toBe("reserved")
    for (const tool of tools.values()) expect(tool.namespace).toBe("t")
  })

  it("keeps inputSchema, outputSchema, annotations and the title", async () => {
    const weather = (await toolMap(shared())).get("weather")!
    expect(weather.inputSchema).toMatchObject({ type: "object", properties: { city: { type: "string" } } })
    expect(weather.outputSchema).toMatchObject({ type: "object", required: ["temp"] })
    expect(weather.annotations).toEqual({ readOnlyHint: true, title: "Weather" })
    expect(weather.description).toBe("Structured content with an output schema.")
  })
})

describe("tools/call results", () => {
  it("returns structuredContent when present", async () => {
    expect(await call(shared(), "weather", { city: "Oslo" })).toEqual({ temp: 21 })
  })

  it("parses a JSON object text, keeps other text as a string, joins several texts", async () => {
    const source = shared()
    expect(await call(source, "json")).toEqual({ a: 1, list: [1, 2] })
    expect(await call(source, "id_text")).toBe("12345678901234567890")
    expect(await call(source, "two_texts")).toBe("first\nsecond")
    expect(await call(source, "empty")).toBeNull()
  })

  it("describes images, resources and links as JSON-safe objects", async () => {
    const source = shared()
    expect(await call(source, "image")).toEqual({ type: "image", mimeType: "image/png", bytes: 70 })
    const mixed = await call(source, "mixed")
    expect(mixed).toEqual([
      "see attached",
      { type: "image", mimeType: "image/png", bytes: 70 },
      { type: "resource", uri: "file:///notes.txt", mimeType: "text/plain", text: "hello" },
      { type: "resource_link", uri: "file:///big.bin", name: "big.bin", mimeType: "application/octet-stream" },
    ])
    expect(JSON.parse(JSON.stringify(mixed))).toEqual(mixed)
  })

  it("turns isError into TOOL_CALL_FAILED carrying the server's text", async () => {
    const error = await failure(call(shared(), "fail"))
    expect(error.code).toBe("TOOL_CALL_FAILED")
    expect(error.message).toContain("[codemode] [mcp:t]")
    expect(error.message).toContain('tool "t.fail"')
    expect(error.message).toContain("disk quota exceeded")
  })

  it("checks structuredContent against outputSchema for tools on every page", async () => {
    for (const pageSize of [2, 1000]) {
      const source = testServer({ pageSize })
      const bad = await failure(call(source, "bad_weather")) // on the first page when paginated
      expect(bad.code).toBe("TOOL_OUTPUT_INVALID")
      expect(bad.message).toContain("temp")
      const missing = await failure(call(source, "no_structured"))
      expect(missing.code).toBe("TOOL_OUTPUT_INVALID")
      expect(missing.message).toMatch(/no structuredContent|did not return structured content/)
    }
  })

  it("rejects a non-object argument before sending it", async () => {
    const error = await failure(call(shared(), "echo", "hello"))
    expect(error.code).toBe("TOOL_INPUT_INVALID")
    expect(error.message).toContain("one object argument")
  })
})

describe("tools/list_changed", () => {
  it("reloads the list and notifies listeners; the new tool is callable", async () => {
    const source = testServer()
    await source.load()
    let notified = 0
    const unsubscribe = source.onToolsChanged!(() => notified++)
    expect(await call(source, "add_tool", { name: "fresh-tool" })).toBe("added")
    expect(await waitFor(() => notified > 0)).toBe(true)
    const tools = await toolMap(source)
    expect(tools.get("fresh_tool")?.origin?.originalName).toBe("fresh-tool")
    expect(await tools.get("fresh_tool")!.call({}, {})).toBe("I am fresh-tool")
    unsubscribe()
    await call(source, "add_tool", { name: "another" })
    expect((await toolMap(source)).has("another")).toBe(true)
    const seen = notified
    await new Promise((r) => setTimeout(r, 100))
    expect(notified).toBe(seen) // unsubscribed: no more notifications
  })
})

describe("a server that dies or hangs", () => {
  it("fails the call in flight with SOURCE_UNAVAILABLE and the server's stderr, then restarts", async () => {
    const source = testServer()
    const pid = Number(await call(source, "pid"))
    const error = await failure(call(source, "crash"))
    expect(error.code).toBe("SOURCE_UNAVAILABLE")
    expect(error.message).toContain("closed the connection")
    expect(error.message).toContain("simulated crash")
    const newPid = Number(await call(source, "pid"))
    expect(newPid).not.toBe(pid)
    expect(source.status()).toMatchObject({ state: "connected", connects: 2, pid: newPid })
  })

  it("times out a hung server with TOOL_TIMEOUT, kills it, and the next call gets a fresh one", async () => {
    const source = testServer({ callTimeoutMs: 500, pingTimeoutMs: 300 })
    const pid = Number(await call(source, "pid"))
    const error = await failure(call(source, "hang"))
    expect(error.code).toBe("TOOL_TIMEOUT")
    expect(error.message).toContain("500 ms")
    expect(Number(await call(source, "pid"))).not.toBe(pid)
    expect(await waitFor(() => !isAlive(pid))).toBe(true)
  })

  it("kills a hung server started through a wrapper (sh, npx) together with the wrapper", async () => {
    const { command, args } = fixtureServer("test-server.mjs")
    // "; true" keeps sh alive as the parent, as npx stays the parent of the real server.
    const source = mcp("wrapped", { command: "sh", args: ["-c", `"${command}" "${args[0]}"; true`], callTimeoutMs: 500, pingTimeoutMs: 300 })
    sources.push(source)
    const serverPid = Number(await call(source, "pid"))
    const wrapperPid = source.status().pid!
    expect(serverPid).not.toBe(wrapperPid)
    expect((await failure(call(source, "hang"))).code).toBe("TOOL_TIMEOUT")
    expect(await call(source, "echo", { message: "fresh" })).toBe("fresh")
    expect(await waitFor(() => !isAlive(serverPid) && !isAlive(wrapperPid))).toBe(true)
  })

  it("keeps a server that is merely slow: a timeout alone does not restart it", async () => {
    const source = testServer({ callTimeoutMs: 300, pingTimeoutMs: 2_000 })
    const pid = Number(await call(source, "pid"))
    expect((await failure(call(source, "sleep", { ms: 2_000 }))).code).toBe("TOOL_TIMEOUT")
    expect(Number(await call(source, "pid"))).toBe(pid)
    expect(source.status().connects).toBe(1)
  })

  it("cancels a call when the signal aborts, and the server keeps serving", async () => {
    const source = testServer()
    await source.load()
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const error = await failure(call(source, "sleep", { ms: 5_000 }, controller.signal))
    expect(error.code).toBe("ABORTED")
    expect(await call(source, "echo", { message: "still here" })).toBe("still here")
    expect(source.status().connects).toBe(1)
  })

  it("leaves no listener on a run-long signal after its calls finish", async () => {
    const source = shared()
    const controller = new AbortController()
    for (let i = 0; i < 15; i++) expect(await call(source, "echo", { message: `#${i}` }, controller.signal)).toBe(`#${i}`)
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0)
  })

  it("fails calls in flight with CLOSED when the source is closed", async () => {
    const source = testServer()
    await source.load()
    const inFlight = failure(call(source, "sleep", { ms: 5_000 }))
    await new Promise((r) => setTimeout(r, 100))
    await source.close()
    const error = await inFlight
    expect(error.code).toBe("CLOSED")
    expect(error.message).toContain("interrupted by close()")
  })

  it("starts the server once for concurrent first calls", async () => {
    const source = testServer()
    const tools = await Promise.all([1, 2, 3, 4, 5].map(() => source.load()))
    expect(new Set(tools.map((t) => t.length)).size).toBe(1)
    expect(source.status().connects).toBe(1)
  })
})
