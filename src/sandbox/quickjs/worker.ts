/**
 * Worker thread entry: hosts many concurrent runs, each in a fresh QuickJS runtime + context inside
 * a shared, memory-capped WASM module. Untrusted code runs here, never on the host's main thread;
 * the host's watchdog terminates this thread if a run overruns its deadline (e.g. a long native call
 * between two interrupt polls).
 */
import { readlinkSync } from "node:fs"
import { setPriority } from "node:os"
import { parentPort, workerData } from "node:worker_threads"
import { DEFAULT_LIMITS, type Limits } from "../executor.js"
import { Channel } from "./channel.js"
import { hostToWorker, workerToHost } from "./codec.js"
import { type HostToWorker, type SettledCall, type WorkerConfig, type WorkerToHost } from "./protocol.js"
import { SandboxRun, type RunEnv } from "./sandbox-run.js"
import { createSpares, type SpareRequest } from "./spares.js"
import { createHeapTrim } from "./heap-trim.js"
import { SpinGate, TurnBudget } from "./spin.js"
import { runLocally, warmUpWhenIdle } from "./warm-up.js"
import { createModulePool } from "./wasm-modules.js"

function main(): void {
  if (!parentPort) throw new Error("[codemode] [quickjs] worker.ts must run in a worker thread")
  const config = workerData as WorkerConfig
  lowerThreadPriority(config.nice)
  const runs = new Map<number, SandboxRun>()
  const modules = createModulePool({ slackBytes: config.moduleSlackBytes, retireBytes: config.moduleRetireBytes })
  const warmLimits: Limits = { ...DEFAULT_LIMITS, memoryBytes: config.warmMemoryBytes }
  const idle = () => runs.size === 0
  const spares = createSpares(modules, config.maxArgumentBytes, spareRequest(warmLimits, [], false), idle)
  const heap = createHeapTrim({ everyRuns: config.heapTrimRuns, idle })
  const env: RunEnv = {
    post: (msg: WorkerToHost) => channel.send(msg),
    modules,
    ended: (run) => {
      runs.delete(run)
      spares.refillSoon()
      heap.runEnded()
    },
  }
  const cannotStart = (run: number, err: unknown) => {
    runs.delete(run)
    channel.send({
      t: "done",
      run,
      ok: false,
      json: "",
      error: { kind: "runtime", message: `The sandbox could not start: ${String(err)}` },
      logs: [],
      toolCalls: 0,
    } satisfies WorkerToHost)
  }

  const handle = (msg: HostToWorker) => {
    switch (msg.t) {
      case "run": {
        const run = new SandboxRun(msg, env)
        runs.set(msg.run, run)
        try {
          const sb = spares.take(spareRequest(msg.limits, msg.names, msg.det !== undefined))
          if (sb instanceof Promise) sb.then((s) => run.start(s), (err: unknown) => cannotStart(msg.run, err))
          else run.start(sb)
        } catch (err) {
          cannotStart(msg.run, err)
        }
        return
      }
      case "settle": {
        const byRun = new Map<number, SettledCall[]>()
        for (const r of msg.results) {
          const list = byRun.get(r.run)
          if (list) list.push(r)
          else byRun.set(r.run, [r])
        }
        for (const [run, results] of byRun) runs.get(run)?.settle(results)
        return
      }
      case "abort":
        return runs.get(msg.run)?.abort()
    }
  }
  const gate = new SpinGate(config.spinMs)
  // The worker's event loop only runs its own timers (deadlines of waiting runs; the host's
  // watchdog backs them up), so it may go longer without a turn than the host's.
  const turn = new TurnBudget(10, "park")
  const waiting = () => {
    for (const run of runs.values()) if (run.waiting) return true
    return false
  }
  let spinning = false
  /** While a run waits for tool results, polls for them a little before sleeping (spin.ts). */
  const spinForResults = () => {
    while (waiting() && gate.sent(performance.now()) && turn.allows(performance.now())) {
      const until = performance.now() + gate.budgetMs
      let got: boolean
      do got = channel.pending()
      while (!got && performance.now() < until)
      if (!got) return gate.missed()
      channel.deliver()
    }
  }
  const channel: Channel<HostToWorker, WorkerToHost> = new Channel(config.port, config.memory, "worker", { send: workerToHost, receive: hostToWorker }, (msg) => {
    gate.answered(performance.now(), spinning)
    handle(msg)
    if (spinning) return
    spinning = true
    channel.setAwake(true)
    try {
      spinForResults()
    } finally {
      spinning = false
      channel.setAwake(false)
    }
  })
  // Load the WASM module and run one throw-away program through every path now, so the first real
  // run pays for neither (V8 compiles the glue lazily); then prepare a spare and tell the host.
  const ready = () => {
    spares.refillSoon()
    channel.send({ t: "ready" })
    void warmUpWhenIdle({ calls: config.warmUpCalls, modules, maxArgumentBytes: config.maxArgumentBytes, limits: warmLimits, idle })
  }
  Promise.resolve(spares.take(spareRequest(warmLimits, [], false)))
    .then((sb) => runLocally(sb, modules, WARM_UP, [], warmLimits))
    .then(ready, ready)
}

/** What a run's sandbox must be prepared and initialized for. */
function spareRequest(limits: Limits, names: readonly string[], deterministic: boolean): SpareRequest {
  return { memoryBytes: limits.memoryBytes, names, outputBudget: limits.maxOutputBytes, maxToolCalls: limits.maxToolCalls, deterministic }
}

const WARM_UP = "console.log({ a: [1, 'x'] }, 1); try { null.x } catch (e) { console.log(e) } return { ok: [1] }"

/**
 * On Linux a thread has its own nice value: lowering this one keeps the host's main thread
 * responsive when sandboxes spin on a busy machine. Elsewhere this is a no-op.
 */
function lowerThreadPriority(nice: number): void {
  if (nice === 0) return
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop())
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice)
  } catch {
    // Not Linux, or not permitted: run at the default priority.
  }
}

main()
