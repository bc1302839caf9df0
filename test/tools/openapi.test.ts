import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { openapi, type OpenApiOptions } from "../../src/tools/openapi/index.js"
import type { Tool } from "../../src/tools/tool.js"
import { startNotesServer, type NotesServer } from "../fixtures/openapi/server.js"

const TOKEN = "s3cret-token-value"
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/openapi/${name}`, import.meta.url))

let server: NotesServer
beforeAll(async () => {
  server = await startNotesServer(TOKEN)
})
afterAll(async () => {
  await server.close()
})

async function loadTools(options: Partial<OpenApiOptions> = {}): Promise<Record<string, Tool>> {
  const tools = await openapi("notes", { spec: `${server.origin}/openapi.json`, auth: { bearer: TOKEN }, ...options }).load()
  return Object.fromEntries(tools.map((t) => [t.name, t]))
}

async function rejection(promise: Promise<unknown>): Promise<CodeModeError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!CodeModeError.is(err)) throw new Error(`expected a CodeModeError, got ${String(err)}`)
  return err
}

describe("openapi source against a real HTTP server", () => {
  it("loads the spec from a URL and resolves the relative server URL against it", async () => {
    const tools = await loadTools()
    expect(Object.keys(tools).sort()).toEqual(
      ["PATCH_notes_id", "boom", "createNote", "deleteNote", "echo", "echoForm", "redirect", "getNote", "getText", "listNotes", "slow"].sort(),
    )
    const notes = await tools.listNotes!.call({}, {})
    expect(notes).toEqual([{ id: 1, title: "first", tags: ["a"] }])
    expect(server.requests.at(-1)?.url).toBe("/api/notes")
  })

  it("loads the same tools from the YAML file and the gzip JSON file", async () => {
    const fromYaml = await openapi("notes", { spec: fixture("notes.yaml"), baseUrl: server.baseUrl }).load()
    const fromGz = await openapi("notes", { spec: fixture("notes.json.gz"), baseUrl: server.baseUrl }).load()
    expect(fromGz.map((t) => t.name)).toEqual(fromYaml.map((t) => t.name))
    expect(fromGz.map((t) => t.inputSchema)).toEqual(fromYaml.map((t) => t.inputSchema))
  })

  it("creates, reads, renames and deletes a note end to end", async () => {
    const tools = await loadTools()
    const created = (await tools.createNote!.call({ body: { title: "groceries", tags: ["home"] } }, {})) as { id: number }
    expect(created).toMatchObject({ title: "groceries", tags: ["home"] })
    expect(await tools.getNote!.call({ id: created.id }, {})).toEqual(created)
    expect(await tools.listNotes!.call({ tag: ["home"], limit: 5 }, {})).toEqual([created])
    expect(server.requests.at(-1)?.url).toBe("/api/notes?limit=5&tag=home")
    expect(await tools.PATCH_notes_id!.call({ id: String(created.id), body: { title: "shopping" } }, {})).toMatchObject({ title: "shopping" })
    expect(await tools.deleteNote!.call({ id: created.id }, {})).toBeNull()
    const err = await rejection(tools.getNote!.call({ id: created.id }, {}))
    expect(err.code).toBe("TOOL_CALL_FAILED")
    expect(err.data).toMatchObject({ status: 404, tool: "getNote" })
    expect(err.message).toContain("HTTP 404")
    expect(err.message).toContain(`note ${created.id} not found`)
  })

  it("serializes path, deepObject and non-exploded query, header and cookie parameters", async () => {
    const tools = await loadTools()
    const echo = (await tools.echo!.call(
      { name: "a b/c", filter: { state: "open", kind: "x" }, ids: [1, 2, 3], where: { x: 1 }, "X-Trace": "t-1", session: "abc" },
      {},
    )) as { path: string; query: string[][]; headers: Record<string, string> }
    expect(echo.path).toBe("/api/echo/a%20b%2Fc")
    expect(echo.query).toEqual([
      ["filter[state]", "open"],
      ["filter[kind]", "x"],
      ["ids", "1,2,3"],
      ["where", '{"x":1}'],
    ])
    expect(echo.headers["x-trace"]).toBe("t-1")
    expect(echo.headers.cookie).toBe("session=abc")
  })

  it("sends form-encoded request bodies", async () => {
    const tools = await loadTools()
    const echo = (await tools.echoForm!.call({ name: "f", body: { a: "x y", b: [1, 2] } }, {})) as { body: string; headers: Record<string, string> }
    expect(echo.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/)
    expect(echo.body).toBe("a=x+y&b=1&b=2")
  })

  it("reports a spec URL that cannot be fetched, and loads fine on retry", async () => {
    const source = openapi("notes", { spec: `${server.origin}/missing.json` })
    const err = await rejection(source.load())
    expect(err.code).toBe("SOURCE_UNAVAILABLE")
    expect(err.message).toContain("HTTP 404")
    let attempts = 0
    const flaky: typeof fetch = (input, init) => (attempts++ === 0 ? Promise.reject(new Error("connection reset")) : fetch(input, init))
    const retried = openapi("notes", { spec: `${server.origin}/openapi.json`, fetch: flaky })
    expect((await rejection(retried.load())).message).toContain("connection reset")
    const [first, second] = await Promise.all([retried.load(), retried.load()])
    expect(first).toBe(second)
    expect(first).toHaveLength(11)
    expect(attempts).toBe(2)
  })

  it("keeps credentials on same-origin redirects and drops them across origins", async () => {
    const other = await startNotesServer("other")
    try {
      for (const auth of [{ bearer: TOKEN }, { query: { name: "api_key", value: TOKEN } }] as const) {
        const tools = await loadTools({ auth, headers: { "X-Static": "s" } })
        type Echo = { path: string; query: string[][]; headers: Record<string, string> }
        const same = (await tools.redirect!.call({ to: `${server.origin}/api/echo/same` }, {})) as Echo
        expect(same.path).toBe("/api/echo/same")
        expect(JSON.stringify(same)).toContain(TOKEN)
        expect(same.headers["x-static"]).toBe("s")
        const away = (await tools.redirect!.call({ to: `${other.origin}/api/echo/away` }, {})) as Echo
        expect(away.path).toBe("/api/echo/away")
        expect(JSON.stringify(away)).not.toContain(TOKEN)
        expect(away.headers["x-static"]).toBeUndefined()
      }
    } finally {
      await other.close()
    }
  })

  it("uses an operation's own servers entry unless baseUrl is given", async () => {
    const spec = (opServer: string) => ({
      openapi: "3.0.3",
      servers: [{ url: "http://127.0.0.1:9/nothing-here" }],
      paths: {
        "/echo/{name}": {
          get: { operationId: "echo", servers: [{ url: opServer }], parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }], responses: {} },
        },
      },
    })
    const [own] = await openapi("t", { spec: spec(server.baseUrl) }).load()
    expect(await own!.call({ name: "op" }, {})).toMatchObject({ path: "/api/echo/op" })
    const [overridden] = await openapi("t", { spec: spec("http://127.0.0.1:9/x"), baseUrl: server.baseUrl }).load()
    expect(await overridden!.call({ name: "base" }, {})).toMatchObject({ path: "/api/echo/base" })
  })

  it("refuses dot segments as path parameters", async () => {
    const tools = await loadTools()
    for (const id of [".", ".."]) {
      const err = await rejection(tools.getNote!.call({ id }, {}))
      expect(err.code).toBe("TOOL_INPUT_INVALID")
      expect(err.message).toContain('path parameter "id"')
    }
  })

  it("returns text responses as strings, up to maxResponseBytes", async () => {
    const tools = await loadTools({ maxResponseBytes: 11 })
    expect(await tools.getText!.call({}, {})).toBe("hello\nworld")
    const small = await loadTools({ maxResponseBytes: 10 })
    const err = await rejection(small.getText!.call({}, {}))
    expect(err.code).toBe("TOOL_CALL_FAILED")
    expect(err.message).toContain("more than 10 bytes (option maxResponseBytes)")
  })

  it("injects each kind of auth on the host, resolving env secrets at call time", async () => {
    const echoWith = async (auth: OpenApiOptions["auth"], extra: Partial<OpenApiOptions> = {}) => {
      const tools = await loadTools({ auth, ...extra })
      return (await tools.echo!.call({ name: "x" }, {})) as { query: string[][]; headers: Record<string, string> }
    }
    expect((await echoWith({ bearer: TOKEN })).headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect((await echoWith({ header: { name: "X-Api-Key", value: () => "from-callback" } })).headers["x-api-key"]).toBe("from-callback")
    expect((await echoWith({ query: { name: "api_key", value: async () => "k&1" } })).query).toEqual([["api_key", "k&1"]])
    const basic = await echoWith({ basic: { username: "ann", password: "pw" } }, { headers: { "X-Static": "yes" } })
    expect(basic.headers.authorization).toBe(`Basic ${Buffer.from("ann:pw").toString("base64")}`)
    expect(basic.headers["x-static"]).toBe("yes")

    const name = "CODEMODE_TEST_OPENAPI_TOKEN"
    const tools = await loadTools({ auth: { bearer: { env: name } } })
    delete process.env[name]
    const missing = await rejection(tools.listNotes!.call({}, {}))
    expect(missing.code).toBe("CONFIG_INVALID")
    expect(missing.message).toContain(name)
    process.env[name] = TOKEN
    try {
      expect(await tools.listNotes!.call({ limit: 1 }, {})).toHaveLength(1)
    } finally {
      delete process.env[name]
    }
  })

  it("keeps the secret out of tools and error messages", async () => {
    const tools = await loadTools()
    expect(JSON.stringify(Object.values(tools))).not.toContain(TOKEN)
    const err = await rejection(tools.boom!.call({}, {}))
    expect(err.code).toBe("TOOL_CALL_FAILED")
    expect(err.data).toMatchObject({ status: 500 })
    expect(err.message).not.toContain(TOKEN)
    expect(err.message).toContain("Bearer ***")
    const body = err.data?.body as string
    expect(body.length).toBeLessThanOrEqual(520)
    expect(body.endsWith("(truncated)")).toBe(true)
  })

  it("rejects a wrong token with the server's 401 as a tool error", async () => {
    const tools = await loadTools({ auth: { bearer: "wrong" } })
    const err = await rejection(tools.listNotes!.call({}, {}))
    expect(err.code).toBe("TOOL_CALL_FAILED")
    expect(err.data).toMatchObject({ status: 401, body: '{"error":"unauthorized"}' })
  })

  it("validates arguments before any request is sent", async () => {
    const tools = await loadTools()
    const before = server.requests.length
    const missing = await rejection(tools.getNote!.call({}, {}))
    expect(missing.code).toBe("TOOL_INPUT_INVALID")
    expect(missing.message).toContain('missing required path parameter "id"')
    const noBody = await rejection(tools.createNote!.call({}, {}))
    expect(noBody.message).toContain('"body"')
    const unknown = await rejection(tools.listNotes!.call({ limt: 3 }, {}))
    expect(unknown.message).toContain('unknown argument "limt"')
    expect(unknown.message).toContain("limit")
    const badHeader = await rejection(tools.echo!.call({ name: "x", "X-Trace": "a\r\nInjected: 1" }, {}))
    expect(badHeader.code).toBe("TOOL_INPUT_INVALID")
    expect(badHeader.message).toContain("cannot build the request")
    const notObject = await rejection(tools.listNotes!.call([1], {}))
    expect(notObject.code).toBe("TOOL_INPUT_INVALID")
    expect(server.requests.length).toBe(before)
  })

  it("times out with TOOL_TIMEOUT and honours the caller's AbortSignal", async () => {
    const tools = await loadTools({ timeoutMs: 100 })
    const timedOut = await rejection(tools.slow!.call({ ms: 5_000 }, {}))
    expect(timedOut.code).toBe("TOOL_TIMEOUT")
    expect(timedOut.message).toContain("100 ms")
    const controller = new AbortController()
    const pending = tools.slow!.call({ ms: 5_000 }, { signal: controller.signal })
    setTimeout(() => controller.abort(), 20)
    expect((await rejection(pending)).code).toBe("ABORTED")
  })

  it("reports an unreachable API as SOURCE_UNAVAILABLE and a spec without servers as CONFIG_INVALID", async () => {
    const down = await loadTools({ baseUrl: "http://127.0.0.1:9/api" })
    expect((await rejection(down.getText!.call({}, {}))).code).toBe("SOURCE_UNAVAILABLE")
    const noServers = await openapi("notes", { spec: { openapi: "3.0.3", paths: { "/x": { get: { responses: {} } } } } }).load()
    const err = await rejection(noServers[0]!.call({}, {}))
    expect(err.code).toBe("CONFIG_INVALID")
    expect(err.message).toContain("baseUrl")
  })
})
