/** Streamable HTTP on 127.0.0.1: sessions, the bearer token, the Host check, clean close. */
import { request } from "node:http"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { listenHttp, type HttpEndpoint } from "../../src/server/http.js"
import type { ServerLogLevel } from "../../src/server/log.js"
import { waitFor } from "../fixtures/mcp/servers.js"
import { createCodeModeServer, type CodeModeServer } from "../../src/server/server.js"
import { functions } from "../../src/tools/functions.js"
import { textOf } from "./helpers.js"

async function httpClient(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: "http-test", version: "0" })
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }))
  return client
}

describe("Streamable HTTP", () => {
  let server: CodeModeServer
  let open: HttpEndpoint
  let guarded: HttpEndpoint

  beforeAll(async () => {
    server = await createCodeModeServer({ sources: [functions("util", { echo: { input: {}, run: (args: unknown) => args } })] })
    open = await listenHttp(server, { port: 0 })
    guarded = await listenHttp(server, { port: 0, token: "s3cret" })
  })
  afterAll(async () => {
    await open?.close()
    await guarded?.close()
    await server?.close()
  })

  it("binds 127.0.0.1 and serves sessions without a token when none is set", async () => {
    expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/)
    const a = await httpClient(open.url)
    const b = await httpClient(open.url)
    try {
      expect((await a.listTools()).tools.map((t) => t.name)).toEqual(["execute"])
      const result = await b.callTool({ name: "execute", arguments: { code: "return await codemode.util.echo({ hi: 1 })" } })
      expect(textOf(result)).toMatch(/^\{"hi":1\}/)
    } finally {
      await a.close()
      await b.close()
    }
  })

  it("answers 401 without the bearer token and serves with it", async () => {
    const res = await fetch(guarded.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
    expect(res.status).toBe(401)
    expect(res.headers.get("www-authenticate")).toContain("Bearer")
    await expect(httpClient(guarded.url)).rejects.toThrow(/401|unauthorized/i)
    await expect(httpClient(guarded.url, "wrong")).rejects.toThrow(/401|unauthorized/i)
    const client = await httpClient(guarded.url, "s3cret")
    try {
      const result = await client.callTool({ name: "execute", arguments: { code: "return 6 * 7" } })
      expect(textOf(result)).toBe("42")
    } finally {
      await client.close()
    }
  })

  it("refuses requests without a session and foreign Host headers", async () => {
    const list = await fetch(open.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    })
    expect(list.status).toBe(400)
    expect(await list.text()).toContain("start with an initialize request")
    const notFound = await fetch(open.url.replace("/mcp", "/other"))
    expect(notFound.status).toBe(404)
    const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "0" } } }
    // fetch may not set Host: a raw request does, as a DNS-rebinding page would
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(open.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", host: "evil.example" } }, (res) => {
        res.resume()
        resolve(res.statusCode)
      })
      req.on("error", reject)
      req.end(JSON.stringify(initialize))
    })
    expect(status).toBe(403)
  })

  it("answers a body that is not JSON with -32700, and one over maxBodyBytes with 413, closing that connection", async () => {
    const bad = await fetch(open.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "this is not json" })
    expect(bad.status).toBe(400)
    expect((await bad.json()) as unknown).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } })
    const small = await listenHttp(server, { port: 0, maxBodyBytes: 1024 })
    try {
      const big = await fetch(small.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(4096) }) })
      expect(big.status).toBe(413)
      expect(big.headers.get("connection")).toBe("close")
      expect(await big.text()).toContain("request body over 1024 bytes")
      expect((await initialize(small.url)).status).toBe(200) // the next request works
    } finally {
      await small.close()
    }
  })
})

/** Reads server-sent events from a fetch response body until `until` returns true for a message. */
async function readEvents(res: Response, until: (message: Record<string, unknown>) => boolean): Promise<Array<Record<string, unknown>>> {
  const messages: Array<Record<string, unknown>> = []
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ""
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return messages
    buffer += value
    let end: number
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const data = buffer.slice(0, end).split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("")
      buffer = buffer.slice(end + 2)
      if (!data) continue
      const message = JSON.parse(data) as Record<string, unknown>
      messages.push(message)
      if (until(message)) {
        void reader.cancel()
        return messages
      }
    }
  }
}

describe("approvals over HTTP", () => {
  it("asks on the stream of the tools/call itself, so a client without the optional GET stream gets the question", async () => {
    const sent: number[] = []
    const server = await createCodeModeServer({
      sources: [functions("shop", { refund: { input: {}, run: () => (sent.push(1), "refunded") } })],
      policy: { rules: [{ tool: "shop.refund", action: "ask" }] },
      approvalTimeoutMs: 5_000,
    })
    const endpoint = await listenHttp(server, { port: 0 })
    try {
      const init = { ...INITIALIZE, params: { ...INITIALIZE.params, capabilities: { elicitation: { form: {} } } } }
      const first = await fetch(endpoint.url, { method: "POST", headers: JSON_AND_SSE, body: JSON.stringify(init) })
      const session = first.headers.get("mcp-session-id")!
      await first.text()
      const headers = { ...JSON_AND_SSE, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" }
      await (await fetch(endpoint.url, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) })).text()
      const call = await fetch(endpoint.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "execute", arguments: { code: "return await codemode.shop.refund({})" } } }),
      })
      let asked: Record<string, unknown> | undefined
      const messages = await readEvents(call, (m) => {
        if (m.method === "elicitation/create" && !asked) {
          asked = m
          // answer it on a POST of its own, as the spec says
          void fetch(endpoint.url, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id: m.id, result: { action: "accept", content: { approve: true } } }) }).then((r) => r.text())
        }
        return m.id === 2
      })
      expect(asked).toMatchObject({ method: "elicitation/create", params: { message: expect.stringContaining("shop.refund") } })
      expect(JSON.stringify(messages.at(-1))).toContain("refunded")
      expect(sent).toEqual([1])
    } finally {
      await endpoint.close()
      await server.close()
    }
  })
})

const INITIALIZE = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } }
const JSON_AND_SSE = { "content-type": "application/json", accept: "application/json, text/event-stream" }

/** An initialize-only client: one POST, the session id it got (if any), the status and body. */
async function initialize(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: "POST", headers: { ...JSON_AND_SSE, ...headers }, body: JSON.stringify(INITIALIZE) })
  return { status: res.status, session: res.headers.get("mcp-session-id") ?? undefined, body: await res.text(), retryAfter: res.headers.get("retry-after") }
}

describe("Streamable HTTP sessions", () => {
  let server: CodeModeServer
  beforeAll(async () => {
    server = await createCodeModeServer({ sources: [functions("util", { echo: { input: {}, run: (args: unknown) => args } })] })
  })
  afterAll(async () => {
    await server?.close()
  })

  it("closes a session idle for idleTimeoutMs, not one with an open stream; the id then gets 404 'session expired; initialize again'", async () => {
    const endpoint = await listenHttp(server, { port: 0, idleTimeoutMs: 300 })
    try {
      // the SDK client keeps a GET stream open for server notifications: it is not idle
      const client = await httpClient(endpoint.url)
      expect(endpoint.sessions()).toBe(1)
      const { session } = await initialize(endpoint.url)
      expect(endpoint.sessions()).toBe(2)
      expect(await waitFor(() => endpoint.sessions() === 1, 10_000)).toBe(true)
      const res = await fetch(endpoint.url, {
        method: "POST",
        headers: { ...JSON_AND_SSE, "mcp-session-id": session as string, "mcp-protocol-version": "2025-06-18" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      })
      expect(res.status).toBe(404)
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe("session expired (idle for more than 300 ms); initialize again")
      await new Promise((r) => setTimeout(r, 400))
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["execute"])
      await client.close()
      expect(await waitFor(() => endpoint.sessions() === 0, 10_000)).toBe(true)
    } finally {
      await endpoint.close()
    }
  })

  it("keeps at most maxSessions: the next initialize gets 503 with a JSON-RPC error naming the cap", async () => {
    const log: Array<[ServerLogLevel, string]> = []
    const endpoint = await listenHttp(server, { port: 0, maxSessions: 2, log: (level, message) => void log.push([level, message]) })
    try {
      const first = await initialize(endpoint.url)
      const second = await initialize(endpoint.url)
      expect([first.status, second.status]).toEqual([200, 200])
      const third = await initialize(endpoint.url)
      expect(third.status).toBe(503)
      expect(third.retryAfter).toMatch(/^\d+$/)
      expect(JSON.parse(third.body)).toEqual({
        jsonrpc: "2.0",
        id: 1,
        error: { code: -32000, message: "too many sessions: this server keeps at most 2 open (maxSessions, --max-sessions); close unused sessions (DELETE) or retry later" },
      })
      expect(log).toEqual([["warn", "[codemode] [http] refused a new session from 127.0.0.1: 2 sessions open, the most allowed (503)"]])
      // a refused initialize (it cannot take the event stream) does not take a place
      expect((await initialize(endpoint.url, { accept: "application/json" })).status).toBe(503)
      const deleted = await fetch(endpoint.url, { method: "DELETE", headers: { "mcp-session-id": first.session as string, "mcp-protocol-version": "2025-06-18" } })
      expect(deleted.status).toBe(200)
      expect(endpoint.sessions()).toBe(1)
      expect((await initialize(endpoint.url, { accept: "application/json" })).status).toBe(406)
      expect(endpoint.sessions()).toBe(1)
      expect((await initialize(endpoint.url)).status).toBe(200)
    } finally {
      await endpoint.close()
    }
  })

  it("logs refused requests, one line each, at most 5 per 10 s", async () => {
    const log: Array<[ServerLogLevel, string]> = []
    const endpoint = await listenHttp(server, { port: 0, token: "s3cret", log: (level, message) => void log.push([level, message]) })
    try {
      expect((await initialize(endpoint.url)).status).toBe(401)
      expect((await initialize(endpoint.url, { authorization: "Bearer nope" })).status).toBe(401)
      expect((await initialize(endpoint.url, { authorization: "Basic eDp5" })).status).toBe(401)
      for (let i = 0; i < 5; i++) await initialize(endpoint.url)
      expect(log.slice(0, 3)).toEqual([
        ["warn", "[codemode] [http] refused POST request from 127.0.0.1: no Authorization header (401)"],
        ["warn", "[codemode] [http] refused POST request from 127.0.0.1: a wrong bearer token (401)"],
        ["warn", "[codemode] [http] refused POST request from 127.0.0.1: an Authorization header that is not a bearer token (401)"],
      ])
      expect(log).toHaveLength(5)
      expect((await initialize(endpoint.url, { authorization: "Bearer s3cret" })).status).toBe(200)
    } finally {
      await endpoint.close()
    }
  })
})
