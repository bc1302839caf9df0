// mcp() over HTTP: the real server-everything hosted on 127.0.0.1 by test/fixtures/mcp/everything-http.mjs,
// over Streamable HTTP and legacy SSE.
import { afterEach, describe, expect, it } from "vitest"
import { mcp, type McpSource } from "../../src/tools/mcp/index.js"
import { failure, startHttpHost, toolNamed, type HttpHost } from "../fixtures/mcp/servers.js"

const sources: McpSource[] = []
const hosts: HttpHost[] = []
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()))
  await Promise.all(hosts.splice(0).map((h) => h.kill()))
})

async function host(options: { port?: number; token?: string } = {}): Promise<HttpHost> {
  const h = await startHttpHost(options)
  hosts.push(h)
  return h
}

function source(...args: Parameters<typeof mcp>): McpSource {
  const s = mcp(...args)
  sources.push(s)
  return s
}

describe("Streamable HTTP", () => {
  it("lists and calls tools of server-everything", async () => {
    const h = await host()
    const s = source("everything", { url: `${h.base}/mcp` })
    expect((await s.load()).map((t) => t.name)).toEqual(expect.arrayContaining(["echo", "get_sum", "get_structured_content"]))
    expect(s.status().transport).toBe("streamable-http")
    expect(await (await toolNamed(s, "echo")).call({ message: "over http" }, {})).toBe("Echo: over http")
    expect(await (await toolNamed(s, "get_structured_content")).call({ location: "New York" }, {})).toMatchObject({ temperature: 33 })
  })

  it("sends the configured headers", async () => {
    const h = await host({ token: "s3cret" })
    const denied = await failure(source("everything", { url: `${h.base}/mcp`, transport: "streamable-http" }).load())
    expect(denied.code).toBe("SOURCE_UNAVAILABLE")
    expect(denied.message).toContain("401")
    const s = source("everything", { url: `${h.base}/mcp`, headers: { Authorization: "Bearer s3cret" } })
    expect(await (await toolNamed(s, "echo")).call({ message: "authorized" }, {})).toBe("Echo: authorized")
  })

  it("fails the call in flight when the host dies, and reconnects once it is back", async () => {
    const h = await host()
    const s = source("everything", { url: `${h.base}/mcp`, pingTimeoutMs: 1_000 })
    const long = await toolNamed(s, "trigger_long_running_operation")
    const inFlight = failure(long.call({ duration: 10, steps: 10 }, {})) // handled from the start
    await new Promise((r) => setTimeout(r, 300))
    await h.kill()
    const error = await inFlight
    expect(error.code).toBe("SOURCE_UNAVAILABLE")
    // The same port, a new process that knows nothing of the old session.
    await host({ port: h.port })
    expect(await (await toolNamed(s, "echo")).call({ message: "again" }, {})).toBe("Echo: again")
    expect(s.status().connects).toBe(2)
  })

  it("reconnects transparently when the host restarted between calls", async () => {
    const h = await host()
    const s = source("everything", { url: `${h.base}/mcp` })
    const echo = await toolNamed(s, "echo")
    await h.kill()
    await host({ port: h.port })
    expect(await echo.call({ message: "new host" }, {})).toBe("Echo: new host")
    expect(s.status().connects).toBe(2)
  })

  it("retries once on a new session when the server answers 404 for a forgotten session", async () => {
    const h = await host()
    const s = source("everything", { url: `${h.base}/mcp` })
    const echo = await toolNamed(s, "echo")
    expect((await fetch(`${h.base}/forget`, { method: "POST" })).status).toBe(204)
    expect(await echo.call({ message: "new session" }, {})).toBe("Echo: new session")
    expect(s.status().connects).toBe(2)
  })

  it("reports an unreachable URL as SOURCE_UNAVAILABLE", async () => {
    const h = await host()
    await h.kill() // a port that was just free again
    const error = await failure(source("gone", { url: `${h.base}/mcp` }).load())
    expect(error.code).toBe("SOURCE_UNAVAILABLE")
    expect(error.message).toContain(`${h.base}/mcp`)
  })
})

describe("legacy SSE", () => {
  it("connects with transport: \"sse\"", async () => {
    const h = await host()
    const s = source("everything", { url: `${h.base}/sse`, transport: "sse" })
    expect(await (await toolNamed(s, "get_sum")).call({ a: 2, b: 3 }, {})).toBe("The sum of 2 and 3 is 5.")
    expect(s.status().transport).toBe("sse")
  })

  it("is the fallback when Streamable HTTP is refused", async () => {
    const h = await host()
    const s = source("everything", { url: `${h.base}/sse` })
    expect(await (await toolNamed(s, "echo")).call({ message: "fallback" }, {})).toBe("Echo: fallback")
    expect(s.status().transport).toBe("sse")
  })
})
