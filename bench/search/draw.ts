/**
 * Draws operations for a new untouched split: a seeded random order over the operations no earlier
 * query expects, skipping deprecated ones and members of large look-alike families a user cannot
 * tell apart (Radar time series, Workers AI model runs, Copilot daily reports), as for fresh2.
 *   npx tsx bench/search/draw.ts <spec> <seed> <count>
 * Prints operationId, method, path, summary and the start of the description of each drawn operation.
 */
import { readFile } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { DEFAULT_DATA_DIR, type BenchQuery } from "../../src/bench/search.js"
import { openapi } from "../../src/tools/openapi/index.js"
import { mulberry32 } from "../../test/fixtures/prng.js"

const [spec = "cloudflare", seedText = "1", countText = "30"] = process.argv.slice(2)
const here = path.dirname(fileURLToPath(import.meta.url))
const tools = await openapi(spec, { spec: path.join(DEFAULT_DATA_DIR, `${spec}-openapi.json.gz`) }).load()
const queries = (JSON.parse(await readFile(path.join(here, `${spec}.json`), "utf8")) as { queries: BenchQuery[] }).queries
const used = new Set(queries.flatMap((q) => q.expected))
const FAMILIES = /radar|workers-ai-post-run|ai-run|copilot-.*(metrics|usage|report)/i

/** A seeded PRNG, so the draw is reproducible. */
const random = mulberry32

const pool = tools
  .filter((t) => t.origin?.operationId !== undefined && !used.has(t.origin.operationId))
  .filter((t) => !/^\s*deprecated\b/i.test(t.description ?? "") && !FAMILIES.test(t.origin?.operationId ?? ""))
  .sort((a, b) => (a.origin?.operationId ?? "").localeCompare(b.origin?.operationId ?? ""))
const next = random(Number(seedText))
for (let i = pool.length - 1; i > 0; i--) {
  const j = Math.floor(next() * (i + 1))
  ;[pool[i], pool[j]] = [pool[j] as (typeof pool)[number], pool[i] as (typeof pool)[number]]
}
for (const [i, t] of pool.slice(0, Number(countText)).entries()) {
  const o = t.origin
  const text = (t.description ?? "").replace(/\s+/g, " ").slice(0, 300)
  process.stdout.write(`${i} ${i % 3 === 0 ? "NAME" : "PARA"} ${o?.operationId} | ${o?.method?.toUpperCase()} ${o?.path}\n    ${text}\n`)
}
