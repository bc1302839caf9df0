/** The MCP face of procedures: `execute` takes `saveAs` on a server that keeps them, and the procedure joins the catalog. */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { createCodeModeServer } from "../../src/server/server.js"
import { state } from "../../src/tools/state/source.js"
import { connect, textOf } from "./helpers.js"

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

describe("procedures over MCP", () => {
  it("saves the program execute ran and serves it as codemode.procedures.<name>", async () => {
    const dir = await mkdtemp(join(tmpdir(), "codemode-mcp-procedures-"))
    dirs.push(dir)
    const db = join(dir, "app.db")
    const server = await createCodeModeServer({
      sources: [state("state", { db, collections: { notes: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } } })],
      procedures: { db },
      typecheck: "off",
    })
    const client = await connect(server)
    try {
      const { tools } = await client.listTools()
      const execute = tools.find((t) => t.name === "execute")
      expect(Object.keys(execute?.inputSchema.properties ?? {})).toEqual(["code", "saveAs"])
      const saved = await client.callTool({ name: "execute", arguments: { code: 'return await codemode.state.notes.insert({ text: input.text ?? "hello" })', saveAs: { name: "addNote", description: "Adds a note." } } })
      expect(textOf(saved)).toContain("Saved as procedure codemode.procedures.addNote(input) (version 1).")
      const called = await client.callTool({ name: "execute", arguments: { code: 'return (await codemode.procedures.addNote({ text: "via MCP" })).text' } })
      expect(textOf(called)).toContain("via MCP")
      expect(server.tools().map((t) => `${t.namespace}.${t.name}`)).toContain("procedures.addNote")
    } finally {
      await client.close()
      await server.close()
    }
  })
})
