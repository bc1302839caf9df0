/**
 * Leave-out run on the tuning split: how the ranking does on paraphrases whose words the
 * thesaurus does not know. For each tuning paraphrase, every thesaurus phrase sharing a stem with
 * the query is removed before the query is ranked, which simulates a user whose wording nobody
 * wrote down — without spending the held-out and fresh splits. This is the honest measure of how
 * far the thesaurus generalizes.
 *   npx tsx bench/search/leave-out.ts ['[["name", {...SearchIndexOptions}], …]']
 * A JSON argument adds named variants of your own, after the default ranking.
 */
import { readFile } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { DEFAULT_DATA_DIR as dataDir, metrics, type BenchQuery } from "../../src/bench/search.js"
import { createSearchIndex, type SearchIndexOptions } from "../../src/search/search.js"
import { THESAURUS, type ThesaurusEntry } from "../../src/search/thesaurus.js"
import { analyze } from "../../src/search/tokenize.js"
import { openapi } from "../../src/tools/openapi/index.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const extra = JSON.parse(args.find((a) => a.startsWith("[")) ?? "[]") as Array<[string, SearchIndexOptions]>
const variants: ReadonlyArray<readonly [string, SearchIndexOptions]> = [["codemode", {}], ...extra]

/** The thesaurus without the user phrases that share a stem with `query`. */
function withoutQueryWords(query: string): ThesaurusEntry[] {
  const stems = new Set(analyze(query))
  const kept: ThesaurusEntry[] = []
  for (const [user, api, action] of THESAURUS) {
    const phrases = user.split("|").filter((p) => !analyze(p).some((t) => stems.has(t)))
    if (phrases.length > 0) kept.push(action === undefined ? [phrases.join("|"), api] : [phrases.join("|"), api, action])
  }
  return kept
}

for (const spec of ["cloudflare", "github"]) {
  const tools = await openapi(spec, { spec: path.join(dataDir, `${spec}-openapi.json.gz`) }).load()
  const queries = (JSON.parse(await readFile(path.join(here, `${spec}.json`), "utf8")) as { queries: BenchQuery[] }).queries
    .filter((q) => q.split === "tuning" && q.kind === "paraphrase")
  for (const [name, options] of variants) {
    const full: Record<string, number> = {}
    const left: Record<string, number> = {}
    for (const q of queries) {
      for (const [ranks, base] of [[full, THESAURUS], [left, withoutQueryWords(q.query)]] as const) {
        const hits = createSearchIndex(tools, { ...options, baseThesaurus: base }).search(q.query, { limit: 50, cutoff: false })
        ranks[q.id] = hits.findIndex((h) => h.operationId !== undefined && q.expected.includes(h.operationId)) + 1
      }
    }
    const fmt = (m: ReturnType<typeof metrics>) => `${m.recall1.toFixed(2)} / ${m.recall5.toFixed(2)} / ${m.mrr.toFixed(2)}`
    process.stdout.write(`${spec} ${name.padEnd(9)} tuning paraphrases (${queries.length}), r@1 / r@5 / MRR: full thesaurus ${fmt(metrics(queries, full))}; query words left out ${fmt(metrics(queries, left))}\n`)
  }
}
