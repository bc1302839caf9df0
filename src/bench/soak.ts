/**
 * The soak benchmark: many runs through one QuickJS executor (tool calls, logs, thrown and syntax
 * errors, a limit hit), sampling the host process after a GC every `sampleEvery` runs. It reports how
 * much RSS (the whole process: host heap, worker heaps, WASM memory) and the host's V8 heap grew
 * after the warm-up and over the last window: flat memory means neither keeps growing with runs.
 */
import { loadavg, availableParallelism } from "node:os"
import { DEFAULT_LIMITS, type Bindings, type Executor, type Limits, type RunOutcome } from "../sandbox/executor.js"
import { tunedQuickjs as quickjs, type TunedQuickJSOptions as QuickJSOptions } from "../internal.js"
import { exposeGc } from "./gc.js"

export interface SoakBenchOptions {
  /** Runs in all, warm-up included. Default 10,000. */
  runs?: number
  /** Runs before the baseline sample (caches, JIT and WASM modules settle). Default 1,000. */
  warmupRuns?: number
  /** The last window, whose growth is reported separately. Default 3,000. */
  tailRuns?: number
  /** Runs in flight at once. Default 4. */
  concurrency?: number
  /** A sample every this many runs. Default 500. */
  sampleEvery?: number
  /** Growth after the warm-up that still counts as flat, in bytes. Default 10 MiB. */
  budgetBytes?: number
  /** Options of the executor under test. Default: its defaults. */
  executor?: QuickJSOptions
  /** Called after each sample (progress for long runs). */
  onSample?: (sample: SoakSample) => void
}

export interface SoakSample {
  /** Runs finished when the sample was taken. */
  runs: number
  rssBytes: number
  /** The host isolate's V8 heap in use (worker heaps are in RSS only). */
  heapUsedBytes: number
  /** Memory of the host's Buffers and ArrayBuffers outside its V8 heap. */
  externalBytes: number
  /** Open handles (timers, ports, workers…), TTYs not counted. */
  handles: number
  elapsedMs: number
}

export interface SoakBenchResult {
  runs: number
  warmupRuns: number
  tailRuns: number
  concurrency: number
  /** Outcomes by kind: "ok", or the error kind. */
  outcomes: Record<string, number>
  samples: SoakSample[]
  /** RSS at the end minus RSS after the warm-up. */
  rssGrowthBytes: number
  /** RSS at the end minus RSS `tailRuns` before the end. */
  rssTailGrowthBytes: number
  heapGrowthBytes: number
  heapTailGrowthBytes: number
  handlesGrowth: number
  budgetBytes: number
  /** Both RSS growth figures are under `budgetBytes`. */
  flat: boolean
  durationMs: number
  runsPerSecond: number
  machine: { node: string; cores: number; loadAverage1m: number }
}

/** The soak's limits: the defaults with a short time limit and a small tool-call budget (one program hits it). */
export const SOAK_LIMITS: Limits = { ...DEFAULT_LIMITS, timeMs: 2000, maxToolCalls: 20 }

export const SOAK_BINDINGS: Bindings = {
  "kv.get": async (a) => ({ key: (a as { key: string }).key, value: "v".repeat(100) }),
  "kv.fail": async () => {
    throw new Error("not found")
  },
}

/** A rotating mix of programs: tool calls, logs, thrown errors, syntax errors, a limit hit. */
export const SOAK_PROGRAMS: readonly string[] = [
  "let n = 0; for (let i = 0; i < 5; i++) n += (await codemode.kv.get({ key: 'k' + i })).value.length; return n",
  "console.log('row', { i: 1, tags: ['a', 'b'] }); return (await Promise.all([1, 2, 3].map((i) => codemode.kv.get({ key: String(i) })))).length",
  "try { await codemode.kv.fail({}) } catch (e) { return e.message }",
  "throw new TypeError('bad input')",
  "const x = ;",
  "for (;;) await codemode.kv.get({ key: 'flood' })",
  "return JSON.parse(JSON.stringify({ list: Array.from({ length: 200 }, (_, i) => ({ i })) })).list.length",
]

const MiB = 1024 * 1024
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `runs` programs from {@link SOAK_PROGRAMS} through one executor, `concurrency` at a time,
 * and samples the process. Takes about a minute for 10,000 runs on 2 cores.
 */
export async function benchSoak(options: SoakBenchOptions = {}): Promise<SoakBenchResult> {
  const runs = options.runs ?? 10_000
  const warmupRuns = Math.min(options.warmupRuns ?? 1_000, runs)
  const tailRuns = Math.min(options.tailRuns ?? 3_000, runs - warmupRuns)
  const concurrency = options.concurrency ?? 4
  const sampleEvery = options.sampleEvery ?? 500
  const budgetBytes = options.budgetBytes ?? 10 * MiB
  const checkpoints = new Set([warmupRuns, runs - tailRuns, runs])
  for (let n = sampleEvery; n < runs; n += sampleEvery) checkpoints.add(n)

  const gc = exposeGc()
  const executor: Executor = quickjs(options.executor)
  const outcomes: Record<string, number> = {}
  const samples: SoakSample[] = []
  const started = performance.now()
  const sample = async (done: number) => {
    // Let late messages and the workers' own idle work land, then collect the host's garbage.
    await settle(50)
    gc?.()
    gc?.()
    const mem = process.memoryUsage()
    const s: SoakSample = {
      runs: done,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      externalBytes: mem.external,
      handles: process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap").length,
      elapsedMs: Math.round(performance.now() - started),
    }
    samples.push(s)
    options.onSample?.(s)
  }
  const record = (o: RunOutcome) => {
    const kind = o.ok ? "ok" : o.error.kind
    outcomes[kind] = (outcomes[kind] ?? 0) + 1
  }

  try {
    await sample(0)
    let done = 0
    for (const stop of [...checkpoints].sort((a, b) => a - b)) {
      let next = done
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < stop) record(await executor.run(SOAK_PROGRAMS[next++ % SOAK_PROGRAMS.length] as string, SOAK_BINDINGS, SOAK_LIMITS))
        }),
      )
      done = stop
      await sample(done)
    }
  } finally {
    await executor.dispose()
  }

  const at = (n: number) => samples.find((s) => s.runs === n) as SoakSample
  const [base, tail, last] = [at(warmupRuns), at(runs - tailRuns), at(runs)]
  const rssGrowthBytes = last.rssBytes - base.rssBytes
  const rssTailGrowthBytes = last.rssBytes - tail.rssBytes
  const durationMs = performance.now() - started
  return {
    runs,
    warmupRuns,
    tailRuns,
    concurrency,
    outcomes,
    samples,
    rssGrowthBytes,
    rssTailGrowthBytes,
    heapGrowthBytes: last.heapUsedBytes - base.heapUsedBytes,
    heapTailGrowthBytes: last.heapUsedBytes - tail.heapUsedBytes,
    handlesGrowth: last.handles - base.handles,
    budgetBytes,
    flat: rssGrowthBytes < budgetBytes && rssTailGrowthBytes < budgetBytes,
    durationMs: Math.round(durationMs),
    runsPerSecond: Math.round((runs / durationMs) * 1000),
    machine: { node: process.version, cores: availableParallelism(), loadAverage1m: loadavg()[0] ?? 0 },
  }
}
