/**
 * The declarations for the complete Cloudflare and GitHub specs compile with `--strict` and zero
 * errors, keep OpenAPI 3.0 `nullable`, and give every operation a named, readable signature.
 * Generation time and size are printed (measured, not asserted).
 */
import { countTokens } from "gpt-tokenizer"
import { describe, expect, it } from "vitest"
import { openapi } from "../../src/tools/openapi/index.js"
import type { Tool } from "../../src/tools/tool.js"
import { buildDeclarations } from "../../src/types/index.js"
import { GITHUB_SPEC, specPath } from "../fixtures/specs.js"
import { checkDeclarations } from "./compile.js"

async function declare(name: "cloudflare" | "github"): Promise<{ tools: Tool[]; dts: string; warnings: string[]; ms: number; decls: ReturnType<typeof buildDeclarations> }> {
  const tools = await openapi(name, { spec: specPath(name) }).load()
  const warnings: string[] = []
  const start = performance.now()
  const decls = buildDeclarations(tools, { onWarning: (m) => warnings.push(m) })
  const dts = decls.text()
  const ms = performance.now() - start
  console.info(`[types] ${name}: ${tools.length} tools → ${dts.length.toLocaleString("en")} chars, ${countTokens(dts).toLocaleString("en")} o200k tokens, generated in ${Math.round(ms)} ms`)
  return { tools, dts, warnings, ms, decls }
}

/** Every tool has a declared function whose argument and result types are named, not inline. */
function expectSignatures(tools: Tool[], dts: string): void {
  const missing = tools.filter((t) => !new RegExp(`^  function ${t.name}\\((args\\??: [A-Za-z0-9_]+)?\\): Promise<`, "m").test(dts))
  expect(missing.map((t) => t.name)).toEqual([])
}

/** `nullable: true` in the schemas the tools use: inline ones per tool, each named definition once. */
function countNullable(tools: Tool[]): number {
  const defs = new Set<string>()
  let count = 0
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk)
    if (node === null || typeof node !== "object") return
    const o = node as Record<string, unknown>
    if (o.nullable === true) count++
    for (const [key, value] of Object.entries(o)) {
      if (key === "$defs") {
        for (const [name, def] of Object.entries(value as Record<string, unknown>)) if (!defs.has(name) && defs.add(name)) walk(def)
      } else if (!["example", "examples", "default", "enum", "const"].includes(key)) walk(value)
    }
  }
  for (const t of tools) walk([t.inputSchema, t.outputSchema])
  return count
}

describe("declarations for the OpenAPI specs in data/", () => {
  it("Cloudflare: compiles with zero errors, one readable signature per operation", async () => {
    const { tools, dts, warnings, decls } = await declare("cloudflare")
    expect(tools.length).toBeGreaterThan(1500)
    expect(warnings).toEqual([])
    expectSignatures(tools, dts)
    expect(dts).toMatch(/\n  function zones_get\(args\?: ZonesGetArgs\): Promise<ZonesGetResult>\n/)
    expect(dts).toMatch(/interface DnsRecordsForAZoneListDnsRecordsArgs \{[^}]*\n    zone_id: string\n/)
    expect(checkDeclarations(dts)).toEqual([])
    const snippet = decls.tool("cloudflare", "dns_records_for_a_zone_create_dns_record", { docs: "summary", maxDepth: 1 })!
    console.info(`[types] cloudflare snippet dns_records_for_a_zone_create_dns_record (summary, depth 1): ${snippet.length} chars, ${countTokens(snippet)} tokens`)
    expect(checkDeclarations(snippet)).toEqual([])
  })

  it("GitHub: compiles with zero errors and keeps nullable as | null", async () => {
    const { tools, dts, warnings, decls } = await declare("github")
    expect(tools.length).toBeGreaterThan(1200)
    expect(warnings).toEqual([])
    expectSignatures(tools, dts)
    expect(dts).toContain("function repos_get(args: ReposGetArgs): Promise<FullRepository>")
    // `description` of a repository is `nullable: true` in the spec (OpenAPI 3.0).
    expect(dts).toMatch(/interface FullRepository \{[^]*?\n    description: string \| null\n/)
    const nullable = countNullable(tools)
    expect(nullable).toBeGreaterThan(1000)
    expect((dts.match(/ \| null\b/g) ?? []).length).toBeGreaterThanOrEqual(nullable)
    expect(checkDeclarations(dts)).toEqual([])
    const usage = `async function f() { const r = await codemode.github.repos_get({ owner: "o", repo: "r" }); const d: string | null = r.description; return r.owner.login + d }`
    expect(checkDeclarations(dts, usage)).toEqual([])
    const snippet = decls.tool("github", "repos_get", { docs: "summary", maxDepth: 1 })!
    console.info(`[types] github snippet repos_get (summary, depth 1): ${snippet.length} chars, ${countTokens(snippet)} tokens`)
    expect(checkDeclarations(snippet)).toEqual([])
  })

  it("is deterministic on a real spec", async () => {
    const tools = await openapi("github", { spec: GITHUB_SPEC }).load()
    const a = buildDeclarations(tools).text()
    expect(buildDeclarations([...tools].reverse()).text() === a).toBe(true)
  })
})
