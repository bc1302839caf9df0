/** Spec-derived expansion: schema text, output and sibling fields, mined associations, resource routing. */
import { describe, expect, it } from "vitest"
import { createAssociations } from "../../src/catalog/associations.js"
import { resourceKey, toolDocument } from "../../src/catalog/document.js"
import { createSearchIndex } from "../../src/catalog/search.js"
import { schemaText } from "../../src/catalog/schema-text.js"
import { cloudTools, op } from "./fixtures.js"

describe("schemaText", () => {
  it("collects property names, titles, descriptions and enums through $ref, allOf and items, top level first", () => {
    const schema = {
      allOf: [{ $ref: "#/$defs/envelope" }, { properties: { result: { type: "array", items: { $ref: "#/$defs/payout" } } } }],
      $defs: {
        envelope: { properties: { success: { type: "boolean", description: "Whether the call worked" } } },
        payout: { properties: { amount: { description: "Money sent to your bank account" }, status: { enum: ["paid", "pending"] }, owner: { $ref: "#/$defs/owner" } } },
        owner: { description: "Who receives the earnings", properties: { iban: { type: "string" } } },
      },
    }
    const texts = schemaText(schema)
    expect(texts.indexOf("result")).toBeLessThan(texts.indexOf("amount"))
    expect(texts).toEqual(expect.arrayContaining(["success", "Whether the call worked"]))
    expect(texts).toEqual(expect.arrayContaining(["amount", "Money sent to your bank account", "paid pending", "Who receives the earnings", "iban"]))
    expect(schemaText(schema, { maxDepth: 0 })).not.toContain("amount")
    expect(schemaText(schema, { maxTexts: 2 })).toHaveLength(2)
  })

  it("survives cyclic references, booleans and missing schemas", () => {
    const cyclic = { $ref: "#/$defs/node", $defs: { node: { properties: { child: { $ref: "#/$defs/node" }, name: { type: "string" } } } } }
    expect(schemaText(cyclic, { maxDepth: 10 })).toContain("child")
    expect(schemaText(true)).toEqual([])
    expect(schemaText(undefined)).toEqual([])
    expect(schemaText({ $ref: "#/$defs/missing" })).toEqual([])
  })
})

describe("toolDocument context", () => {
  it("indexes the output schema only when asked, and the siblings it is given", () => {
    const tool = { ...cloudTools[0]!, outputSchema: { properties: { nameservers: { description: "Assigned name servers" } } } }
    expect(toolDocument(tool).fields.output).toEqual([])
    expect(toolDocument(tool, { output: true }).fields.output).toEqual(expect.arrayContaining(["nameserver", "assign"]))
    expect(toolDocument(tool, { siblings: ["Create Zone"] }).fields.siblings).toEqual(["creat", "zon"])
  })

  it("keys a resource by its path without the trailing {id}", () => {
    expect(resourceKey("/zones/{zone_id}/dns_records/{dns_record_id}")).toBe("/zones/{zone_id}/dns_records")
    expect(resourceKey("/zones/{zone_id}/dns_records")).toBe("/zones/{zone_id}/dns_records")
  })
})

describe("createAssociations", () => {
  const heads = [["monitor"], ["monitor"], ["monitor", "pool"], ["bucket"], ["bucket"], ["zone"]].map((h) => new Set(h))
  const bodies = [["probe", "health"], ["probe"], ["probe", "health"], ["object"], ["object", "health"], ["domain"]]
  const all = heads.map((h, d) => new Set([...h, ...(bodies[d] ?? [])]))

  it("links a description word to the head terms of the operations that use it", () => {
    const associations = createAssociations(heads, all, { maxShare: 1, minLift: 1 })
    expect(associations.of("probe")).toEqual([{ term: "monitor", confidence: 1 }])
    expect(associations.of("object")[0]).toEqual({ term: "bucket", confidence: 1 })
  })

  it("ignores unknown words, words of a single operation and heads shared by fewer than two", () => {
    const associations = createAssociations(heads, all, { maxShare: 1, minLift: 1 })
    expect(associations.of("nothing")).toEqual([])
    expect(associations.of("domain")).toEqual([])
    expect(associations.of("health").map((a) => a.term)).toEqual(["monitor"])
  })

  it("drops words that occur in too large a share of the catalog", () => {
    expect(createAssociations(heads, all, { maxShare: 0.3, minLift: 1 }).of("health")).toEqual([])
  })
})

describe("spec-derived expansion in the index", () => {
  const tools = [
    op("lb", "pools-delete", "DELETE", "/pools/{id}", "Delete Pool", ["Pools"]),
    op("lb", "monitors-list", "GET", "/monitors", "List Monitors\n\nHealth probes that check your origin servers.", ["Monitors"]),
    op("lb", "monitors-create", "POST", "/monitors", "Create Monitor\n\nAdds a health probe.", ["Monitors"]),
    op("lb", "monitors-delete", "DELETE", "/monitors/{id}", "Delete Monitor", ["Monitors"]),
    op("lb", "pools-create", "POST", "/pools", "Create Pool\n\nA group of origin servers.", ["Pools"]),
  ]

  it("routes a word documented by one operation of a resource to its siblings", () => {
    const query = "remove a health probe"
    const plain = createSearchIndex(tools).search(query).map((h) => h.operationId)
    expect(plain[0]).not.toBe("monitors-delete")
    const routed = createSearchIndex(tools, { routingWeight: 0.5 }).search(query).map((h) => h.operationId)
    expect(routed[0]).toBe("monitors-delete")
  })

  it("finds a tool by a word that only its output schema documents when the output field is weighted", () => {
    const withOutput = [...tools, { ...op("lb", "pools-health", "GET", "/pools/{id}/health", "Pool Health Details", ["Pools"]), outputSchema: { properties: { latency: { description: "Round trip time" } } } }]
    expect(createSearchIndex(withOutput).search("round trip time")).toEqual([])
    const hits = createSearchIndex(withOutput, { fields: { output: { weight: 0.5, b: 0.75 } } }).search("round trip time")
    expect(hits[0]?.operationId).toBe("pools-health")
  })

  it("adds mined associations to the query's word groups when asked", () => {
    const index = createSearchIndex(tools, { associationWeight: 0.5, associations: { maxShare: 1, minLift: 1, minConfidence: 0.5 } })
    const probe = index.explain("probe").groups[0]
    expect(probe?.alternatives.slice(1)).toEqual([{ terms: ["monitor"], weight: 0.5 }])
    expect(createSearchIndex(tools).explain("probe").groups[0]?.alternatives).toHaveLength(1)
  })
})
