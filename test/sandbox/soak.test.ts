/**
 * Soak, short enough for CI: 1,500 runs through one executor (tool calls, logs, thrown and syntax
 * errors, a limit hit) with the benchmark's program mix; after the first 500, the host's V8 heap,
 * its open handles and the process's RSS stay flat. The 10,000-run soak, with its figures, is a
 * benchmark: `npm run bench -- soak` (docs/sandbox.md).
 */
import { expect, it } from "vitest"
import { benchSoak } from "../../src/bench/soak.js"

const MiB = 1024 * 1024
const RUNS = 1_500
const WARMUP = 500
/**
 * Host heap growth allowed over the 1,000 runs after the warm-up: the heap is sampled after a full
 * GC, so this catches anything the host keeps per run from ~2 KB up (measured: +0.1 MiB).
 */
const HEAP_TOLERANCE = 2 * MiB
/**
 * RSS growth allowed over the same runs. The worker threads' V8 heaps are still settling here
 * (+19 to +20 MiB measured from TypeScript sources on 2 cores, in four runs), so this only catches
 * leaks outside the host heap of ~12 KB per run and more: a sandbox or WASM module kept per run,
 * buffers never freed.
 */
const RSS_TOLERANCE = 32 * MiB

it(`keeps the host heap, handles and RSS flat over ${RUNS} runs`, { timeout: 300_000 }, async () => {
  const r = await benchSoak({ runs: RUNS, warmupRuns: WARMUP, tailRuns: 500, sampleEvery: 250, budgetBytes: RSS_TOLERANCE })
  const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`
  console.log(
    `soak ${RUNS} runs: ${JSON.stringify(r.outcomes)}; after ${WARMUP}: rss ${mib(r.rssGrowthBytes)}, heap ${mib(r.heapGrowthBytes)}, handles ${r.handlesGrowth}; ${r.runsPerSecond} runs/s`,
  )
  expect(r.outcomes.ok).toBeGreaterThan(RUNS / 3)
  expect(r.outcomes.runtime).toBeGreaterThan(0)
  expect(r.outcomes.syntax).toBeGreaterThan(0)
  expect(r.outcomes.limit).toBeGreaterThan(0)
  expect(Object.keys(r.outcomes).sort()).toEqual(["limit", "ok", "runtime", "syntax"])
  expect(r.heapGrowthBytes).toBeLessThan(HEAP_TOLERANCE)
  expect(r.rssGrowthBytes).toBeLessThan(RSS_TOLERANCE)
  expect(r.handlesGrowth).toBeLessThanOrEqual(0)
})
