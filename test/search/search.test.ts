import { describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { createSearchIndex } from "../../src/search/search.js"
import { toolAction, toolDocument } from "../../src/search/document.js"
import { cloudTools, codeTools, memoryTool } from "./fixtures.js"

const all = [...cloudTools, ...codeTools, memoryTool]
const index = createSearchIndex(all)
const top = (query: string, limit = 1) => index.search(query, { limit }).map((h) => h.operationId ?? h.name)

describe("createSearchIndex", () => {
  it("returns hits with the call as written in code, namespace, score, operationId and tool", () => {
    const [hit] = index.search("create dns record", { limit: 1 })
    expect(hit?.name).toBe("codemode.cloud.dns_records_create")
    expect(hit?.namespace).toBe("cloud")
    expect(hit?.operationId).toBe("dns-records-create")
    expect(hit?.tool.origin?.path).toBe("/zones/{zone_id}/dns_records")
    expect(hit?.score).toBeGreaterThan(0)
    expect(memoryTool.name).toBe(index.search("create entities knowledge graph", { limit: 1 })[0]?.tool.name)
  })

  it("ranks name-like queries by name and summary", () => {
    expect(top("list dns records")).toEqual(["dns-records-list"])
    expect(top("delete a dns record")).toEqual(["dns-records-delete"])
    expect(top("merge a pull request")).toEqual(["pulls/merge"])
    expect(top("dnsRecordsCreate")).toEqual(["dns-records-create"])
  })

  it("prefers the operation on the resource itself over one on a sub-resource", () => {
    expect(top("create a zone")).toEqual(["zones-create"])
    expect(top("delete a zone")).toEqual(["zones-delete"])
  })

  it("uses the action of synonyms: make → create, remove → delete, show → get/list", () => {
    expect(top("make a new bucket")).toEqual(["r2-create-bucket"])
    expect(top("show all buckets")).toEqual(["r2-list-buckets"])
    expect(top("remove a repository")).toEqual(["repos/delete"])
    expect(top("add a teammate to the account")).toEqual(["members-add"])
  })

  it("understands paraphrases through the thesaurus", () => {
    expect(top("clear the cache of my website")).toEqual(["zone-purge"])
    expect(top("open a ticket for a bug")).toEqual(["issues/create"])
    expect(top("kick a former employee out")).toEqual(["members-remove"])
    expect(top("who am I logged in as")).toEqual(["users/get-authenticated"])
    expect(top("land the PR")).toEqual(["pulls/merge"])
  })

  it("matches the leading verb of a summary even when it is not a known action", () => {
    expect(top("star a repository")).toEqual(["activity/star-repo"])
  })

  it("filters by namespace and honours the limit", () => {
    const hits = index.search("create", { namespace: "code", limit: 2 })
    expect(hits).toHaveLength(2)
    for (const h of hits) expect(h.namespace).toBe("code")
    expect(index.search("create").length).toBeLessThanOrEqual(5)
    expect(index.search("create", { namespace: "nothing" })).toEqual([])
  })

  it("gives no hits for a query of stop words or unknown words", () => {
    expect(index.search("the of and")).toEqual([])
    expect(index.search("xyzzy plugh")).toEqual([])
  })

  it("rejects a limit that is not a positive integer with CONFIG_INVALID", () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      let caught: unknown
      try {
        index.search("zone", { limit })
      } catch (err) {
        caught = err
      }
      expect(CodeModeError.is(caught, "CONFIG_INVALID")).toBe(true)
      expect((caught as Error).message).toMatch(/^\[codemode\] \[search\] limit must be a positive integer/)
    }
  })

  it("rejects a query that is not a string with CONFIG_INVALID", () => {
    expect(() => index.search(42 as unknown as string)).toThrow(/query must be a string/)
  })

  it("works on an empty catalog", () => {
    expect(createSearchIndex([]).search("anything")).toEqual([])
  })

  it("can be reduced to plain BM25 (no expansion, no re-ranking)", () => {
    const plain = createSearchIndex(all, {
      actionSynonymWeight: 0, abbreviationWeight: 0, thesaurusWeight: 0, intentBoost: 0, intentPenalty: 0, coverage: 0, summaryBoost: 0, deprecatedPenalty: 0,
    })
    expect(plain.search("kick a former employee out")).toEqual([])
    expect(plain.search("list dns records", { limit: 1 })[0]?.operationId).toBe("dns-records-list")
  })
})

describe("toolDocument", () => {
  it("indexes name, summary, description, parameters, tags, path and resource", () => {
    const doc = toolDocument(cloudTools.find((t) => t.origin?.operationId === "dns-records-create")!)
    expect(doc.fields.summary).toEqual(["creat", "dns", "record"])
    expect(doc.fields.description).toContain("zon")
    expect(doc.fields.params).toEqual(expect.arrayContaining(["zon", "id", "typ", "content"]))
    expect(doc.fields.tags).toEqual(["dns", "record"])
    expect(doc.fields.resource).toEqual(["dns", "record"])
    expect(doc.actions).toEqual(["create"])
  })

  it("derives the action from the summary verb, else from the method and path", () => {
    expect(toolAction("Purge Cached Content", "zone-purge", "POST", "/zones/{id}/purge_cache")).toBe("create")
    expect(toolAction("Zone Details", "zones-get", "GET", "/zones/{zone_id}")).toBe("get")
    expect(toolAction("Zones", "zones", "GET", "/zones")).toBe("list")
    expect(toolAction("Remove Member", "x", "DELETE", "/a/{b}")).toBe("delete")
    expect(toolAction("Overwrite DNS Record", "x", "PUT", "/a/{b}")).toBe("update")
  })

  it("counts a GET on a collection summarised as 'Get …' as a listing too", () => {
    const tool = { ...cloudTools[0]!, description: "Get projects", origin: { ...cloudTools[0]!.origin!, path: "/projects" } }
    expect(toolDocument(tool).actions).toEqual(["get", "list"])
  })
})
