/**
 * The sandbox benchmark: in one process and one run, the QuickJS executor's cold execute latency,
 * tool-call round trip and bytes per live sandbox, next to the floors it is judged against (a bare
 * QuickJS runtime+context in-process, a node:vm context) and the capped-module figures (module
 * creation time, host growth when a heap bomb hits the memory limit).
 */
import { availableParallelism, loadavg } from "node:os"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { Worker } from "node:worker_threads"
import vm from "node:vm"
import { DEFAULT_LIMITS, type Bindings, type Executor, type Limits } from "../sandbox/executor.js"
import { tunedQuickjs as quickjs, type TunedQuickJSOptions as QuickJSOptions } from "../internal.js"
import { createModulePool } from "../sandbox/quickjs/wasm-modules.js"
import { exposeGc } from "./gc.js"

export interface SandboxBenchOptions {
  /** Cold executions measured (after 20 warm-up runs). Default: 300. */
  iterations?: number
  /** Awaited tool calls in the tool-call loop. Default: 1,000. */
  toolCalls?: number
  /** Live sandboxes parked on a pending tool call for the density figure. Default: 200. */
  liveSandboxes?: number
  /** Options of the QuickJS executor under test. Default: its defaults. */
  executor?: QuickJSOptions
}

export interface SandboxBenchResult {
  /**
   * Fresh sandbox, `return (await codemode.demo.echo({n:1})).n + 1`, host wall time per run, runs
   * `pauseMs` apart (latency of a request to an idle executor: its prepared sandbox is ready).
   */
  coldExecuteP50Us: number
  coldExecuteP95Us: number
  /** The same, back to back (throughput-bound: preparing the next sandbox competes for the CPU). */
  coldBackToBackP50Us: number
  /** The pause before each run of `coldExecute*` and of `bareQuickjsP50Us`, in ms. */
  pauseMs: number
  /**
   * The same run after a long pause (`idlePauseMs`; 25 runs, or `iterations` if fewer): a request to an executor idle for a
   * while, as between an agent's turns. Both threads have slept long, and every step runs slower.
   */
  coldAfterIdleP50Us: number
  /** The bare QuickJS floor after the same long pause. */
  bareAfterIdleP50Us: number
  idlePauseMs: number
  /**
   * Per awaited call, in a loop of `toolCalls` calls (run time minus an empty loop's, divided), once
   * the executor is warm: after `toolCallWarmupCalls` calls through it (V8 and the WASM engine
   * optimize the call path as it runs; see `toolCallFreshWorkerUs`).
   */
  toolCallUs: number
  toolCallWarmupCalls: number
  /** The same loop as the first run of a new executor (median of 3 new executors). */
  toolCallFreshWorkerUs: number
  /**
   * Per call when the code awaits 100 calls at once (`Promise.all`): run time minus an empty run's,
   * divided by 100 (calls and results cross the thread boundary in batches).
   */
  parallelToolCallUs: number
  /** (host RSS growth incl. WASM memory) / live sandboxes, each parked on a pending tool call. */
  bytesPerSandbox: number
  /**
   * New runtime + context, eval `1+1`, dispose — in-process, no worker, no bindings — with the same
   * pause before each as the cold runs: the floor `coldExecuteP50Us` is judged against. (On a VM
   * whose idle CPUs halt, the same work runs ~1.7x slower right after a pause than back to back.)
   */
  bareQuickjsP50Us: number
  /** The same, back to back: the floor of `coldBackToBackP50Us`. */
  bareQuickjsBackToBackP50Us: number
  /** node:vm createContext + runInContext `1+1` (not a security boundary; reference only). */
  nodeVmP50Us: number
  /** coldExecuteP50Us / bareQuickjsP50Us (target <= 2). */
  coldVsBare: number
  /** coldBackToBackP50Us / bareQuickjsBackToBackP50Us. */
  backToBackVsBare: number
  /**
   * The same executor with spinning off (`hostSpinUs: 0, workerSpinUs: 0`), measured in the same run,
   * its runs alternating with the ones above: what spin-then-park buys on this machine.
   */
  withoutSpin: { coldExecuteP50Us: number; coldBackToBackP50Us: number; toolCallUs: number }
  /** Creating one memory-capped QuickJS WASM module from the compiled module (p50). */
  moduleCreateP50Ms: number
  /**
   * Raw host⇄worker round trips (no QuickJS): postMessage both ways (what the executor uses) vs a
   * SharedArrayBuffer doorbell (worker blocks in Atomics.wait, host awaits Atomics.waitAsync).
   */
  channel: { postMessageRttUs: number; atomicsRttUs: number }
  /**
   * Large values across the boundary, on the host's event loop: a `Promise.all` of `calls` tool calls
   * whose results (or arguments) are `values`-number arrays. Per direction, the run's wall time and
   * the host's longest event-loop stall while it ran (what other requests on the host wait), p50 of
   * `runs`. The host parses arguments and encodes results in slices (docs/sandbox.md).
   */
  largeTransfer: {
    calls: number
    values: number
    runs: number
    results: { runMsP50: number; hostMaxStallMsP50: number }
    arguments: { runMsP50: number; hostMaxStallMsP50: number }
  }
  /** A heap bomb against a 64 MiB limit: how it ended and how much the host grew meanwhile. */
  memoryCap: { limitBytes: number; stoppedBy: string; hostGrowthBytes: number; durationMs: number }
  iterations: number
  toolCalls: number
  liveSandboxes: number
  machine: { node: string; cores: number; loadAverage1m: number }
}

/** The cold-execute program: one tool call on a fresh sandbox. */
export const COLD_PROGRAM = "return (await codemode.demo.echo({n:1})).n + 1"
/** The one binding the sandbox benchmarks call. */
export const echo: Bindings = { "demo.echo": async (a) => a }

/** A loop of `n` awaited `demo.echo` calls, or (calls false) the same loop awaiting resolved promises. */
export function toolLoop(n: number, calls = true): string {
  return `let s = 0; for (let i = 0; i < ${n}; i++) s += ${calls ? "(await codemode.demo.echo({ i })).i" : "(await Promise.resolve({ i })).i"}; return s`
}

/** Runs the whole sandbox benchmark; takes tens of seconds. */
export async function benchSandbox(options: SandboxBenchOptions = {}): Promise<SandboxBenchResult> {
  const iterations = options.iterations ?? 300
  const toolCalls = options.toolCalls ?? 1000
  const liveSandboxes = options.liveSandboxes ?? 200
  const limits: Limits = { ...DEFAULT_LIMITS, timeMs: 60_000, maxToolCalls: Math.max(toolCalls, liveSandboxes, PARALLEL_CALLS) + 10 }
  const gc = exposeGc()

  const bareOp = await bareQuickjs()
  const bare = await timed(iterations, PAUSE_MS, bareOp)
  const bareBackToBack = await timed(iterations, 0, bareOp)
  const idleRuns = Math.min(IDLE_RUNS, iterations)
  const bareAfterIdle = await timed(idleRuns, IDLE_PAUSE_MS, bareOp)
  const nodeVm = await timed(iterations, 0, () => vm.runInContext("1+1", vm.createContext({})))

  const executor = quickjs(options.executor)
  const noSpin = quickjs({ ...options.executor, hostSpinUs: 0, workerSpinUs: 0 })
  try {
    for (const ex of [executor, noSpin]) for (let i = 0; i < 20; i++) await ex.run(COLD_PROGRAM, echo, limits)
    const slice = Math.ceil(iterations / SLICES)
    const [cold, coldNoSpin] = await alternate([executor, noSpin], (ex) => coldRuns(ex, slice, limits, PAUSE_MS))
    const afterIdle = await coldRuns(executor, idleRuns, limits, IDLE_PAUSE_MS)
    const [backToBack, backToBackNoSpin] = await alternate([executor, noSpin], (ex) => coldRuns(ex, slice, limits, 0))
    const [toolCallUs, toolCallNoSpinUs] = await toolCallCost([executor, noSpin], toolCalls, limits)
    const toolCallFreshWorkerUs = await freshToolCallCost(options.executor, toolCalls, limits)
    const parallelToolCallUs = await parallelCallCost(executor, PARALLEL_CALLS, limits)
    const bytesPerSandbox = await density(options.executor, liveSandboxes, limits, gc)
    const coldP50 = percentile(cold, 50)
    const backToBackP50 = percentile(backToBack, 50)
    return {
      coldExecuteP50Us: round(coldP50),
      coldExecuteP95Us: round(percentile(cold, 95)),
      coldBackToBackP50Us: round(backToBackP50),
      pauseMs: PAUSE_MS,
      coldAfterIdleP50Us: round(percentile(afterIdle, 50)),
      bareAfterIdleP50Us: round(percentile(bareAfterIdle, 50)),
      idlePauseMs: IDLE_PAUSE_MS,
      toolCallUs: round(toolCallUs),
      toolCallWarmupCalls: WARM_LOOPS * toolCalls,
      toolCallFreshWorkerUs: round(toolCallFreshWorkerUs),
      parallelToolCallUs: round(parallelToolCallUs),
      bytesPerSandbox: Math.round(bytesPerSandbox),
      bareQuickjsP50Us: round(percentile(bare, 50)),
      bareQuickjsBackToBackP50Us: round(percentile(bareBackToBack, 50)),
      nodeVmP50Us: round(percentile(nodeVm, 50)),
      coldVsBare: round(coldP50 / percentile(bare, 50)),
      backToBackVsBare: round(backToBackP50 / percentile(bareBackToBack, 50)),
      withoutSpin: {
        coldExecuteP50Us: round(percentile(coldNoSpin, 50)),
        coldBackToBackP50Us: round(percentile(backToBackNoSpin, 50)),
        toolCallUs: round(toolCallNoSpinUs),
      },
      moduleCreateP50Ms: round(await moduleCreation()),
      channel: { postMessageRttUs: round(await postMessageRtt(2000)), atomicsRttUs: round(await atomicsRtt(2000)) },
      largeTransfer: await largeTransfer(executor, limits),
      memoryCap: await memoryCap(options.executor),
      iterations,
      toolCalls,
      liveSandboxes,
      machine: { node: process.version, cores: availableParallelism(), loadAverage1m: round(loadavg()[0] ?? 0) },
    }
  } finally {
    await Promise.all([executor.dispose(), noSpin.dispose()])
  }
}

/** Pause before each cold run (and each bare floor measured with them), in ms. */
const PAUSE_MS = 3
/** The long pause of the after-idle figures, and how many runs are measured with it. */
const IDLE_PAUSE_MS = 200
const IDLE_RUNS = 25

/** Slices the executors take turns in, so both see the same machine state. */
const SLICES = 5

/** Runs `measure` on each executor in turn, `SLICES` times; the samples of each, concatenated. */
async function alternate(pair: Pair, measure: (ex: Executor) => Promise<number[]>): Promise<[number[], number[]]> {
  const out: [number[], number[]] = [[], []]
  for (let slice = 0; slice < SLICES; slice++) {
    out[0].push(...(await measure(pair[0])))
    out[1].push(...(await measure(pair[1])))
  }
  return out
}

/** The executor under test and its reference. */
type Pair = [Executor, Executor]

async function coldRuns(executor: Executor, n: number, limits: Limits, pauseMs: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs))
    const t = performance.now()
    const result = await executor.run(COLD_PROGRAM, echo, limits)
    out.push((performance.now() - t) * 1000)
    if (!result.ok || result.value !== 2) throw new Error(`bench program failed: ${JSON.stringify(result)}`)
  }
  return out
}

/** One bare QuickJS operation: new runtime + context, eval `1+1`, dispose (in-process). */
async function bareQuickjs(): Promise<() => void> {
  const { newQuickJSWASMModule } = await import("quickjs-emscripten")
  const qjs = await newQuickJSWASMModule()
  return () => {
    const rt = qjs.newRuntime()
    const ctx = rt.newContext()
    ctx.unwrapResult(ctx.evalCode("1+1")).dispose()
    ctx.dispose()
    rt.dispose()
  }
}

/** Tool-call loops run through each executor before its tool-call cost is measured. */
const WARM_LOOPS = 8

/** (loop with `n` awaited calls − the same loop without calls) / n, in µs. */
async function perCall(executor: Executor, n: number, limits: Limits): Promise<number> {
  const withCalls = await executor.run(toolLoop(n), echo, limits)
  const without = await executor.run(toolLoop(n, false), echo, limits)
  if (!withCalls.ok || !without.ok) throw new Error("tool-call loop failed")
  return ((withCalls.stats.durationMs - without.stats.durationMs) * 1000) / n
}

/**
 * Per executor, after `WARM_LOOPS` loops, the median over `SLICES` repetitions (the executors
 * taking turns) of {@link perCall}.
 */
async function toolCallCost(pair: Pair, n: number, limits: Limits): Promise<[number, number]> {
  for (let i = 0; i < WARM_LOOPS; i++) for (const ex of pair) await perCall(ex, n, limits)
  const [a, b] = await alternate(pair, async (ex) => [await perCall(ex, n, limits)])
  return [percentile(a, 50), percentile(b, 50)]
}

/** {@link perCall} as the first loop of a new executor; the median of 3 executors. */
async function freshToolCallCost(options: QuickJSOptions | undefined, n: number, limits: Limits): Promise<number> {
  const costs: number[] = []
  for (let i = 0; i < 3; i++) {
    const executor = quickjs(options)
    try {
      await executor.run("return 1", echo, limits) // the worker is up
      costs.push(await perCall(executor, n, limits))
    } finally {
      await executor.dispose()
    }
  }
  return percentile(costs, 50)
}

/** Median over 15 repetitions of (run awaiting `n` calls at once − empty run) / n. */
/** Calls issued at once by the batching measurement (a `Promise.all`). */
const PARALLEL_CALLS = 100

async function parallelCallCost(executor: Executor, n: number, limits: Limits): Promise<number> {
  const all = `const r = await Promise.all(Array.from({ length: ${n} }, (_, i) => codemode.demo.echo({ i }))); return r.length`
  const costs: number[] = []
  for (let rep = 0; rep < 15; rep++) {
    const withCalls = await executor.run(all, echo, limits)
    const without = await executor.run("return 0", echo, limits)
    if (!withCalls.ok || withCalls.value !== n || !without.ok) {
      throw new Error(`parallel tool-call run failed: ${JSON.stringify(withCalls.ok ? without : withCalls.error)}`)
    }
    costs.push(((withCalls.stats.durationMs - without.stats.durationMs) * 1000) / n)
  }
  return percentile(costs, 50)
}

const TRANSFER_CALLS = 8
const TRANSFER_VALUES = 100_000
const TRANSFER_RUNS = 5

/** See `SandboxBenchResult.largeTransfer`. */
async function largeTransfer(executor: Executor, limits: Limits): Promise<SandboxBenchResult["largeTransfer"]> {
  const values = Array.from({ length: TRANSFER_VALUES }, (_, i) => i)
  const bindings: Bindings = { "demo.values": async () => values, "demo.count": async (a) => (a as { values: unknown[] }).values.length }
  const big = `Array.from({ length: ${TRANSFER_VALUES} }, (_, i) => i)`
  const programs = {
    results: `const r = await Promise.all(Array.from({ length: ${TRANSFER_CALLS} }, () => codemode.demo.values({}))); return r.reduce((s, v) => s + v.length, 0)`,
    arguments: `const values = ${big}; const r = await Promise.all(Array.from({ length: ${TRANSFER_CALLS} }, () => codemode.demo.count({ values }))); return r.reduce((s, n) => s + n, 0)`,
  }
  const measure = async (code: string) => {
    const runMs: number[] = []
    const stallMs: number[] = []
    for (let rep = 0; rep < TRANSFER_RUNS; rep++) {
      const delay = monitorEventLoopDelay({ resolution: 1 })
      delay.enable()
      const started = performance.now()
      const outcome = await executor.run(code, bindings, limits)
      runMs.push(performance.now() - started)
      delay.disable()
      if (!outcome.ok || outcome.value !== TRANSFER_CALLS * TRANSFER_VALUES) throw new Error(`large-transfer run failed: ${JSON.stringify(outcome.ok ? outcome.value : outcome.error)}`)
      stallMs.push(delay.max / 1e6)
    }
    return { runMsP50: round(percentile(runMs, 50)), hostMaxStallMsP50: round(percentile(stallMs, 50)) }
  }
  return { calls: TRANSFER_CALLS, values: TRANSFER_VALUES, runs: TRANSFER_RUNS, results: await measure(programs.results), arguments: await measure(programs.arguments) }
}

/**
 * Parks `count` runs on a pending tool call in a new executor and measures the host's RSS growth per
 * run. A new executor, because one that already ran loops has WASM pages its allocator freed but
 * kept: parked sandboxes reuse them and the RSS does not grow (measured: 0 bytes once).
 */
async function density(options: QuickJSOptions | undefined, count: number, limits: Limits, gc?: () => void): Promise<number> {
  const executor = quickjs(options)
  try {
    for (let i = 0; i < 5; i++) await executor.run(COLD_PROGRAM, echo, limits) // workers and spares are up
    return await parkedGrowth(executor, count, limits, gc)
  } finally {
    await executor.dispose()
  }
}

async function parkedGrowth(executor: Executor, count: number, limits: Limits, gc?: () => void): Promise<number> {
  gc?.()
  await new Promise((r) => setTimeout(r, 50))
  const before = process.memoryUsage.rss()
  const releases: (() => void)[] = []
  let parked!: () => void
  const allParked = new Promise<void>((r) => (parked = r))
  const bindings: Bindings = {
    "demo.wait": () =>
      new Promise((resolve) => {
        releases.push(() => resolve({ ok: true }))
        if (releases.length === count) parked()
      }),
  }
  const runs = Array.from({ length: count }, () => executor.run("const r = await codemode.demo.wait({}); return r.ok", bindings, limits))
  await allParked
  gc?.()
  const during = process.memoryUsage.rss()
  for (const release of releases) release()
  const outs = await Promise.all(runs)
  if (outs.some((o) => !o.ok)) throw new Error("a parked sandbox failed")
  return Math.max(0, during - before) / count
}

async function moduleCreation(): Promise<number> {
  const pool = createModulePool({ slackBytes: 32 << 20, retireBytes: 48 << 20 })
  await pool.acquire(1 << 20) // compiles the WASM once
  const times: number[] = []
  for (let i = 2; i < 12; i++) {
    const t = performance.now()
    await pool.acquire(i << 20) // a new cap means a new module
    times.push(performance.now() - t)
  }
  return percentile(times, 50)
}

async function memoryCap(options?: QuickJSOptions): Promise<SandboxBenchResult["memoryCap"]> {
  const executor = quickjs({ ...options, poolSize: 1 })
  const limitBytes = 64 << 20
  try {
    await executor.run("return 1", echo, DEFAULT_LIMITS)
    const base = process.memoryUsage.rss()
    let peak = base
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5)
    const t = performance.now()
    const out = await executor.run("const k = []; for (;;) k.push(new Array(1e5).fill(1.5))", echo, {
      ...DEFAULT_LIMITS,
      memoryBytes: limitBytes,
      timeMs: 10_000,
    })
    clearInterval(timer)
    peak = Math.max(peak, process.memoryUsage.rss())
    return {
      limitBytes,
      stoppedBy: out.ok ? "not stopped" : out.error.kind,
      hostGrowthBytes: peak - base,
      durationMs: round(performance.now() - t),
    }
  } finally {
    await executor.dispose()
  }
}

async function postMessageRtt(n: number): Promise<number> {
  const w = new Worker(`require("node:worker_threads").parentPort.on("message", (m) => require("node:worker_threads").parentPort.postMessage(m))`, { eval: true })
  const once = (i: number) => new Promise((r) => (w.once("message", r), w.postMessage(i)))
  await once(0)
  const t = performance.now()
  for (let i = 0; i < n; i++) await once(i)
  const us = ((performance.now() - t) * 1000) / n
  await w.terminate()
  return us
}

async function atomicsRtt(n: number): Promise<number> {
  const a = new Int32Array(new SharedArrayBuffer(8))
  const w = new Worker(
    `const a = new Int32Array(require("node:worker_threads").workerData)
     for (;;) { Atomics.wait(a, 0, 0); if (a[0] === 2) break; a[0] = 0; Atomics.add(a, 1, 1); Atomics.notify(a, 1) }`,
    { eval: true, workerData: a.buffer },
  )
  const once = async () => {
    const seen = Atomics.load(a, 1)
    Atomics.store(a, 0, 1)
    Atomics.notify(a, 0)
    const r = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: unknown } }).waitAsync(a, 1, seen)
    if (r.async) await r.value
  }
  await once()
  const t = performance.now()
  for (let i = 0; i < n; i++) await once()
  const us = ((performance.now() - t) * 1000) / n
  Atomics.store(a, 0, 2)
  Atomics.notify(a, 0)
  await w.terminate()
  return us
}

/** Times `fn` `n` times (after 20 untimed calls), each after a pause of `pauseMs` (0: none). */
async function timed(n: number, pauseMs: number, fn: () => unknown): Promise<number[]> {
  for (let i = 0; i < 20; i++) fn()
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs))
    const t = performance.now()
    fn()
    out.push((performance.now() - t) * 1000)
  }
  return out
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

const round = (n: number) => Math.round(n * 10) / 10
