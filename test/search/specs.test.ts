/** The index over the real Cloudflare and GitHub specs, and the search benchmark runner. */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { benchSearch, metrics, type BenchQuery } from "../../src/bench/search.js"
import { createSearchIndex, type SearchIndex, type SearchIndexOptions } from "../../src/search/search.js"
import { renderHits } from "../../src/search/render.js"
import { CodeModeError } from "../../src/errors.js"
import { openapi } from "../../src/tools/openapi/index.js"
import { fsTools } from "./fixtures.js"
import { DATA_DIR as dataDir, specPath } from "../fixtures/specs.js"

const indexes: Record<string, SearchIndex> = {}

beforeAll(async () => {
  for (const spec of ["cloudflare", "github"] as const) {
    const tools = await openapi(spec, { spec: specPath(spec) }).load()
    indexes[spec] = createSearchIndex(tools)
  }
}, 60_000)

const first = (spec: string, query: string) => indexes[spec]?.search(query, { limit: 1 })[0]?.operationId

describe("search over the real specs", () => {
  it.each([
    ["cloudflare", "list DNS records", "dns-records-for-a-zone-list-dns-records"],
    ["cloudflare", "create a DNS record", "dns-records-for-a-zone-create-dns-record"],
    ["cloudflare", "purge cached content", "zone-purge"],
    ["cloudflare", "list zones", "zones-get"],
    ["cloudflare", "create an R2 bucket", "r2-create-bucket"],
    ["cloudflare", "verify API token", "user-api-tokens-verify-token"],
    ["github", "create an issue", "issues/create"],
    ["github", "merge a pull request", "pulls/merge"],
    ["github", "list repository issues", "issues/list-for-repo"],
    ["github", "get the latest release", "repos/get-latest-release"],
    ["github", "search code", "search/code"],
    ["github", "how many API calls do I have left", "rate-limit/get"],
    // exact summaries and names of common operations (they ranked 16th, 14th and 4th before)
    ["github", "get a repository", "repos/get"],
    ["github", "Get a user", "users/get-by-username"],
    ["github", "get the authenticated user", "users/get-authenticated"],
    ["github", "repos_get", "repos/get"],
    ["cloudflare", "List Accounts", "accounts-list-accounts"],
    ["cloudflare", "zones_get", "zones-get"],
  ])("%s: %s → %s", (spec, query, operationId) => {
    expect(first(spec, query)).toBe(operationId)
  })

  it("does not let a rare synonym of a common word outrank the word (get → check)", async () => {
    const tools = await openapi("github", { spec: path.join(dataDir, "github-openapi.json.gz") }).load()
    const rank = (options: SearchIndexOptions) =>
      createSearchIndex(tools, { exactFirst: false, exactBoost: 0, ...options }).search("get the authenticated user", { limit: 10 }).findIndex((h) => h.operationId === "users/get-authenticated") + 1
    expect(rank({ capExpansions: false })).toBeGreaterThan(1) // users/check-blocked first: "check" is a rare word
    expect(rank({})).toBe(1)
  }, 60_000)

  it("finds no good match in a namespace without the tool, next to a big API that has it", async () => {
    const github = await openapi("github", { spec: path.join(dataDir, "github-openapi.json.gz") }).load()
    const index = createSearchIndex([...fsTools, ...github])
    expect(index.search("delete a file", { namespace: "fs" })).toEqual([])
    expect(index.search("rename a file", { namespace: "fs" })[0]?.operationId).toBe("move_file")
    expect(index.search("delete a file")[0]?.operationId).toBe("repos/delete-file")
    // MCP tools have no HTTP method to tell their action: judged within the namespace, "delete" is a word none has
    const mcp = fsTools.map(({ origin: _http, ...tool }) => tool)
    const mixed = createSearchIndex([...mcp, ...github])
    expect(mixed.search("delete a file", { namespace: "fs" })).toEqual([])
    expect(mixed.search("delete a file", { namespace: "fs", cutoff: false }).length).toBeGreaterThan(0)
  }, 60_000)

  it("renders hits as declarations of codemode.<namespace>", () => {
    const [hit] = renderHits(indexes.github?.search("create an issue", { limit: 1 }) ?? [])
    expect(hit?.name).toBe("codemode.github.issues_create")
    expect(hit?.operationId).toBe("issues/create")
    expect(hit?.signature).toContain("declare namespace codemode.github")
    expect(hit?.signature).toContain("function issues_create(")
  })
})

describe("benchSearch", () => {
  let dir = ""
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "codemode-bench-"))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const write = (queries: BenchQuery[], resultTokenQueries?: string[]) =>
    writeFile(path.join(dir, "github.json"), JSON.stringify({ queries, ...(resultTokenQueries && { resultTokenQueries }) }))

  it("reports recall and MRR per kind and split for the baseline and codemode", async () => {
    await write([
      { id: "a", kind: "name-like", query: "create an issue", expected: ["issues/create"], split: "tuning" },
      { id: "b", kind: "paraphrase", query: "land the PR into main", expected: ["pulls/merge"], split: "heldout" },
    ])
    const result = await benchSearch({ specs: ["github"], dataDir, queriesDir: dir })
    expect(result.variants).toEqual(["bm25", "codemode"])
    const [spec] = result.specs
    expect(spec?.tools).toBeGreaterThan(1000)
    const full = spec?.variants.find((v) => v.variant === "codemode")
    expect(full?.nameLike).toEqual({ queries: 1, recall1: 1, recall5: 1, mrr: 1 })
    expect(full?.splits.heldout.all.queries).toBe(1)
    expect(full?.splits.fresh.all.queries).toBe(0)
    expect(full?.splits.fresh2.all.queries).toBe(0)
    expect(full?.splits.fresh3.all.queries).toBe(0)
    // only the held-out query is pooled as untouched; the tuning one is not
    expect(full?.untouched.all.queries).toBe(1)
    expect(full?.untouched.paraphrase).toEqual({ queries: 1, recall1: 1, recall5: 1, mrr: 1 })
    expect(full?.ranks.b).toBe(1)
    expect(full?.queryMs.mean).toBeGreaterThan(0)
  }, 60_000)

  it("counts no-answer queries apart and measures the search tool's result tokens", async () => {
    await write(
      [
        { id: "a", kind: "name-like", query: "create an issue", expected: ["issues/create"], split: "tuning" },
        { id: "z", kind: "no-answer", query: "zzzqx", expected: [], split: "heldout" },
      ],
      ["create an issue", "merge a pull request"],
    )
    const [spec] = (await benchSearch({ specs: ["github"], dataDir, queriesDir: dir })).specs
    const full = spec?.variants.find((v) => v.variant === "codemode")
    expect(full?.all.queries).toBe(1)
    // no tool has the word at all: search returns nothing, which the model reads as "no good match"
    expect(full?.noAnswer).toEqual({ queries: 1, flagged: 1 })
    expect(full?.splits.heldout.noAnswer.queries).toBe(1)
    expect(full?.ranks.z).toBeUndefined()
    expect(spec?.resultTokens?.map((r) => r.query)).toEqual(["create an issue", "merge a pull request"])
    expect(spec?.meanResultTokens).toBeGreaterThan(50)
  }, 60_000)

  it("rejects a malformed query with CONFIG_INVALID naming the query", async () => {
    await writeFile(path.join(dir, "github.json"), JSON.stringify({ queries: [{ id: "y", kind: "name-like", query: "q", expected: [] }] }))
    const err = await benchSearch({ specs: ["github"], dataDir, queriesDir: dir }).catch((e: unknown) => e)
    expect(CodeModeError.is(err, "CONFIG_INVALID")).toBe(true)
    expect((err as Error).message).toContain('query "y" needs')
  })

  it("rejects a query set that names an operationId the spec does not have", async () => {
    await write([{ id: "x", kind: "name-like", query: "q", expected: ["no/such-op"], split: "tuning" }])
    const err = await benchSearch({ specs: ["github"], dataDir, queriesDir: dir }).catch((e: unknown) => e)
    expect(CodeModeError.is(err, "CONFIG_INVALID")).toBe(true)
    expect((err as Error).message).toContain('unknown operationId "no/such-op"')
  }, 60_000)
})

describe("metrics", () => {
  it("computes recall@1, recall@5 and MRR from ranks (0 = not found)", () => {
    const q = (id: string): BenchQuery => ({ id, kind: "name-like", query: id, expected: [], split: "tuning" })
    expect(metrics([q("a"), q("b"), q("c"), q("d")], { a: 1, b: 2, c: 6, d: 0 })).toEqual({
      queries: 4,
      recall1: 0.25,
      recall5: 0.5,
      mrr: Math.round(((1 + 1 / 2 + 1 / 6) / 4) * 1000) / 1000,
    })
    expect(metrics([], {})).toEqual({ queries: 0, recall1: 0, recall5: 0, mrr: 0 })
  })
})
