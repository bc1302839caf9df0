/** `codemode search` as a subprocess over the Cloudflare spec. */
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { CLI_ARGS, CLOUDFLARE_SPEC, ROOT } from "../server/helpers.js"

const run = promisify(execFile)
const codemode = (...args: string[]) => run(process.execPath, [...CLI_ARGS, ...args], { cwd: ROOT, timeout: 60_000 })

describe("codemode search", () => {
  it("prints ranked results as JSON with the name in code, namespace, signature and operationId", async () => {
    const { stdout } = await codemode("search", "create a DNS record", "--openapi", CLOUDFLARE_SPEC, "--namespace", "cloudflare", "--limit", "3", "--json")
    const { query, results } = JSON.parse(stdout) as { query: string; results: Array<Record<string, unknown>> }
    expect(query).toBe("create a DNS record")
    // at most 3; fewer when the others score below the relative cut-off
    expect(results.length).toBeGreaterThanOrEqual(1)
    expect(results.length).toBeLessThanOrEqual(3)
    expect(results[0]).toMatchObject({
      rank: 1,
      name: "codemode.cloudflare.dns_records_for_a_zone_create_dns_record",
      namespace: "cloudflare",
      operationId: "dns-records-for-a-zone-create-dns-record",
      signature: expect.stringContaining("function dns_records_for_a_zone_create_dns_record("),
    })
  }, 60_000)

  it("runs a search program with --code over a spec", async () => {
    const program = '(tools) => tools.filter((t) => t.tags.includes("DNS Records for a Zone") && t.method === "POST")'
    const { stdout } = await codemode("search", "--code", program, "--openapi", CLOUDFLARE_SPEC, "--namespace", "cloudflare", "--limit", "1")
    expect(stdout).toMatch(/^\d+ functions matched your program, the first 1 shown [^\n]*\n\ndeclare namespace codemode\.cloudflare \{/)
  }, 60_000)

  it("says where a search program failed, as execute does (demo functions: no spec to load)", async () => {
    await expect(codemode("search", "--code", "tools.map((t) => t.x.y)")).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^runtime error at line 1, column 21: TypeError/),
    })
  }, 60_000)

  it("says that no embeddings endpoint is configured instead of measuring without one", async () => {
    const { stdout } = await codemode("bench", "search", "--embeddings")
    expect(stdout).toMatch(/^No embeddings endpoint is configured, so nothing was measured\./)
  }, 60_000)

  it("prints signatures for people and fails clearly on a bad limit", async () => {
    const { stdout } = await codemode("search", "purge cache", "--openapi", CLOUDFLARE_SPEC, "--namespace", "cloudflare", "--limit", "1")
    expect(stdout).toMatch(/^1\. codemode\.cloudflare\.\w+ {2}\(operationId [\w-]+\)\ndeclare namespace codemode\.cloudflare \{/)
    await expect(codemode("search", "x", "--openapi", CLOUDFLARE_SPEC, "--limit", "0")).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--limit must be a positive integer"),
    })
  }, 60_000)
})
