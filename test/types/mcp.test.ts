/**
 * Declarations for the tools of real MCP servers from npm (server-everything, server-memory,
 * server-filesystem, started over stdio) compile with `--strict` and zero errors.
 */
import { mkdtemp, rm } from "node:fs/promises"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { uniqueIdentifiers } from "../../src/tools/identifiers.js"
import type { JSONSchema, Tool } from "../../src/tools/tool.js"
import { generateDeclarations } from "../../src/types/index.js"
import { checkDeclarations } from "./compile.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const server = (pkg: string) => path.join(repoRoot, "node_modules/@modelcontextprotocol", pkg, "dist/index.js")

/** Lists a server's tools with the MCP SDK client and turns them into `Tool`s of `namespace`. */
async function listTools(namespace: string, args: string[]): Promise<Tool[]> {
  const client = new Client({ name: "codemode-types-test", version: "0.0.0" })
  const transport = new StdioClientTransport({ command: process.execPath, args, stderr: "ignore" })
  await client.connect(transport)
  try {
    const listed = []
    let cursor: string | undefined
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor })
      listed.push(...page.tools)
      cursor = page.nextCursor
    } while (cursor !== undefined)
    const names = uniqueIdentifiers(listed.map((t) => t.name))
    return listed.map((t, i) => ({
      name: names[i]!,
      namespace,
      ...(t.description !== undefined && { description: t.description }),
      inputSchema: t.inputSchema as JSONSchema,
      ...(t.outputSchema !== undefined && { outputSchema: t.outputSchema as JSONSchema }),
      call: async () => null,
    }))
  } finally {
    await client.close()
  }
}

describe("declarations for real MCP servers", () => {
  let dir: string
  let tools: Tool[]

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "codemode-types-"))
    tools = [
      ...(await listTools("everything", [server("server-everything"), "stdio"])),
      ...(await listTools("memory", [server("server-memory")])),
      ...(await listTools("filesystem", [server("server-filesystem"), dir])),
    ]
  })
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it("compiles with zero errors and declares every tool", () => {
    const dts = generateDeclarations(tools)
    expect(checkDeclarations(dts)).toEqual([])
    for (const ns of ["everything", "memory", "filesystem"]) expect(tools.filter((t) => t.namespace === ns).length).toBeGreaterThan(3)
    for (const t of tools) expect(dts).toMatch(new RegExp(`\\n  function ${t.name}\\(`))
  })

  it("types the real tools precisely enough to catch mistakes", () => {
    const dts = generateDeclarations(tools)
    expect(dts).toContain("function create_entities(args: CreateEntitiesArgs): Promise<CreateEntitiesResult>")
    expect(dts).toContain("function read_graph(): Promise<ReadGraphResult>")
    const ok = `async function f() {
      const g = await codemode.memory.create_entities({ entities: [{ name: "a", entityType: "t", observations: [] }] })
      const names: string[] = g.entities.map((e) => e.name)
      const text = await codemode.filesystem.read_text_file({ path: "/x", head: 2 })
      return [names, await codemode.everything.echo({ message: "hi" }), text]
    }`
    expect(checkDeclarations(dts, ok)).toEqual([])
    const wrong = `codemode.memory.create_entities({ entities: [{ name: "a" }] })`
    expect(checkDeclarations(dts, wrong).join("\n")).toMatch(/entityType/)
  })
})
