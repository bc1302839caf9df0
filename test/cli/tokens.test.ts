/** `codemode tokens` as a subprocess, on the specs in data/ and on a config wrapping a real MCP server. */
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { CLI_ARGS, CLOUDFLARE_SPEC, GITHUB_SPEC, MEMORY_SERVER, ROOT } from "../server/helpers.js"

const run = promisify(execFile)
const codemode = (...args: string[]) => run(process.execPath, [...CLI_ARGS, ...args], { cwd: ROOT, timeout: 120_000 })

interface Report {
  operations: number
  naiveTokens: number | null
  fixedTokens: number
  perTaskTokens: number
  ratio: number
  mode: string
  tasks: Array<{ query: string; searchTokens: number; executeTokens: number; tool?: string }>
}

describe("codemode tokens", () => {
  for (const [name, spec, naive, operations] of [
    ["cloudflare", CLOUDFLARE_SPEC, 998_846, 1_533],
    ["github", GITHUB_SPEC, 372_591, 1_223],
  ] as const) {
    it(`reports ${name}: naive list vs a fixed context under 1,000 tokens`, async () => {
      const { stdout } = await codemode("tokens", "--openapi", spec, "--namespace", name, "--json")
      const report = JSON.parse(stdout) as Report
      expect(report).toMatchObject({ operations, naiveTokens: naive, mode: "search" })
      expect(report.fixedTokens).toBeLessThanOrEqual(1_000)
      expect(report.ratio).toBe(Math.round((naive / report.fixedTokens) * 10) / 10)
      expect(report.tasks).toHaveLength(20)
      // every sampled task found a function to call
      expect(report.tasks.every((t) => t.tool?.startsWith(`${name}.`) && t.searchTokens > 0)).toBe(true)
      const mean = report.tasks.reduce((s, t) => s + t.searchTokens + t.executeTokens, 0) / report.tasks.length
      expect(report.perTaskTokens).toBe(Math.round(mean))
    }, 120_000)
  }

  it("counts an MCP server's own tool list for --config and prints a readable table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "codemode-tokens-"))
    try {
      const config = join(dir, "codemode.json")
      writeFileSync(config, JSON.stringify({ mcpServers: { memory: { command: process.execPath, args: [MEMORY_SERVER], env: { MEMORY_FILE_PATH: join(dir, "m.jsonl") } } } }))
      const json = JSON.parse((await codemode("tokens", "--config", config, "--json")).stdout) as Report
      expect(json).toMatchObject({ operations: 9, mode: "execute" })
      expect(json.tasks.every((t) => t.searchTokens === 0 && t.executeTokens > 0)).toBe(true)
      const table = (await codemode("tokens", "--config", config)).stdout
      expect(table).toMatch(/^naive tool list\s+[\d,]+ tokens {2}9 tools\ncodemode fixed context\s+[\d,]+ tokens {2}execute with all declarations\n/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
