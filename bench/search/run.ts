/**
 * Prints the search benchmark as a table (and the JSON with --json).
 *   npx tsx bench/search/run.ts [--json] [--ablations] [--write] [--misses]
 * --write saves the JSON to bench/results/search.json; --misses lists the tuning-split queries whose
 * expected operation is not ranked first (held-out and fresh queries are never listed: that is what
 * keeps them out of tuning).
 */
import { writeFile, mkdir } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { benchSearch, type SearchMetrics, type VariantResult } from "../../src/bench/search.js"

const args = new Set(process.argv.slice(2))
const result = await benchSearch({ ablations: args.has("--ablations") })

const fmt = (m: SearchMetrics) => `${m.recall1.toFixed(3)} ${m.recall5.toFixed(3)} ${m.mrr.toFixed(3)}`
const header =
  "variant      | name-like r@1 r@5 mrr | paraphrase r@1 r@5 mrr | held-out name-like | held-out paraphrase | revision name-like | revision paraphr.  | fresh name-like   | fresh paraphrase  | build ms | query ms mean/p95"
for (const spec of result.specs) {
  const lines = [`\n${spec.spec}: ${spec.tools} tools, ${spec.queries} queries`, header]
  for (const v of spec.variants) {
    lines.push(
      [
        v.variant.padEnd(12),
        fmt(v.nameLike).padEnd(21),
        fmt(v.paraphrase).padEnd(22),
        fmt(v.splits.heldout.nameLike).padEnd(18),
        fmt(v.splits.heldout.paraphrase).padEnd(19),
        fmt(v.splits.revision.nameLike).padEnd(18),
        fmt(v.splits.revision.paraphrase).padEnd(18),
        fmt(v.splits.fresh.nameLike).padEnd(17),
        fmt(v.splits.fresh.paraphrase).padEnd(17),
        v.buildMs.toFixed(1).padStart(8),
        `${v.queryMs.mean.toFixed(3)}/${v.queryMs.p95.toFixed(3)}`,
      ].join(" | "),
    )
  }
  process.stdout.write(`${lines.join("\n")}\n`)
  if (args.has("--misses")) {
    const full = spec.variants.find((v) => v.variant === "codemode") as VariantResult
    const queries = (await import(path.resolve(path.dirname(fileURLToPath(import.meta.url)), `${spec.spec}.json`), { with: { type: "json" } }))
      .default.queries as Array<{ id: string; query: string; split: string; expected: string[] }>
    for (const q of queries) {
      const rank = full.ranks[q.id] ?? 0
      if (q.split === "tuning" && rank !== 1) process.stdout.write(`  miss ${q.id} rank ${rank}: "${q.query}" → ${q.expected.join(", ")}\n`)
    }
  }
}
if (args.has("--json")) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
if (args.has("--write")) {
  const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../results/search.json")
  await mkdir(path.dirname(out), { recursive: true })
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`)
  process.stdout.write(`wrote ${out}\n`)
}
