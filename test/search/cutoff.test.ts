/** The relevance cut-off: no hit when nothing matches well, weak tails cut; and the one-line rendering. */
import { describe, expect, it } from "vitest"
import { compactSignature, renderHits } from "../../src/search/render.js"
import { createSearchIndex } from "../../src/search/search.js"
import { cloudTools, codeTools, fsTools, memoryTool, op } from "./fixtures.js"

const all = [...cloudTools, ...codeTools, memoryTool]
const index = createSearchIndex(all)

describe("relevance", () => {
  it("is near 1 for a tool that is the query, lower for one that carries part of it, always within 0…1", () => {
    const [best] = index.search("create a DNS record", { limit: 1 })
    expect(best?.operationId).toBe("dns-records-create")
    expect(best?.relevance).toBe(1) // the exact summary
    const partial = index.search("create a DNS record", { limit: 10, cutoff: false }).find((h) => h.operationId === "zones-create")
    expect(partial?.relevance).toBeGreaterThan(0)
    expect(partial?.relevance).toBeLessThan(0.5)
    for (const hit of index.search("purge the cache", { limit: 20, cutoff: false })) {
      expect(hit.relevance).toBeGreaterThanOrEqual(0)
      expect(hit.relevance).toBeLessThanOrEqual(1)
    }
  })

  it("counts a word no tool has as the rarest word: the task it names cannot be done", () => {
    const [hit] = index.search("create a DNS record in kubernetes", { limit: 1, cutoff: false })
    expect(hit?.operationId).toBe("dns-records-create")
    expect(hit?.relevance).toBeLessThan(0.6)
    expect(index.search("create a DNS record", { limit: 1 })[0]?.relevance).toBe(1)
  })
})

describe("the cut-off", () => {
  it("returns no hit when nothing matches well, and the plain ranking with cutoff: false", () => {
    const mixed = createSearchIndex([...fsTools, ...all])
    expect(mixed.search("delete a file", { namespace: "fs" })).toEqual([])
    const closest = mixed.search("delete a file", { namespace: "fs", cutoff: false })
    expect(closest.length).toBeGreaterThan(0)
    for (const hit of closest) expect(hit.namespace).toBe("fs")
    expect(Math.max(...closest.map((h) => h.relevance))).toBeLessThan(0.35)
    // with a delete tool in reach, the same query matches well
    expect(mixed.search("delete a repository")[0]?.operationId).toBe("repos/delete")
  })

  it("keeps only hits scoring at least relativeCutoff of the best, and takes minRelevance from the options", () => {
    const raw = index.search("list dns records", { cutoff: false })
    const best = raw[0]?.score ?? 0
    const kept = createSearchIndex(all, { relativeCutoff: 0.9 }).search("list dns records")
    expect(kept.length).toBeGreaterThanOrEqual(1)
    expect(kept.length).toBeLessThan(raw.length)
    for (const hit of kept) expect(hit.score).toBeGreaterThanOrEqual(0.9 * best)
    expect(createSearchIndex(all, { minRelevance: 1.01 }).search("list dns records")).toEqual([])
    expect(createSearchIndex(all, { minRelevance: 0, relativeCutoff: 0 }).search("list dns records")).toEqual(raw)
  })
})

describe("compact rendering", () => {
  it("writes one line: the call, required arguments typed, optional ones named, result type and summary", () => {
    const tool = op("cloud", "dns-records-list", "GET", "/zones/{zone_id}/dns_records", "List DNS Records\n\nList, search and sort the records of a zone.", ["DNS"], {
      zone_id: { type: "string" },
      type: { type: "string", enum: ["A", "AAAA", "CNAME"] },
      page: { type: "number" },
      per_page: { type: "number" },
      name: { type: "string" },
      content: { type: "string" },
      proxied: { type: "boolean" },
      order: { type: "string" },
      direction: { type: "string" },
    })
    const withRequired = { ...tool, inputSchema: { ...(tool.inputSchema as object), required: ["zone_id", "type"] }, outputSchema: { type: "array", items: { type: "string" } } }
    expect(compactSignature(withRequired)).toBe(
      'codemode.cloud.dns_records_list({ zone_id: string, type: "A" | "AAAA" | "CNAME", page?, per_page?, name?, content?, proxied?, order?, …1 more }): Promise<string[]> — List DNS Records',
    )
    expect(compactSignature({ ...tool, inputSchema: { type: "object" }, description: undefined })).toBe("codemode.cloud.dns_records_list(): Promise<unknown>")
  })

  it("renders hits compact or full on request", () => {
    const hits = index.search("create a DNS record", { limit: 2, cutoff: false })
    const [full] = renderHits(hits)
    const [compact] = renderHits(hits, { detail: "compact" })
    expect(full?.detail).toBe("full")
    expect(full?.signature).toContain("declare namespace codemode.cloud")
    expect(compact?.detail).toBe("compact")
    expect(compact?.signature).toMatch(/^codemode\.cloud\.dns_records_create\(\{ .* \}\): Promise<unknown> — Create DNS Record$/)
    expect(compact?.relevance).toBe(hits[0]?.relevance)
  })
})
