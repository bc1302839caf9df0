/**
 * `npm run bench -- state`: a filtered `query` on a collection of `docs` documents (a real SQLite
 * file), through the state source's tool as a program's call reaches it, side by side in one run:
 * right after a commit (the collection's revision moved: every document is parsed again) and at an
 * unchanged revision (the parsed documents are reused). Medians of `repetitions` each, alternating.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, loadavg, tmpdir } from "node:os"
import path from "node:path"
import { renderTable } from "../src/runtime/text-table.js"
import { state } from "../src/tools/state/source.js"

export interface StateBenchResult {
  docs: number
  repetitions: number
  /** A query right after a commit to the collection. */
  afterCommitMs: number
  /** The same query again, nothing committed in between. */
  sameRevisionMs: number
  machine: { node: string; cores: number; loadAverage1m: number }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number
const round = (n: number) => Math.round(n * 100) / 100

export async function benchState(docs = 20_000, repetitions = 20): Promise<StateBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "codemode-bench-state-"))
  const source = state("s", { db: path.join(dir, "bench.db"), collections: { items: { type: "object", properties: { n: { type: "number" }, tag: { type: "string" } }, required: ["n"] } } })
  try {
    const tools = new Map((await source.load()).map((t) => [`${t.namespace}.${t.name}`, t]))
    const insert = tools.get("s.items.insert")
    const query = tools.get("s.items.query")
    if (!insert || !query) throw new Error("the state source has no s.items.insert / s.items.query")
    for (let i = 0; i < docs; i++) await insert.call({ n: i, tag: i % 10 === 0 ? "x" : "y" }, {})
    const ask = { filter: { tag: "x", n: { gte: docs / 4 } }, limit: 10 }
    const timed = async () => {
      const started = performance.now()
      const found = (await query.call(ask, {})) as unknown[]
      if (found.length !== 10) throw new Error(`expected 10 documents, got ${found.length}`)
      return performance.now() - started
    }
    const afterCommit: number[] = []
    const sameRevision: number[] = []
    for (let r = 0; r < repetitions; r++) {
      await insert.call({ n: docs + r, tag: "y" }, {})
      afterCommit.push(await timed())
      sameRevision.push(await timed())
    }
    return {
      docs,
      repetitions,
      afterCommitMs: round(median(afterCommit)),
      sameRevisionMs: round(median(sameRevision)),
      machine: { node: process.version, cores: availableParallelism(), loadAverage1m: round(loadavg()[0] ?? 0) },
    }
  } finally {
    await source.close?.()
    rmSync(dir, { recursive: true, force: true })
  }
}

export function stateTable(r: StateBenchResult): string {
  return (
    renderTable(
      ["query (filter, limit 10)", "median"],
      [
        ["right after a commit (parses every document)", `${r.afterCommitMs.toFixed(2)} ms`],
        ["at the same revision (parsed documents reused)", `${r.sameRevisionMs.toFixed(2)} ms`],
      ],
    ) + `\n${r.docs.toLocaleString("en-US")} documents, ${r.repetitions} queries each, alternating; node ${r.machine.node}, ${r.machine.cores} cores, load ${r.machine.loadAverage1m}`
  )
}
