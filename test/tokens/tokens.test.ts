/**
 * The naive tool list, built as data/README.md says, against that README's figures, and
 * the report arithmetic.
 */
import { countTokens } from "gpt-tokenizer"
import { describe, expect, it } from "vitest"
import { naiveToolsFromMcp, naiveToolsFromOpenApi, namesAndSummaries } from "../../src/tokens/naive.js"
import { formatTokenReport, tokenReport } from "../../src/tokens/report.js"
import { loadOpenApiDocument } from "../../src/tools/openapi/index.js"
import type { Tool } from "../../src/tools/tool.js"
import { specPath } from "../fixtures/specs.js"

/** The README's table: operations, naive tools tokens, names+summaries tokens. */
const README = {
  cloudflare: { operations: 1_533, naive: 999_938, names: 24_463 },
  github: { operations: 1_223, naive: 372_593, names: 18_817 },
}

describe("naive tool list of the specs in data/", () => {
  for (const [name, expected] of Object.entries(README)) {
    it(`reproduces the README figures for ${name}`, async () => {
      const doc = await loadOpenApiDocument(specPath(name as keyof typeof README))
      const tools = naiveToolsFromOpenApi(doc)
      expect(tools).toHaveLength(expected.operations)
      expect(countTokens(namesAndSummaries(doc))).toBe(expected.names)
      const naive = countTokens(JSON.stringify(tools))
      // GitHub: 2 tokens under the README; Cloudflare: 1,092 (0.11%) under; see docs/tokens.md
      expect(Math.abs(naive - expected.naive) / expected.naive).toBeLessThan(0.0012)
      expect(naive).toBe(name === "github" ? 372_591 : 998_846)
    }, 60_000)
  }

  it("builds one tool per operation with parameters, body and inlined refs", async () => {
    const doc = {
      openapi: "3.0.3",
      components: {
        schemas: { Node: { type: "object", properties: { child: { $ref: "#/components/schemas/Node" } } } },
        parameters: { Id: { name: "id", in: "path", required: true, schema: { type: "string" }, description: "The id" } },
      },
      paths: {
        "/things/{id}": {
          parameters: [{ $ref: "#/components/parameters/Id" }, { name: "v", in: "query", schema: { type: "integer" } }],
          put: {
            operationId: "putThing",
            summary: "Put a thing",
            description: "Replaces it.",
            parameters: [{ name: "v", in: "query", schema: { type: "string" }, description: "overrides" }, { name: "c", in: "cookie", schema: {} }],
            requestBody: { content: { "text/plain": { schema: { type: "string" } }, "application/json": { schema: { $ref: "#/components/schemas/Node" } } } },
          },
          get: { summary: "Get a thing" },
        },
      },
    }
    // methods in OpenAPI order: get before put
    expect(naiveToolsFromOpenApi(doc)).toEqual([
      { name: "get /things/{id}", description: "Get a thing", inputSchema: { type: "object", properties: { id: { type: "string", description: "The id" }, v: { type: "integer" } }, required: ["id"] } },
      {
        name: "putThing",
        description: "Put a thing\n\nReplaces it.",
        inputSchema: {
          type: "object",
          properties: {
            id: { type: "string", description: "The id" },
            v: { type: "string", description: "overrides" },
            // Node is being expanded when its child refers to it again: {}
            body: { type: "object", properties: { child: {} } },
          },
          required: ["id"],
        },
      },
    ])
  })

  it("lists MCP tools under their own names with their schemas and hints", () => {
    const tool: Tool = {
      name: "get_user",
      namespace: "x",
      description: "Get a user",
      inputSchema: { type: "object", properties: {} },
      annotations: { title: "Get user", readOnlyHint: true },
      origin: { kind: "mcp", originalName: "get-user" },
      call: async () => null,
    }
    expect(naiveToolsFromMcp([tool])).toEqual([
      { name: "get-user", title: "Get user", description: "Get a user", inputSchema: { type: "object", properties: {} }, annotations: { readOnlyHint: true } },
    ])
  })
})

describe("tokenReport", () => {
  it("counts all sources as one list and compares", () => {
    const tools = [{ name: "a", description: "first", inputSchema: { type: "object" as const, properties: {} } }]
    const report = tokenReport([{ namespace: "x", kind: "openapi", tools }], { fixedTokens: 10, perTaskTokens: 5, mode: "search" })
    const naive = countTokens(JSON.stringify(tools))
    expect(report).toMatchObject({ operations: 1, naiveTokens: naive, fixedTokens: 10, perTaskTokens: 5, mode: "search" })
    expect(report.ratio).toBe(Math.round((naive / 10) * 10) / 10)
    expect(formatTokenReport(report)).toContain("codemode fixed context")
  })

  it("reports a source whose naive list is too large to build as not representable, with the reason", () => {
    const tools = [{ name: "a", description: "first", inputSchema: { type: "object" as const, properties: {} } }]
    const tooLarge = { operations: 11_422, built: 2, maxChars: 100, reason: "with every $ref inlined, …" }
    const report = tokenReport(
      [
        { namespace: "small", kind: "mcp", tools },
        { namespace: "graph", kind: "openapi", tooLarge },
      ],
      { fixedTokens: 10, perTaskTokens: 5, mode: "search" },
    )
    expect(report).toMatchObject({ operations: 11_423, naiveTokens: null, ratio: null, ratioWithTask: null, naiveTooLarge: [{ namespace: "graph", reason: tooLarge.reason }] })
    expect(report.sources).toEqual([
      { namespace: "small", kind: "mcp", operations: 1, naiveTokens: countTokens(JSON.stringify(tools)) },
      { namespace: "graph", kind: "openapi", operations: 11_422, naiveTokens: null },
    ])
    const text = formatTokenReport(report)
    expect(text).toMatch(/naive tool list\s+not representable/)
    expect(text).toContain("The naive list of graph is not representable: with every $ref inlined, …")
    expect(text).not.toContain("smaller fixed context")
  })
})
