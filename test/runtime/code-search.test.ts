/**
 * Code search: a program over the catalog's view, run in the real QuickJS sandbox, over the three
 * source kinds (functions, OpenAPI, a real npm MCP server), through the library and the MCP face.
 */
import { fileURLToPath } from "node:url"
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as z from "zod"
import { CodeModeError } from "../../src/errors.js"
import { createCodeMode, type CodeMode } from "../../src/runtime/codemode.js"
import { createCodeModeServer, type CodeModeServer } from "../../src/server/server.js"
import { functions } from "../../src/tools/functions.js"
import { mcp } from "../../src/tools/mcp/index.js"
import { openapi } from "../../src/tools/openapi/index.js"
import type { ToolSource } from "../../src/tools/tool.js"
import { npmServer } from "../fixtures/mcp/servers.js"
import { connect, textOf } from "../server/helpers.js"

const NOTES_SPEC = fileURLToPath(new URL("../fixtures/openapi/notes.yaml", import.meta.url))

const sources = (): ToolSource[] => [
  functions("math", {
    add: { description: "Add two numbers.\n\nReturns their sum.", input: z.object({ a: z.number().describe("First. More."), b: z.number() }), run: ({ a, b }) => a + b },
    negate: { description: "Negate a number.", input: z.object({ x: z.number() }), run: ({ x }) => -x },
  }),
  openapi("notes", { spec: NOTES_SPEC, baseUrl: "http://127.0.0.1:9/api" }),
  mcp("memory", npmServer("memory")),
]

describe("code search", () => {
  let cm: CodeMode
  beforeAll(async () => {
    cm = await createCodeMode({ sources: sources(), limits: { timeMs: 1_000 } })
  }, 30_000)
  afterAll(async () => {
    await cm?.close()
  })

  it("gives the program a typed view of every source kind", async () => {
    const view = await cm.search({ code: "JSON.stringify(tools.filter((t) => t.name === 'add' || t.name === 'listNotes' || t.name === 'create_entities'))" })
    const records = JSON.parse((view as { value: string }).value) as Array<Record<string, unknown>>
    expect(records.find((r) => r.namespace === "math")).toEqual({
      namespace: "math",
      name: "add",
      summary: "Add two numbers.",
      description: "Returns their sum.",
      tags: [],
      parameters: [
        { name: "a", type: "number", required: true, description: "First." },
        { name: "b", type: "number", required: true },
      ],
    })
    expect(records.find((r) => r.namespace === "notes")).toMatchObject({ name: "listNotes", summary: "List notes", method: "GET", path: "/notes", tags: ["notes"] })
    expect(records.find((r) => r.namespace === "memory")).toMatchObject({ name: "create_entities", tags: [], parameters: [expect.objectContaining({ name: "entities", required: true })] })
  })

  it("renders the picked tools as search does, in the program's order, from records or names", async () => {
    const result = await cm.search({ code: "(tools) => tools.filter((t) => /number/.test(t.summary)).reverse()" })
    expect(result).toMatchObject({ ok: true, matched: 2 })
    if (!result.ok) return
    expect(result.hits.map((h) => [h.name, h.detail, h.good])).toEqual([
      ["codemode.math.negate", "full", true],
      ["codemode.math.add", "compact", true],
    ])
    expect(result.hits[0]?.signature).toContain("function negate(args: NegateArgs)")
    expect(result.hits[1]?.signature).toBe("codemode.math.add({ a: number, b: number }): Promise<unknown> — Add two numbers.")
    const named = await cm.search({ code: 'return ["codemode.notes.listNotes", "memory.read_graph", "add", "add"]', limit: 2, detail: "full" })
    expect(named).toMatchObject({ ok: true, matched: 3, hits: [{ name: "codemode.notes.listNotes", operationId: "listNotes" }, { name: "codemode.memory.read_graph", detail: "full" }] })
  })

  it("returns any other value as it is, and an empty pick as no match", async () => {
    expect(await cm.search({ code: "[...new Set(tools.map((t) => t.namespace))]" })).toEqual({ ok: true, hits: [], matched: 0, value: ["math", "notes", "memory"], logs: [] })
    expect(await cm.search({ code: "console.log(tools.length); return []" })).toMatchObject({ ok: true, hits: [], matched: 0, logs: [{ level: "log", message: expect.stringMatching(/^\d+$/) }] })
    expect(await cm.search({ code: '["math.add", "no.such_tool"]' })).toMatchObject({ ok: true, hits: [], value: ["math.add", "no.such_tool"] })
  })

  it("reports the program's errors as execute does, positions in the program as sent", async () => {
    const thrown = await cm.search({ code: "tools.nope.length" })
    expect(thrown).toMatchObject({ ok: false, error: { kind: "runtime", line: 1, column: 11, message: expect.stringContaining("TypeError") } })
    const second = await cm.search({ code: "const n = tools.length\nreturn tools.filter((t) => t.tags.nope.x)" })
    expect(second).toMatchObject({ ok: false, error: { kind: "runtime", line: 2, excerpt: expect.stringContaining("> 2 | return tools.filter") } })
    expect(await cm.search({ code: "tools.filter(" })).toMatchObject({ ok: false, error: { kind: "syntax", line: 1, column: 14 } })
    // the same limits as execute, and no tool can be called from a search program
    expect(await cm.search({ code: "while (true) {}" })).toMatchObject({ ok: false, error: { kind: "timeout", limit: { name: "timeMs", value: 1_000 } } })
    const call = await cm.search({ code: "await codemode.math.add({ a: 1, b: 2 })" })
    expect(call.ok).toBe(false)
  })

  it("rejects bad requests with CONFIG_INVALID", async () => {
    const bad = [{}, { query: "add", code: "tools" }, { code: "tools", limit: 0 }, { code: "tools", namespace: "math" }]
    for (const request of bad) await expect(cm.search(request)).rejects.toSatisfy((e: unknown) => CodeModeError.is(e, "CONFIG_INVALID"))
    // the object form also takes a query, as the plain string form does
    const byWords = await cm.search({ query: "negate a number", limit: 1 })
    expect(byWords).toMatchObject({ ok: true, hits: [{ name: "codemode.math.negate" }] })
  })
})

describe("code search in the MCP search tool", () => {
  let server: CodeModeServer
  let client: Client
  beforeAll(async () => {
    server = await createCodeModeServer({ sources: sources().slice(0, 2), tokenBudget: 0 })
    client = await connect(server)
  }, 30_000)
  afterAll(async () => {
    await client?.close()
    await server?.close()
  })

  it("publishes the view's type and takes query or code", async () => {
    const { tools } = await client.listTools()
    const search = tools.find((t) => t.name === "search")
    expect(search?.description).toContain("Or pass `code`")
    expect(JSON.stringify(search?.inputSchema)).toContain("type Tool = { namespace: string; name: string;")
    const both = await client.callTool({ name: "search", arguments: { query: "add", code: "tools" } })
    expect(both.isError).toBe(true)
    expect(textOf(both)).toContain("pass either query or code")
  })

  it("answers a program with declarations, a value, or an execute-style error", async () => {
    const picked = textOf(await client.callTool({ name: "search", arguments: { code: "tools.filter((t) => t.method === 'GET')", limit: 1 } }))
    expect(picked).toMatch(/^\d functions matched your program, the first 1 shown \(raise limit, up to 20, or narrow the filter\)\. Call them in execute as written:\n\ndeclare namespace codemode\.notes \{/)
    const value = textOf(await client.callTool({ name: "search", arguments: { code: "tools.length" } }))
    expect(value).toMatch(/^Your program returned this \(not tools, so no declarations\):\n\d+$/)
    const failed = await client.callTool({ name: "search", arguments: { code: "\ntools.map((t) => t.x.y)" } })
    expect(failed.isError).toBe(true)
    expect(textOf(failed)).toMatch(/^runtime error at line 2, column \d+: TypeError/)
  })
})
