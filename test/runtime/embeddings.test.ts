/**
 * Embeddings fused with the lexical ranking, against a real OpenAI-compatible server on 127.0.0.1
 * with deterministic vectors: batching, the API key, the on-disk cache, the fallback when the
 * endpoint fails, the config file, and the MCP face.
 */
import { mkdtemp, readdir, rm, writeFile, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as z from "zod"
import { copyFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { benchSearchEmbeddings } from "../../src/bench/search-embeddings.js"
import { reciprocalRankFusion } from "../../src/search/fusion.js"
import { openVectorCache, textHash } from "../../src/search/vector-cache.js"
import { CodeModeError } from "../../src/errors.js"
import { createCodeMode } from "../../src/runtime/codemode.js"
import { createCodeModeServer } from "../../src/server/server.js"
import { parseCodeModeConfig } from "../../src/tools/config.js"
import { functions } from "../../src/tools/functions.js"
import { startEmbeddingsServer, type EmbeddingsServer } from "../fixtures/embeddings-server.js"
import { connect, textOf } from "../server/helpers.js"

const id = z.object({ id: z.string() })
const notes = () =>
  functions("notes", {
    list_notes: { description: "List notes, newest first.", input: z.object({ limit: z.number().optional() }), run: () => [] },
    get_note: { description: "Get a note by id.", input: id, run: () => null },
    create_note: { description: "Create a note.", input: z.object({ text: z.string() }), run: () => null },
    delete_note: { description: "Delete a note.", input: id, run: () => null },
    archive_note: { description: "Archive a note so it no longer shows in lists.", input: id, run: () => null },
  })

describe("embeddings", () => {
  let server: EmbeddingsServer
  let dir: string
  beforeAll(async () => {
    server = await startEmbeddingsServer()
    dir = await mkdtemp(path.join(tmpdir(), "codemode-embeddings-"))
  })
  afterAll(async () => {
    await server?.close()
    await rm(dir, { recursive: true, force: true })
  })
  const embeddings = (extra: Record<string, unknown> = {}) => ({ baseUrl: server.baseUrl, model: "det-64", cacheDir: dir, ...extra })

  it("finds by meaning what the lexical ranking cannot, in batches, with the key from the environment", async () => {
    process.env.CODEMODE_TEST_EMBEDDINGS_KEY = "sk-test"
    const lexical = await createCodeMode({ sources: [notes()] })
    const fused = await createCodeMode({ sources: [notes()], search: { embeddings: embeddings({ batchSize: 2, apiKeyEnv: "CODEMODE_TEST_EMBEDDINGS_KEY" }) } })
    try {
      const plain = await lexical.search({ query: "erase a memo" })
      expect(plain.ok && plain.hits.every((h) => !h.good)).toBe(true) // "no good match"
      server.requests.length = 0
      const found = await fused.search({ query: "erase a memo", limit: 2 })
      expect(found).toMatchObject({ ok: true, hits: [{ name: "codemode.notes.delete_note", detail: "full", good: true }, { detail: "compact" }] })
      expect(found.ok && found.warnings).toBeUndefined()
      // 5 tool texts in batches of 2, then the query; every request carries the key
      expect(server.requests.map((r) => r.input.length)).toEqual([2, 2, 1, 1])
      expect(server.requests.every((r) => r.model === "det-64" && r.authorization === "Bearer sk-test")).toBe(true)
      expect(server.requests.at(-1)?.input).toEqual(["erase a memo"])
      // words the lexical index knows still rank as before
      const words = await fused.search({ query: "create a note", limit: 1 })
      expect(words.ok && words.hits[0]?.name).toBe("codemode.notes.create_note")
    } finally {
      delete process.env.CODEMODE_TEST_EMBEDDINGS_KEY
      await Promise.all([lexical.close(), fused.close()])
    }
  })

  it("keeps vectors on disk by text hash: a new instance embeds only what it has not seen", async () => {
    const files = await readdir(dir)
    expect(files).toEqual([expect.stringMatching(/^det-64-[0-9a-f]{12}\.vec$/)])
    server.requests.length = 0
    const cm = await createCodeMode({ sources: [notes()], search: { embeddings: embeddings() } })
    try {
      await cm.search({ query: "erase a memo" }) // tools and query cached by the first test
      expect(server.requests).toEqual([])
      await cm.search({ query: "jot something down" })
      expect(server.requests.map((r) => r.input)).toEqual([["jot something down"]])
    } finally {
      await cm.close()
    }
  })

  it("falls back to the lexical ranking with a warning when the endpoint fails, and leaves it alone for a while", async () => {
    const errors: CodeModeError[] = []
    const cm = await createCodeMode({ sources: [notes()], search: { embeddings: embeddings({ cacheDir: false }) }, onError: (e) => errors.push(e) })
    server.failWith = 500
    server.requests.length = 0
    try {
      const first = await cm.search({ query: "delete a note", limit: 1 })
      expect(first).toMatchObject({ ok: true, hits: [{ name: "codemode.notes.delete_note" }], warnings: [expect.stringMatching(/^\[codemode\] \[embeddings\] POST http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings \(model det-64\) failed: HTTP 500.*; ranked lexically$/)] })
      expect(errors.map((e) => e.code)).toEqual(["SOURCE_UNAVAILABLE"])
      const second = await cm.search({ query: "erase a memo" })
      expect(second).toMatchObject({ ok: true, warnings: [expect.stringContaining("failed recently")] })
      expect(server.requests).toHaveLength(1) // not asked again within retryAfterMs
      expect(errors).toHaveLength(1)
    } finally {
      server.failWith = undefined
      await cm.close()
    }
  })

  it("is configured in codemode.json, checked up front", async () => {
    const config = parseCodeModeConfig({ mcpServers: {}, search: { embeddings: { baseUrl: "${EMB_URL}", model: "m", apiKeyEnv: "KEY", cacheDir: "cache" } } }, { baseDir: dir, env: { EMB_URL: server.baseUrl } })
    expect(config.search).toEqual({ embeddings: { baseUrl: server.baseUrl, model: "m", apiKeyEnv: "KEY", cacheDir: path.join(dir, "cache") } })
    expect(() => parseCodeModeConfig({ mcpServers: {}, search: { embeddings: { baseUrl: "ftp://x", model: "m" } } }, { baseDir: dir })).toThrow(/search\.embeddings\.baseUrl: must be an http\(s\) URL/)
    expect(() => parseCodeModeConfig({ mcpServers: {}, search: { embedings: {} } }, { baseDir: dir })).toThrow(/unknown key "embedings"/)
    await expect(createCodeMode({ sources: [notes()], search: { embeddings: { baseUrl: server.baseUrl, model: "m", batchSize: 0 } } })).rejects.toSatisfy((e: unknown) => CodeModeError.is(e, "CONFIG_INVALID"))
  })

  it("benchmarks lexical, embeddings and fused rankings on a query set with the endpoint", async () => {
    const data = await mkdtemp(path.join(tmpdir(), "codemode-bench-"))
    try {
      await copyFile(fileURLToPath(new URL("../fixtures/openapi/notes.json.gz", import.meta.url)), path.join(data, "notes-openapi.json.gz"))
      const queries = [
        { id: "n1", kind: "name-like", query: "delete a note", expected: ["deleteNote"], split: "tuning" },
        { id: "p1", kind: "paraphrase", query: "erase a memo", expected: ["deleteNote"], split: "fresh" },
        { id: "p2", kind: "paraphrase", query: "show my memos", expected: ["listNotes"], split: "heldout" },
        { id: "x1", kind: "no-answer", query: "send an email", expected: [], split: "tuning" },
      ]
      await writeFile(path.join(data, "notes.json"), JSON.stringify({ queries }))
      const result = await benchSearchEmbeddings({ embeddings: embeddings({ cacheDir: false }), specs: ["notes"], dataDir: data, queriesDir: data })
      if (!result.configured) throw new Error("expected a configured endpoint")
      const [spec] = result.specs
      expect(spec?.rankings.map((r) => r.ranking)).toEqual(["lexical", "embeddings", "fused"])
      const byName = Object.fromEntries(spec?.rankings.map((r) => [r.ranking, r]) ?? [])
      expect(byName.embeddings?.untouchedParaphrase).toMatchObject({ queries: 2, recall1: 1 })
      expect(byName.fused?.untouchedParaphrase.recall5).toBe(1)
      expect(byName.lexical?.nameLike.recall1).toBe(1)
      expect(await benchSearchEmbeddings({})).toEqual({ configured: false, message: expect.stringContaining("No embeddings endpoint is configured") })
    } finally {
      await rm(data, { recursive: true, force: true })
    }
  })

  it("ranks the MCP search tool's queries too, logging a failing endpoint", async () => {
    const log: string[] = []
    const mcp = await createCodeModeServer({ sources: [notes()], tokenBudget: 0, search: { embeddings: embeddings() }, log: (level, line) => void log.push(`${level} ${line}`) })
    const client = await connect(mcp)
    try {
      const text = textOf(await client.callTool({ name: "search", arguments: { query: "erase a memo", limit: 1 } }))
      expect(text).toMatch(/^Best match for "erase a memo"[\s\S]*function delete_note\(/)
      server.failWith = 503
      const fallback = textOf(await client.callTool({ name: "search", arguments: { query: "remove memos please" } }))
      expect(fallback).toMatch(/^No good match for "remove memos please"/)
      expect(log.filter((l) => l.startsWith("warn"))).toEqual([expect.stringMatching(/^warn \[codemode\] \[embeddings\] POST .* failed: HTTP 503/)])
    } finally {
      server.failWith = undefined
      await client.close()
      await mcp.close()
    }
  })
})

describe("fusion and the vector file", () => {
  it("fuses rankings by reciprocal rank", () => {
    const fused = reciprocalRankFusion([["a", "b", "c"], ["c", "a", "d"]])
    expect(fused.map((f) => f.item)).toEqual(["a", "c", "b", "d"])
    expect(fused[0]?.score).toBeCloseTo(1 / 61 + 1 / 62)
  })

  it("reads back what it wrote and ignores a torn last record", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "codemode-vectors-"))
    const file = path.join(dir, "m.vec")
    try {
      await (await openVectorCache(file)).put([[textHash("a"), Float32Array.from([1, 2])], [textHash("b"), Float32Array.from([3, 4, 5])]])
      await writeFile(file, Buffer.concat([await readFile(file), Buffer.from([1, 2, 3])]))
      const cache = await openVectorCache(file)
      expect([...(cache.get(textHash("b")) ?? [])]).toEqual([3, 4, 5])
      expect(cache.get(textHash("a"))?.length).toBe(2)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
