/**
 * A Microsoft-Graph-like spec (test/fixtures/openapi/graph-like.ts): schemas that reach each other
 * through allOf chains, anyOf nullables and a discriminator mapping every entity. Tool schemas keep
 * the `$defs` contract (exactly what is reachable) while sharing `$defs` objects; declarations and
 * search handle reference chains thousands deep; the naive list stops at its limit instead of
 * exhausting memory. Timings live in `npm run bench -- startup`; the time limits here are only
 * generous safety timeouts.
 */
import { describe, expect, it } from "vitest"
import { naiveListFromOpenApi, naiveToolsFromOpenApi } from "../../src/tokens/naive.js"
import { CodeModeError } from "../../src/errors.js"
import { createCodeMode } from "../../src/runtime/codemode.js"
import { openapi } from "../../src/tools/openapi/index.js"
import type { JSONSchema } from "../../src/tools/tool.js"
import { generateDeclarations } from "../../src/types/index.js"
import { defsProblems } from "../fixtures/openapi/check-defs.js"
import { graphLikeSpec } from "../fixtures/openapi/graph-like.js"

const defsOf = (schema: JSONSchema | undefined) => (typeof schema === "object" ? (schema.$defs as Record<string, unknown> | undefined) : undefined)

describe("a Graph-like spec", () => {
  it("generates the same document for the same seed, with 11,422 operations over thousands of schemas", () => {
    const a = graphLikeSpec({ operations: 300 })
    expect(JSON.stringify(graphLikeSpec({ operations: 300 }))).toBe(JSON.stringify(a))
    const full = graphLikeSpec()
    const paths = Object.values(full.paths as Record<string, Record<string, unknown>>)
    expect(paths.reduce((n, item) => n + ["get", "post", "patch", "put", "delete"].filter((m) => item[m]).length, 0)).toBe(11_422)
    expect(Object.keys((full.components as { schemas: object }).schemas).length).toBeGreaterThan(3_000)
  })

  it("gives every tool exactly the $defs it reaches, sharing one object among tools that reach the same", async () => {
    const tools = await openapi("graph", { spec: graphLikeSpec({ operations: 1_500 }), baseUrl: "https://graph.test" }).load()
    expect(tools).toHaveLength(1_500)
    const objects = new Set<unknown>()
    for (const [i, tool] of tools.entries()) {
      // checking one schema walks thousands of defs: every 100th tool
      if (i % 100 === 0) {
        expect(defsProblems(tool.inputSchema)).toEqual([])
        expect(defsProblems(tool.outputSchema)).toEqual([])
      }
      for (const defs of [defsOf(tool.inputSchema), defsOf(tool.outputSchema)]) if (defs) objects.add(defs)
    }
    // the base entity's discriminator maps every entity: most tools reach thousands of schemas
    const sizes = [...objects].map((d) => Object.keys(d as object).length)
    expect(Math.max(...sizes)).toBeGreaterThan(1_000)
    expect(objects.size).toBeLessThan(tools.length / 2)
  }, 120_000)

  it("declares and searches the whole API without overflowing the stack on its reference chains", async () => {
    const cm = await createCodeMode({ sources: [openapi("graph", { spec: graphLikeSpec(), baseUrl: "https://graph.test" })] })
    try {
      expect(cm.catalog().mode).toBe("search")
      const [hit] = cm.search("list the messages of a user")
      expect(hit?.signature).toMatch(/declare namespace codemode\.graph \{[\s\S]*function \w+\(/)
      const tool = cm.tools().find((t) => `codemode.${t.namespace}.${t.name}` === hit?.name)
      expect(tool).toBeDefined()
      expect(generateDeclarations([tool!])).toContain(`function ${tool?.name}(`)
    } finally {
      await cm.close()
    }
  }, 180_000)

  it("stops building the naive list at its limit and says why, instead of running out of memory", () => {
    const doc = graphLikeSpec({ operations: 2_000 })
    const list = naiveListFromOpenApi(doc, { maxChars: 2_000_000 })
    expect(list).toMatchObject({ operations: 2_000, maxChars: 2_000_000 })
    expect("reason" in list && list.reason).toMatch(/more than 2,000,000 characters .* refer to each other in cycles/)
    expect(() => naiveToolsFromOpenApi(doc, { maxChars: 2_000_000 })).toThrow(CodeModeError)
    expect(() => naiveToolsFromOpenApi(doc, { maxChars: 2_000_000 })).toThrow(/not representable: .*raise maxChars/)
  })
})
