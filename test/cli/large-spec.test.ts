/**
 * `codemode serve` and `codemode tokens` as subprocesses on the Graph-like spec (11,422 operations,
 * schemas that reach each other in cycles; test/fixtures/openapi/graph-like.ts): serve answers
 * tools/list and a search, tokens finishes and says plainly why the naive list is not representable.
 * The time limits are generous safety timeouts; the figures are in `npm run bench -- startup`.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { graphLikeSpec } from "../fixtures/openapi/graph-like.js"
import { CLI_ARGS, ROOT, textOf } from "../server/helpers.js"

const run = promisify(execFile)

describe("a Graph-like spec through the CLI", () => {
  let dir: string
  let spec: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "codemode-large-"))
    spec = join(dir, "graph-like.json")
    writeFileSync(spec, JSON.stringify(graphLikeSpec()))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("serve lists search + execute and answers a search", async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [...CLI_ARGS, "serve", "--openapi", spec, "--namespace", "graph"], cwd: ROOT, stderr: "ignore" })
    const client = new Client({ name: "large-spec-test", version: "0" })
    try {
      await client.connect(transport, { timeout: 240_000 })
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name)).toEqual(["search", "execute"])
      expect(tools[0]?.description).toContain("Search the 11422 API functions")
      const found = textOf(await client.callTool({ name: "search", arguments: { query: "list the messages of a user" } }, undefined, { timeout: 240_000 }))
      expect(found).toMatch(/declare namespace codemode\.graph \{[\s\S]*function \w+\(/)
    } finally {
      await client.close()
    }
  }, 300_000)

  it("tokens finishes and says why the naive list is not representable", async () => {
    const { stdout } = await run(process.execPath, [...CLI_ARGS, "tokens", "--openapi", spec, "--namespace", "graph", "--json"], { cwd: ROOT, timeout: 600_000 })
    const report = JSON.parse(stdout) as { operations: number; naiveTokens: number | null; ratio: number | null; fixedTokens: number; naiveTooLarge?: Array<{ namespace: string; reason: string }> }
    expect(report).toMatchObject({ operations: 11_422, naiveTokens: null, ratio: null })
    expect(report.fixedTokens).toBeLessThan(1_000)
    expect(report.naiveTooLarge).toEqual([{ namespace: "graph", reason: expect.stringMatching(/more than [\d,]+ characters of JSON .*refer to each other in cycles/) }])
  }, 600_000)
})
