/** Readable tables for the benchmark results (`codemode bench …` without --json, `npm run bench`). */
import type { SandboxBenchResult } from "../bench/sandbox.js"
import type { SearchBenchResult, SearchMetrics } from "../bench/search.js"
import type { EmbeddingsBenchResult } from "../bench/search-embeddings.js"
import type { TypecheckBenchResult } from "../bench/typecheck.js"
import type { SoakBenchResult } from "../bench/soak.js"
import { renderTable, type Cell } from "../runtime/text-table.js"

const fixed = (n: number): string => n.toFixed(3)
const metrics = (m: SearchMetrics): Cell[] => [fixed(m.recall1), fixed(m.recall5), fixed(m.mrr)]

export function searchTable(result: SearchBenchResult): string {
  const rows = result.specs.flatMap((spec) =>
    spec.variants.map((v): Cell[] => [
      spec.spec,
      spec.tools,
      v.variant,
      ...metrics(v.nameLike),
      ...metrics(v.paraphrase),
      ...metrics(v.untouched.paraphrase),
      fixed(v.noAnswer.flagged),
      v.flaggedAnswers,
      v.lostToCutoff,
      v.buildMs,
      v.queryMs.mean,
      v.variant === "codemode" ? (spec.meanResultTokens ?? "") : "",
    ]),
  )
  const headers = [
    "spec", "tools", "variant", "name r@1", "r@5", "mrr", "paraphrase r@1", "r@5", "mrr", "untouched paraphrase r@1", "r@5", "mrr",
    "no-answer flagged", "answers flagged", "answers cut", "build ms", "query ms", "mean result tokens",
  ]
  return renderTable(headers, rows)
}

/** Lexical, embeddings and fused rankings per spec; or the sentence saying that no endpoint is configured. */
export function embeddingsSearchTable(result: EmbeddingsBenchResult): string {
  if (!result.configured) return result.message
  const rows = result.specs.flatMap((spec) =>
    spec.rankings.map((r): Cell[] => [spec.spec, spec.tools, r.ranking, ...metrics(r.nameLike), ...metrics(r.paraphrase), ...metrics(r.untouchedParaphrase), spec.embedMs, spec.rankMs]),
  )
  const headers = ["spec", "tools", "ranking", "name r@1", "r@5", "mrr", "paraphrase r@1", "r@5", "mrr", "untouched paraphrase r@1", "r@5", "mrr", "embed ms", "rank ms"]
  return `${result.endpoint.model} at ${result.endpoint.baseUrl}\n${renderTable(headers, rows)}`
}

const MiB = 1024 * 1024

/** One row per figure, with the target it is judged against. */
export function sandboxTable(r: SandboxBenchResult): string {
  const us = (n: number) => `${n.toFixed(0)} µs`
  const rows: Cell[][] = [
    ["cold execute p50", us(r.coldExecuteP50Us), `<= 2x bare QuickJS (${r.coldVsBare.toFixed(2)}x); ${r.pauseMs} ms pause before each`],
    ["cold execute p95", us(r.coldExecuteP95Us), ""],
    ["cold execute p50, after idle", us(r.coldAfterIdleP50Us), `${r.idlePauseMs} ms pause; ${(r.coldAfterIdleP50Us / r.bareAfterIdleP50Us).toFixed(2)}x bare after the same pause (${us(r.bareAfterIdleP50Us)})`],
    ["cold execute p50, back to back", us(r.coldBackToBackP50Us), `no pause; ${r.backToBackVsBare.toFixed(2)}x bare back to back`],
    ["tool call round trip", `${r.toolCallUs.toFixed(1)} µs`, `<= 30 µs; warm (after ${r.toolCallWarmupCalls} calls)`],
    ["  same, first loop of a new executor", `${r.toolCallFreshWorkerUs.toFixed(1)} µs`, "V8 and WASM still optimizing the call path"],
    ["  same, spinning off", `${r.withoutSpin.toolCallUs.toFixed(1)} µs`, `cold p50 ${us(r.withoutSpin.coldExecuteP50Us)}, back to back ${us(r.withoutSpin.coldBackToBackP50Us)}`],
    ["tool call in a Promise.all of 100", `${r.parallelToolCallUs.toFixed(1)} µs`, "per call, batched"],
    ["bytes per live sandbox", `${(r.bytesPerSandbox / MiB).toFixed(2)} MiB`, `<= 0.5 MB (${r.liveSandboxes} live)`],
    ["floor: bare QuickJS context p50", us(r.bareQuickjsP50Us), `new runtime+context, eval 1+1, dispose; ${r.pauseMs} ms pause before each`],
    ["  same, back to back", us(r.bareQuickjsBackToBackP50Us), "no pause"],
    ["floor: node:vm context p50", us(r.nodeVmP50Us), "not a boundary; reference"],
    ["channel round trip: postMessage", `${r.channel.postMessageRttUs.toFixed(1)} µs`, "raw, no QuickJS"],
    ["channel round trip: SAB + Atomics", `${r.channel.atomicsRttUs.toFixed(1)} µs`, "raw, no QuickJS"],
    ["capped WASM module create p50", `${r.moduleCreateP50Ms.toFixed(1)} ms`, "off the hot path"],
    ...(["results", "arguments"] as const).map((direction) => [
      `${r.largeTransfer.calls} × ${r.largeTransfer.values.toLocaleString("en-US")}-number ${direction === "results" ? "results" : "arguments"}`,
      `${r.largeTransfer[direction].runMsP50.toFixed(1)} ms per run`,
      `host event loop stalled ≤ ${r.largeTransfer[direction].hostMaxStallMsP50.toFixed(1)} ms (p50 of ${r.largeTransfer.runs})`,
    ]),
    [
      `heap bomb vs ${(r.memoryCap.limitBytes / MiB).toFixed(0)} MiB limit`,
      `stopped by ${r.memoryCap.stoppedBy}`,
      `host grew ${(r.memoryCap.hostGrowthBytes / MiB).toFixed(1)} MiB in ${r.memoryCap.durationMs.toFixed(0)} ms`,
    ],
  ]
  const machine = `node ${r.machine.node}, ${r.machine.cores} cores, load ${r.machine.loadAverage1m.toFixed(2)}; ${r.iterations} runs, ${r.toolCalls} calls`
  return `${renderTable(["figure", "value", "target / note"], rows)}\n${machine}`
}

/** One row per spec: the checker process's figures and the in-process pruning comparison. */
export function typecheckTable(r: TypecheckBenchResult): string {
  const rows = (["cloudflare", "github"] as const).map((spec): Cell[] => [
    spec,
    r[spec].coldMs,
    r[spec].warmP50Ms,
    r[spec].warmP95Ms,
    r[spec].warmCpuP50Ms,
    `${(r[spec].heapBytes / MiB).toFixed(0)} MiB`,
    r.pruning[spec].persistentWarmP50Ms,
    r.pruning[spec].prunedWarmP50Ms,
  ])
  const headers = ["spec", "cold ms", "warm p50 ms", "warm p95 ms", "warm CPU p50 ms", "heap", "in-process p50: kept checker", "pruned per program"]
  return `${renderTable(headers, rows)}\n(${r.programLines}-line program, ${r.warmChecks} warm checks, load ${r.loadPerCore} per core; target: warm p50 <= 30 ms on Cloudflare)`
}

/** Bytes as signed MiB ("+1.5 MiB"). */
const signedMiB = (bytes: number): string => `${bytes >= 0 ? "+" : ""}${(bytes / MiB).toFixed(1)} MiB`

/** The soak's verdict (growth after the warm-up and over the last window, against the budget), then one row per sample. */
export function soakTable(r: SoakBenchResult): string {
  const within = (bytes: number) => `${bytes < r.budgetBytes ? "under" : "OVER"} ${(r.budgetBytes / MiB).toFixed(0)} MiB`
  const end = r.runs.toLocaleString("en")
  const base = r.warmupRuns.toLocaleString("en")
  const tail = r.tailRuns.toLocaleString("en")
  const verdict: Cell[][] = [
    [`RSS growth, runs ${base} → ${end}`, signedMiB(r.rssGrowthBytes), within(r.rssGrowthBytes)],
    [`RSS growth, last ${tail} runs`, signedMiB(r.rssTailGrowthBytes), within(r.rssTailGrowthBytes)],
    [`host V8 heap growth, runs ${base} → ${end}`, signedMiB(r.heapGrowthBytes), "host isolate (worker heaps are in RSS)"],
    [`host V8 heap growth, last ${tail} runs`, signedMiB(r.heapTailGrowthBytes), ""],
    ["open handles", `${r.handlesGrowth >= 0 ? "+" : ""}${r.handlesGrowth}`, `runs ${base} → ${end}`],
    ["runs per second", r.runsPerSecond, `${r.concurrency} in flight; ${(r.durationMs / 1000).toFixed(0)} s in all`],
    ["outcomes", Object.entries(r.outcomes).map(([k, n]) => `${k} ${n}`).join(", "), ""],
  ]
  const curve = r.samples.map((s): Cell[] => [s.runs, (s.rssBytes / MiB).toFixed(1), (s.heapUsedBytes / MiB).toFixed(1), (s.externalBytes / MiB).toFixed(1), s.handles, (s.elapsedMs / 1000).toFixed(1)])
  const machine = `node ${r.machine.node}, ${r.machine.cores} cores, load ${r.machine.loadAverage1m.toFixed(2)}; flat: ${r.flat ? "yes" : "no"}`
  return [
    renderTable(["figure", "value", "budget / note"], verdict),
    renderTable(["runs", "RSS MiB", "host heap MiB", "host external MiB", "handles", "s"], curve),
    machine,
  ].join("\n\n")
}
