/** Streamable HTTP on 127.0.0.1: sessions, the bearer token, the Host check, clean close. */
import { request } from "node:http"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { listenHttp, type HttpEndpoint } from "../../src/server/http.js"
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
})
