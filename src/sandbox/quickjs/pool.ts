/**
 * Host side: a small pool of long-lived sandbox worker threads, the channel to each (channel.ts), and
 * the watchdog. A worker whose run overruns its deadline by `graceMs` is
 * terminated and replaced (its other runs fail with a clear message); the pool keeps serving.
 */
import type { ResourceLimits, Worker } from "node:worker_threads"
import type { Bindings, Determinism, Limits, LogLine, PartialResult, RunError, RunOutcome } from "../executor.js"
import { encodeHostValue, hostErrorMessage } from "./host-values.js"
import { createHostSlicer } from "./host-slices.js"
import { Channel } from "./channel.js"
import { hostToWorker, workerToHost } from "./codec.js"
import { expandRuns, runLengths } from "./determinism.js"
import {
  sharedNow,
  type CallStarted,
  type HostToWorker,
  type RunDeterminism,
  type RunFinished,
  type SettledCall,
  type StartRun,
  type ToolCall,
  type WorkerConfig,
  type WorkerToHost,
} from "./protocol.js"
import { limitError } from "./run-errors.js"
import { SpinGate, TurnBudget } from "./spin.js"
import { startWorker } from "./worker-entry.js"

/** How long a run may wait for its worker thread to start (load the WASM module, warm up). */
const STARTUP_TIMEOUT_MS = 30_000

export interface PoolOptions {
  size: number
  graceMs: number
  resourceLimits: ResourceLimits
  config: Omit<WorkerConfig, "port" | "memory">
  /** Max JSON characters of a tool result sent into the sandbox. */
  maxTransferBytes: number
  /** How long the host polls for a worker's next message after sending it a tool result, in ms (0: never). */
  spinMs: number
}

interface Slot extends SlotState {
  worker?: Worker
  /** The host's end of the worker's channel (messages both ways). */
  channel?: Channel<WorkerToHost, HostToWorker>
  /**
   * Whether to spin for the worker's answer to a tool result. (Not after a start: the worker is
   * asleep then and compiles the code first, so its answer comes later than any spin budget.)
   */
  spin: SpinGate
  spinning: boolean
  /** Tool results of this tick after the first (which left at once); sent together at its end. */
  results: SettledCall[]
  batching: boolean
  queue: HostRun[]
  runs: Map<number, HostRun>
}

interface HostRun {
  id: number
  js: string
  bindings: Bindings
  limits: Limits
  /** A deterministic run: its seed and clock as sent to the worker, and the caller's options (for `onClock`). */
  det?: { wire: RunDeterminism; determinism: Determinism }
  started: number
  slot: Slot
  watchdog?: ReturnType<typeof setTimeout>
  resolve(outcome: RunOutcome): void
  cleanup(): void
}

/** How a run ended, before the host adds its stats. */
type Ended = ({ ok: true; value: unknown } | { ok: false; error: RunError; partial?: PartialResult }) & {
  logs: LogLine[]
  toolCalls?: number
  memoryBytes?: number
}

export interface Pool {
  run(js: string, bindings: Bindings, limits: Limits, signal?: AbortSignal, determinism?: Determinism): Promise<RunOutcome>
  dispose(): Promise<void>
}

/** How long the host polls its channels between two turns of the microtask queue while spinning. */
const SPIN_BURST_MS = 0.01

/** One per process: every pool's spinning shares the host's event loop. */
const hostTurn = new TurnBudget(2)

/** What {@link pickSlot} looks at. */
export interface SlotState {
  /** The slot's worker is up and has said so. */
  ready: boolean
  /** When the slot's last run ended (performance.now(); -Infinity: never used). */
  idleSince: number
}

/**
 * How long after its last run a worker is taken to have its next sandbox prepared (a worker given a
 * run while preparing one makes the run wait for it; docs/sandbox.md has the timings).
 */
export const REST_MS = 2

/**
 * The slot for the next run: the least busy one; among those, one whose worker is up, then one that
 * has rested since its last run (so its spare sandbox is ready), the most recently used of those
 * (its caches are warmest); if none has rested, the one idle the longest. So back-to-back runs
 * alternate between workers while runs with pauses between them stay on one.
 */
export function pickSlot<S extends SlotState>(slots: readonly S[], load: (s: S) => number, now: number): S {
  const rested = (s: S) => now - s.idleSince >= REST_MS
  const better = (a: S, b: S) => {
    if (load(a) !== load(b)) return load(a) < load(b)
    if (a.ready !== b.ready) return a.ready
    if (rested(a) !== rested(b)) return rested(a)
    return rested(a) ? a.idleSince > b.idleSince : a.idleSince < b.idleSince
  }
  let best = slots[0] as S
  for (const s of slots) if (better(s, best)) best = s
  return best
}

export function createPool(options: PoolOptions): Pool {
  const slots: Slot[] = Array.from({ length: options.size }, () => ({
    ready: false,
    idleSince: -Infinity,
    queue: [],
    runs: new Map(),
    results: [],
    batching: false,
    spin: new SpinGate(options.spinMs),
    spinning: false,
  }))
  let nextId = 1
  let closed = false

  const active = (s: Slot) => s.runs.size + s.queue.length
  const slice = createHostSlicer()

  /** Starts every slot's worker, so the first runs already find a second one warm. */
  function spawnAll(): void {
    for (const s of slots) if (!s.worker) spawn(s)
  }

  function spawn(slot: Slot): void {
    const { worker, port, memory } = startWorker(options.config, options.resourceLimits)
    const channel: Channel<WorkerToHost, HostToWorker> = new Channel(port, memory, "host", { send: hostToWorker, receive: workerToHost }, (msg) => onMessage(slot, channel, msg))
    slot.worker = worker
    slot.channel = channel
    slot.ready = false
    worker.on("error", (err) => lost(slot, worker, `the sandbox worker failed (${err.message})`))
    worker.on("exit", (code) => lost(slot, worker, `the sandbox worker exited (code ${code})`))
    if (active(slot) === 0) keepAlive(slot, false)
  }

  /** Lets the process exit while the slot has no runs (a live worker or port would keep it up). */
  function keepAlive(slot: Slot, on: boolean): void {
    for (const h of [slot.worker, slot.channel?.port]) {
      if (on) h?.ref()
      else h?.unref()
    }
  }

  /**
   * After sending the worker something it answers quickly, polls for the answer for a moment (the
   * microtask queue keeps running, so tool bindings settle meanwhile) instead of letting this
   * thread fall asleep and paying a wake-up. Bounded per wait and per stretch; see spin.ts.
   */
  async function spinForAnswer(slot: Slot): Promise<void> {
    const { channel, spin: gate } = slot
    if (!channel || slot.spinning || !gate.sent(performance.now()) || !hostTurn.allows(performance.now())) return
    slot.spinning = true
    channel.setAwake(true)
    try {
      const until = performance.now() + gate.budgetMs
      do {
        // Poll without allocating for a short burst, then let microtasks run: a promise per poll
        // filled the host's young generation every few dozen calls (a scavenge each time).
        const burst = Math.min(until, performance.now() + SPIN_BURST_MS)
        do if (channel.pending()) return channel.deliver()
        while (performance.now() < burst)
        await null
      } while (performance.now() < until && slot.channel === channel)
      gate.missed()
    } finally {
      slot.spinning = false
      channel.setAwake(false)
    }
  }

  function onMessage(slot: Slot, channel: Channel<WorkerToHost, HostToWorker>, msg: WorkerToHost): void {
    if (slot.channel !== channel) return
    slot.spin.answered(performance.now(), slot.spinning)
    if (msg.t === "ready") {
      slot.ready = true
      for (const run of slot.queue.splice(0)) dispatch(run)
    } else if (msg.t === "call") onCalls(slot, msg)
    else {
      const run = slot.runs.get(msg.run)
      if (run && msg.reads && !reportReads(run, msg.reads)) return
      finish(run, fromWorker(msg))
    }
  }

  function dispatch(run: HostRun): void {
    const { slot } = run
    slot.runs.set(run.id, run)
    const msg: StartRun = {
      t: "run",
      run: run.id,
      js: run.js,
      names: Object.keys(run.bindings),
      limits: run.limits,
      deadline: sharedNow() + run.limits.timeMs,
    }
    if (run.det) msg.det = run.det.wire
    slot.channel?.send(msg)
    clearTimeout(run.watchdog)
    run.watchdog = setTimeout(() => overrun(run, limitError("timeMs", run.limits)), run.limits.timeMs + options.graceMs)
  }

  function onCalls(slot: Slot, msg: CallStarted): void {
    const run = slot.runs.get(msg.run)
    if (!run || (msg.reads && !reportReads(run, msg.reads))) return
    for (const call of msg.calls) slice(() => slot.runs.get(run.id) === run && onCall(slot, run, call))
  }

  /**
   * Hands a deterministic run's clock reads to its `onClock`, before the calls that came with them
   * reach any binding (or before its outcome). If `onClock` throws, the run cannot be replayed: it
   * is stopped with an error and false is returned.
   */
  function reportReads(run: HostRun, reads: readonly number[]): boolean {
    const { det } = run
    if (!det) return true
    try {
      expandRuns(reads, (values) => det.determinism.onClock(values))
      return true
    } catch {
      run.slot.channel?.send({ t: "abort", run: run.id })
      const message = "The run was stopped: its clock reads could not be recorded (determinism.onClock threw)."
      finish(run, { ok: false, error: { kind: "runtime", message }, logs: [] })
      return false
    }
  }

  /**
   * Sends a tool result to the worker: the first of a tick at once, the others that complete in the
   * same tick (e.g. a Promise.all) together in one message at its end — one wake-up of the worker.
   */
  function settle(slot: Slot, result: SettledCall): void {
    if (slot.batching) {
      slot.results.push(result)
      return
    }
    slot.batching = true
    slot.channel?.send({ t: "settle", results: [result] })
    queueMicrotask(() => {
      slot.batching = false
      const live = slot.results.filter((r) => slot.runs.has(r.run))
      slot.results = []
      if (live.length) slot.channel?.send({ t: "settle", results: live })
    })
    void spinForAnswer(slot)
  }

  function onCall(slot: Slot, run: HostRun, msg: ToolCall): void {
    const reply = (ok: boolean, payload: string) => {
      if (slot.runs.get(run.id) === run) settle(slot, { run: run.id, call: msg.call, ok, payload })
    }
    const fn = Object.hasOwn(run.bindings, msg.name) ? run.bindings[msg.name] : undefined
    if (!fn) return reply(false, `codemode.${msg.name} is not a tool`)
    let args: unknown
    try {
      args = msg.json === "" ? undefined : JSON.parse(msg.json)
    } catch {
      return reply(false, `the argument of codemode.${msg.name} is not valid JSON`)
    }
    Promise.resolve()
      .then(() => fn(args))
      .then(
        (value) =>
          slice(() => {
            if (slot.runs.get(run.id) !== run) return
            let json: string
            try {
              json = encodeHostValue(value, msg.name, options.maxTransferBytes)
            } catch (err) {
              return reply(false, hostErrorMessage(err))
            }
            reply(true, json)
          }),
        (err: unknown) => reply(false, hostErrorMessage(err)),
      )
  }

  function finish(run: HostRun | undefined, part: Ended): void {
    if (!run) return
    run.slot.runs.delete(run.id)
    const q = run.slot.queue.indexOf(run)
    if (q >= 0) run.slot.queue.splice(q, 1)
    clearTimeout(run.watchdog)
    run.cleanup()
    if (active(run.slot) === 0) {
      keepAlive(run.slot, false)
      run.slot.idleSince = performance.now()
    }
    const stats: RunOutcome["stats"] = { durationMs: performance.now() - run.started, toolCalls: part.toolCalls ?? 0 }
    if (part.memoryBytes !== undefined) stats.memoryBytes = part.memoryBytes
    run.resolve(part.ok ? { ok: true, value: part.value, logs: part.logs, stats } : { ok: false, error: part.error, logs: part.logs, stats, ...(part.partial ? { partial: part.partial } : {}) })
  }

  /** The watchdog: the worker did not answer in time, so stop the thread and replace it. */
  function overrun(culprit: HostRun, error: RunError): void {
    const { slot } = culprit
    if (slot.runs.get(culprit.id) !== culprit) return
    const others = [...slot.runs.values()].filter((r) => r !== culprit)
    reset(slot, true)
    finish(culprit, { ok: false, error, logs: [] })
    const message = "The run was stopped because its sandbox worker was restarted: another run on it overran its time limit."
    for (const r of others) finish(r, { ok: false, error: { kind: "aborted", message }, logs: [] })
  }

  function lost(slot: Slot, worker: Worker, why: string): void {
    if (slot.worker !== worker) return
    // Queued runs fail too when the worker never came up: respawning would only fail again.
    const runs = [...slot.runs.values(), ...(slot.ready ? [] : slot.queue)]
    if (!slot.ready) slot.queue = []
    reset(slot, slot.ready)
    for (const r of runs) finish(r, { ok: false, error: { kind: "runtime", message: `The run failed: ${why}.` }, logs: [] })
  }

  /** Terminates the slot's worker and starts its replacement right away, so the next run finds it warm. */
  function reset(slot: Slot, respawn: boolean): void {
    const old = slot.worker
    slot.channel?.close()
    slot.worker = slot.channel = undefined
    slot.ready = false
    void old?.terminate()
    if (!closed && (respawn || slot.queue.length)) spawn(slot)
  }

  function run(js: string, bindings: Bindings, limits: Limits, signal?: AbortSignal, determinism?: Determinism): Promise<RunOutcome> {
    return new Promise<RunOutcome>((resolve) => {
      const slot = pickSlot(slots, active, performance.now())
      const onAbort = () => abort(hostRun)
      const hostRun: HostRun = {
        id: nextId++,
        js,
        bindings,
        limits,
        started: performance.now(),
        slot,
        resolve,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      }
      // The clock is copied now: the caller's array may change while the run waits for its worker.
      if (determinism) hostRun.det = { wire: { seed: determinism.seed, clock: runLengths(determinism.clock) }, determinism }
      if (signal?.aborted) return finish(hostRun, { ok: false, error: abortedError(), logs: [] })
      signal?.addEventListener("abort", onAbort, { once: true })
      if (!slot.worker) spawnAll()
      keepAlive(slot, true)
      if (slot.ready) return dispatch(hostRun)
      slot.queue.push(hostRun)
      // The time limit starts when the run reaches its worker; waiting for a worker to start is bounded too.
      hostRun.watchdog = setTimeout(() => {
        const message = `The sandbox worker did not start within ${STARTUP_TIMEOUT_MS} ms.`
        if (slot.queue.includes(hostRun)) finish(hostRun, { ok: false, error: { kind: "runtime", message }, logs: [] })
      }, STARTUP_TIMEOUT_MS)
    })
  }

  function abort(run: HostRun): void {
    const { slot } = run
    if (slot.queue.includes(run)) return finish(run, { ok: false, error: abortedError(), logs: [] })
    if (slot.runs.get(run.id) !== run) return
    slot.channel?.send({ t: "abort", run: run.id })
    clearTimeout(run.watchdog)
    run.watchdog = setTimeout(() => overrun(run, abortedError()), options.graceMs)
  }

  async function dispose(): Promise<void> {
    if (closed) return
    closed = true
    const error: RunError = { kind: "aborted", message: "The sandbox was disposed while the run was in progress." }
    await Promise.all(
      slots.map(async (slot) => {
        const runs = [...slot.runs.values(), ...slot.queue]
        const worker = slot.worker
        slot.channel?.close()
        slot.worker = slot.channel = undefined
        for (const r of runs) finish(r, { ok: false, error, logs: [] })
        await worker?.terminate()
      }),
    )
  }

  return { run, dispose }
}

function abortedError(): RunError {
  return { kind: "aborted", message: "The run was cancelled (AbortSignal)." }
}

function fromWorker(msg: RunFinished): Ended {
  const base = { logs: msg.logs, toolCalls: msg.toolCalls, ...(msg.memoryBytes === undefined ? {} : { memoryBytes: msg.memoryBytes }) }
  if (!msg.ok) {
    const partial = msg.cut && msg.json !== "" ? { partial: { value: JSON.parse(msg.json) as unknown, cut: msg.cut } } : {}
    return { ok: false, error: msg.error ?? { kind: "runtime", message: "The run failed." }, ...partial, ...base }
  }
  return { ok: true, value: msg.json === "" ? undefined : (JSON.parse(msg.json) as unknown), ...base }
}
