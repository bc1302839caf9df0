import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { z } from "zod"
import { createCodeMode } from "../../src/runtime/codemode.js"
import { createRedactor, REDACTED } from "../../src/runtime/redact.js"
import { filterTools } from "../../src/tools/filter.js"
import { functions } from "../../src/tools/functions.js"
import { mcp } from "../../src/tools/mcp/index.js"
import { openapi, type OpenApiOptions } from "../../src/tools/openapi/index.js"
import { defineSource } from "../../src/tools/tool.js"
import { startNotesServer, type NotesServer } from "../fixtures/openapi/server.js"

const TOKEN = "s3cret-token-value"
const ENV = "CODEMODE_TEST_SECRETS_TOKEN"

let server: NotesServer
beforeAll(async () => {
  server = await startNotesServer(TOKEN)
})
afterAll(async () => {
  await server.close()
})

const notes = (options: Partial<OpenApiOptions>) => openapi("notes", { spec: `${server.origin}/openapi.json`, ...options })

describe("openapi() reports the credentials it sends", () => {
  it("reports each kind of auth, and an echo of it is fully redacted", async () => {
    const cases: Array<[OpenApiOptions["auth"], string[]]> = [
      [{ bearer: TOKEN }, [TOKEN]],
      [{ header: { name: "X-Api-Key", value: () => "key-from-callback" } }, ["key-from-callback"]],
      [{ query: { name: "api_key", value: async () => "query key&1" } }, ["query key&1"]],
      [{ basic: { username: "ann-the-user", password: "hunter22" } }, ["ann-the-user", "hunter22", Buffer.from("ann-the-user:hunter22").toString("base64")]],
    ]
    for (const [auth, expected] of cases) {
      const source = notes({ auth })
      const secrets = await source.secrets!()
      for (const s of expected) expect(secrets).toContain(s)
      const echo = await (await source.load()).find((t) => t.name === "echo")!.call({ name: "x" }, {})
      const redacted = JSON.stringify(createRedactor(secrets).value(echo))
      for (const s of expected) expect(redacted).not.toContain(s)
      expect(redacted).toContain(REDACTED)
    }
  })

  it("reports static headers whose name looks like a credential, and only those", async () => {
    const source = notes({
      headers: { Authorization: "Token static-auth", "X-Auth-Token": "tok123456", Cookie: "sid=abcdef", "X-GitHub-Api-Version": "2022-11-28", Accept: "application/json" },
    })
    expect((await source.secrets!()).sort()).toEqual(["Token static-auth", "sid=abcdef", "tok123456"])
  })

  it("resolves env secrets when asked, and leaves out one that is not set", async () => {
    const source = notes({ auth: { bearer: { env: ENV } }, headers: { "X-Api-Key": "static-key" } })
    delete process.env[ENV]
    expect(await source.secrets!()).toEqual(["static-key"])
    process.env[ENV] = "from-the-env"
    try {
      expect(await source.secrets!()).toEqual(["from-the-env", "static-key"])
    } finally {
      delete process.env[ENV]
    }
  })

  it("reports nothing without auth or credential headers", async () => {
    expect(await notes({}).secrets!()).toEqual([])
  })
})

describe("mcp() reports the credentials in its config", () => {
  it("reports every stdio env value of 6 characters or more, without starting the server", async () => {
    const source = mcp("x", { command: "definitely-not-a-command", env: { API_TOKEN: "abc123xyz", DEBUG: "1", PORT: "8080", REGION: "eu-west-1" } })
    expect((await source.secrets()).sort()).toEqual(["abc123xyz", "eu-west-1"])
    expect(source.status().state).toBe("idle")
    await source.close()
  })

  it("reports the HTTP header values", async () => {
    const source = mcp("x", { url: "http://127.0.0.1:1/mcp", headers: { Authorization: "Bearer mcp-token-1", "X-Tenant": "acme" } })
    expect(await source.secrets()).toEqual(["Bearer mcp-token-1", "acme"])
    expect(await mcp("y", { command: "x" }).secrets()).toEqual([])
  })

  it("reports a URL's password and query values, and a failing source's messages say none of them", async () => {
    const url = "http://user:pa55word-xyz@127.0.0.1:1/mcp?api_key=querysecret456&v=1"
    expect((await mcp("x", { url }).secrets()).sort()).toEqual(["pa55word-xyz", "querysecret456"])
    const changes: string[] = []
    const cm = await createCodeMode({ sources: [mcp("leaky", { url })], background: { graceMs: 10 }, onSourceChange: (c) => changes.push(c.message), typecheck: "off" })
    try {
      for (let i = 0; i < 200 && changes.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      const result = await cm.execute("return await codemode.leaky.anything({})")
      const seen = JSON.stringify([changes, result])
      expect(changes.length).toBeGreaterThan(0)
      expect(seen).toContain("leaky")
      expect(seen).not.toMatch(/querysecret456|pa55word-xyz/)
    } finally {
      await cm.close()
    }
  })
})

describe("secrets through filterTools and functions()", () => {
  it("filterTools passes secrets through, and adds none to a source without them", async () => {
    const source = notes({ auth: { bearer: TOKEN } })
    const filtered = filterTools(source, { include: ["echo"] })
    expect(await filtered.secrets!()).toEqual([TOKEN])
    expect((await filtered.load()).map((t) => t.name)).toEqual(["echo"])
    const plain = filterTools(defineSource({ namespace: "p", kind: "custom", load: async () => [] }), { exclude: ["x"] })
    expect(plain.secrets).toBeUndefined()
  })

  it("functions() has no secrets", () => {
    expect(functions("fns", { one: { input: z.object({}), run: () => 1 } }).secrets).toBeUndefined()
  })
})
