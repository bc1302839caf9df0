/**
 * Prints the search benchmark as a table (and the JSON with --json).
 *   npx tsx bench/search/run.ts [--json] [--ablations] [--write] [--misses] [--splits=tuning,…] [--variants='<json>']
 * --splits prints only the named splits (and no "all" row): while tuning, print `--splits=tuning`
 * so the untouched splits stay unseen. --variants adds named variants, as JSON
 * `[["name", {SearchIndexOptions}], …]`, after bm25 and codemode.
 * --write saves the JSON to bench/results/search.json; --misses lists the tuning-split queries whose
 * expected operation is not ranked first (the other splits are never listed: that is what keeps
 * them out of tuning).
 */
import { writeFile, mkdir } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { SearchIndexOptions } from "../../src/search/search.js"
import { BENCH_SPLITS, benchSearch, type KindMetrics, type SearchMetrics, type VariantResult } from "../../src/bench/search.js"

const argv = process.argv.slice(2)
const args = new Set(argv)
const valueOf = (name: string) => argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1)
const only = valueOf("--splits")?.split(",")
const variants = JSON.parse(valueOf("--variants") ?? "[]") as Array<[string, SearchIndexOptions]>
const result = await benchSearch({ ablations: args.has("--ablations"), variants })

const fmt = (m: SearchMetrics) => `${m.recall1.toFixed(2)} ${m.recall5.toFixed(2)} ${m.mrr.toFixed(2)}`
const col = 16
for (const spec of result.specs) {
  const lines = [`\n${spec.spec}: ${spec.tools} tools, ${spec.queries} queries (r@1 r@5 mrr)`]
  lines.push(["split".padEnd(9), "kind".padEnd(10), "n".padStart(3), ...spec.variants.map((v) => v.variant.padEnd(col))].join(" | "))
  const rows: Array<[string, (v: VariantResult) => KindMetrics]> = [
    ...(only ? [] : [["all", (v: VariantResult) => v] as [string, (v: VariantResult) => KindMetrics]]),
    ...BENCH_SPLITS.filter((s) => !only || only.includes(s)).map((s): [string, (v: VariantResult) => KindMetrics] => [s, (v) => v.splits[s]]),
  ]
  for (const [split, pick] of rows) {
    for (const kind of ["nameLike", "paraphrase"] as const) {
      const first = pick(spec.variants[0] as VariantResult)[kind]
      if (first.queries === 0) continue
      lines.push([split.padEnd(9), kind.padEnd(10), String(first.queries).padStart(3), ...spec.variants.map((v) => fmt(pick(v)[kind]).padEnd(col))].join(" | "))
    }
    const none = pick(spec.variants[0] as VariantResult).noAnswer
    if (none.queries > 0) {
      lines.push([split.padEnd(9), "noAnswer".padEnd(10), String(none.queries).padStart(3), ...spec.variants.map((v) => `flagged ${pick(v).noAnswer.flagged.toFixed(2)}`.padEnd(col))].join(" | "))
    }
  }
  lines.push(["answers flagged / cut".padEnd(26), ...spec.variants.map((v) => `${v.flaggedAnswers} / ${v.lostToCutoff}`.padEnd(col))].join(" | "))
  lines.push(["build ms".padEnd(26), ...spec.variants.map((v) => v.buildMs.toFixed(0).padEnd(col))].join(" | "))
  lines.push(["query ms mean/p95".padEnd(26), ...spec.variants.map((v) => `${v.queryMs.mean.toFixed(2)}/${v.queryMs.p95.toFixed(2)}`.padEnd(col))].join(" | "))
  if (spec.meanResultTokens !== undefined) lines.push(`mean search result tokens (o200k, default catalog, ${spec.resultTokens?.length} queries): ${spec.meanResultTokens}`)
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
