/**
 * Failed tool calls as the model reads them, through the server face with a real MCP server
 * (test/fixtures/mcp/test-server.mjs): the position of the call, and whose failure it was — the
 * tool's (check the arguments) or its server's (it crashed; a retry may work).
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createCodeModeServer, type CodeModeServer } from "../../src/server/server.js"
import { mcp } from "../../src/tools/mcp/index.js"
import { fixtureServer } from "../fixtures/mcp/servers.js"
import { connect, textOf } from "./helpers.js"

describe("tool call failures", () => {
  let server: CodeModeServer
  let client: Client

  beforeAll(async () => {
    server = await createCodeModeServer({ sources: [mcp("t", { ...fixtureServer("test-server.mjs"), env: { PAGE_SIZE: "50" } })] })
    client = await connect(server)
  })
  afterAll(async () => {
    await client?.close()
    await server?.close()
  })

  const run = async (code: string) => {
    const result = await client.callTool({ name: "execute", arguments: { code } })
    return { text: textOf(result), isError: result.isError }
  }

  it("points at the failing call and says the tool failed on its input", async () => {
    const { text, isError } = await run("const ok = await codemode.t.echo({ message: 'hi' })\nconst quota = await codemode.t.fail({})\nreturn [ok, quota]")
    expect(isError).toBe(true)
    const lines = text.split("\n")
    expect(lines[0]).toBe('runtime error at line 2, column 21: Error: codemode.t.fail({}) failed: tool "t.fail" failed: disk quota exceeded')
    expect(lines.slice(1, 4)).toEqual([
      "  1 | const ok = await codemode.t.echo({ message: 'hi' })",
      "> 2 | const quota = await codemode.t.fail({})",
      "    |                     ^",
    ])
    expect(lines[4]).toBe("The tool call failed: check its arguments against the declarations, or catch the error (try/catch) and go on.")
  })

  it("says the server crashed and that a retry may work, and the retry does", async () => {
    const { text } = await run("return await codemode.t.crash({})")
    const lines = text.split("\n")
    expect(lines[0]).toMatch(/^runtime error at line 1, column 14: Error: codemode\.t\.crash\(\{\}\) failed: the MCP server closed the connection during tool "t\.crash".*simulated crash.*restarted on the next call$/)
    expect(lines).toContain(
      "The tool's server crashed or disconnected during the call; this is not a problem with your code or its arguments. It is restarted on the next call, so a retry may work (the failed call may or may not have taken effect).",
    )
    expect(text).not.toContain("check its arguments")
    const again = await run("return await codemode.t.echo({ message: 'back' })")
    expect(again.text).toMatch(/^back\n/)
  })
})
