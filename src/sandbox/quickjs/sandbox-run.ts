/**
 * Worker side: one run, in a fresh prepared QuickJS runtime + context (see prepared.ts) inside a
 * shared capped module; the sandbox is freed when the run ends and never serves another run.
 *
 * The run is driven by events: `start`, tool results (`settle`), `abort` and its deadline timer. Jobs
 * (microtasks) run in small batches until the main promise settles, so work the code leaves behind
 * after returning never runs. Limits stop the run through `stop()`, which only records the reason:
 * the interrupt handler then ends any JS still running (QuickJS's interrupt is uncatchable) and the
 * run is finished once control is back in the worker. Nothing here ever throws to the caller.
 *
 * A deterministic run (`req.det`) installs determinism.ts in its sandbox before its code, sends its
 * clock reads with its calls and its end, and takes tool results one at a time (see `settle`).
 */
import type { QuickJSHandle } from "quickjs-emscripten"
import type { Limits, LogLevel, LogLine, ResultCut, RunError } from "../executor.js"
import { installDeterminism } from "./determinism.js"
import { directCalls, type DirectCalls } from "./direct-calls.js"
import { disposeSandbox, initSandbox, type PreparedSandbox, type SandboxOwner } from "./prepared.js"
import { sharedNow, type CallStarted, type RunFinished, type SettledCall, type StartRun, type ToolCall, type WorkerToHost } from "./protocol.js"
import { limitError, thrownError, USER_FILE, WRAP_PREFIX, WRAP_SUFFIX, type Described } from "./run-errors.js"
import type { ModulePool } from "./wasm-modules.js"

/** Jobs executed between checks of the main promise. */
const JOB_BATCH = 64
const LEVELS = new Set<LogLevel>(["log", "info", "warn", "error", "debug"])

export interface RunEnv {
  post(msg: WorkerToHost): void
  modules: ModulePool
  /** Called once when the run has finished and released its sandbox. */
  ended(run: number): void
}

export class SandboxRun implements SandboxOwner {
  private sb?: PreparedSandbox
  /** The engine calls of the tool-call path (direct-calls.ts). */
  private engine?: DirectCalls
  private main?: QuickJSHandle
  /** A deterministic run's `take()` of its clock reads (determinism.ts). */
  private reads?: QuickJSHandle
  /** True while taking the clock reads, which must complete even after the run was stopped. */
  private draining = false
  private timer?: ReturnType<typeof setTimeout>
  private reason?: RunError
  private done = false
  private calls = 0
  /** Tool results delivered so far (a run whose calls all came back is not waiting for the host). */
  private settled = 0
  private outputBytes = 0
  private peakMemory: number | undefined
  /** Bytes the module's heap grew while this run was executing. */
  private grownBytes = 0
  private readonly logs: LogLine[] = []
  private readonly limits: Limits

  constructor(
    private readonly req: StartRun,
    private readonly env: RunEnv,
  ) {
    this.limits = req.limits
  }

  /** Takes a prepared sandbox (used by this run only) and runs the code until it first waits. */
  start(sb: PreparedSandbox): void {
    this.sb = sb
    this.engine = directCalls(sb.ctx, sb.rt)
    sb.owner = this
    if (this.reason) return this.finish()
    this.enter()
    try {
      this.timer = setTimeout(() => this.onDeadline(), Math.max(0, this.req.deadline - sharedNow()))
      const { rt, ctx } = sb
      rt.setMaxStackSize(this.limits.stackBytes)
      initSandbox(sb, { names: this.req.names, outputBudget: this.limits.maxOutputBytes, maxToolCalls: this.limits.maxToolCalls })
      // Into this run's own sandbox, before its code: no sandbox carries another run's determinism.
      if (this.req.det) this.reads = installDeterminism(sb, this.req.det)
      // Compiles and calls the wrapper in one step: an async function never throws synchronously, so
      // an error here is a compile error (or the code broke out of the wrapper and threw).
      const started = ctx.evalCode(WRAP_PREFIX + this.req.js + WRAP_SUFFIX, USER_FILE)
      if (started.error) return this.finishWithThrown(started.error, true)
      this.main = started.value
      this.drive()
    } catch (err) {
      // Interrupted by a limit while setting up (e.g. the deadline passed in the queue): not a failure.
      if (this.reason) this.finish()
      else this.fail(err)
    }
  }

  /** Marks this run as the one executing in its module, so heap growth is charged to it. */
  private enter(): void {
    const module = this.sb?.module
    if (!module) return
    module.allowGrowth = (bytes) => {
      if (this.grownBytes + bytes <= this.limits.memoryBytes) {
        this.grownBytes += bytes
        return true
      }
      this.stop(limitError("memoryBytes", this.limits))
      this.env.modules.retire(module)
      return false
    }
  }

  /** True while the run has tool calls out on the host and nothing else to do. */
  get waiting(): boolean {
    return !this.done && this.settled < this.calls
  }

  /**
   * Tool calls finished on the host: delivers every result, then runs the code once. A
   * deterministic run instead runs the code after each result until it waits again, so what it
   * observes depends only on the order of the results, not on how the host batched them.
   */
  settle(results: readonly SettledCall[]): void {
    const { sb, engine } = this
    if (this.done || !sb || !engine) return
    this.settled += results.length
    this.enter()
    try {
      for (const { call, ok, payload } of results) {
        if (this.reason) break
        if (!engine.callNumberBoolString(sb.settle, call, ok, payload)) {
          this.stop({ kind: "runtime", message: "A tool result could not be delivered to the sandbox." })
        } else if (this.req.det && !this.runJobs()) return this.finish()
      }
      this.drive()
    } catch (err) {
      this.fail(err)
    }
  }

  abort(): void {
    this.stop({ kind: "aborted", message: "The run was cancelled (AbortSignal)." })
    this.enter()
    if (this.sb) this.finish()
  }

  private onDeadline(): void {
    this.stop(limitError("timeMs", this.limits))
    this.enter()
    this.finish()
  }

  /** Records why the run must end; the first reason wins. */
  private stop(reason: RunError): void {
    this.reason ??= reason
  }

  shouldInterrupt(): boolean {
    if (this.draining) return false
    if (this.reason) return true
    if (sharedNow() >= this.req.deadline) {
      this.stop(limitError("timeMs", this.limits))
      return true
    }
    try {
      this.checkMemory()
    } catch (err) {
      // Sampling the heap failed (its module is out of memory): stop here instead of letting the
      // engine's interrupt callback report the error on stderr. (The run finishes once control is
      // back in the worker; its runtime cannot be freed from inside its own interrupt.)
      this.stop(sandboxFailure(err))
      if (this.sb) this.env.modules.retire(this.sb.module)
    }
    return this.reason !== undefined
  }

  /** Samples this run's heap when the module's heap grew; stops the run above its limit. */
  private checkMemory(): void {
    const { sb } = this
    if (!sb || !this.env.modules.grew(sb.module)) return
    const { module, rt, ctx } = sb
    const h = rt.computeMemoryUsage()
    const usage = ctx.dump(h) as { memory_used_size?: number; malloc_size?: number }
    h.dispose()
    const used = Math.max(usage.memory_used_size ?? 0, 0)
    this.peakMemory = Math.max(this.peakMemory ?? 0, used)
    if (used > this.limits.memoryBytes) {
      this.stop(limitError("memoryBytes", this.limits))
      this.env.modules.retire(module)
    } else if (module.heapBytes >= module.capBytes) {
      // The module is full: whoever allocates next fails; take no new runs here.
      this.env.modules.retire(module)
    }
  }

  onCallLimit(): void {
    this.stop(limitError("maxToolCalls", this.limits))
  }

  /** Keeps a log line within the output budget; returns the bytes left. */
  onLog(level: LogLevel, message: string): number {
    if (this.reason) return 0
    this.checkMemory()
    const left = this.limits.maxOutputBytes - this.outputBytes
    const bytes = Buffer.byteLength(message) + 1
    if (bytes > left) {
      this.stop(limitError("maxOutputBytes", this.limits))
      return 0
    }
    this.outputBytes += bytes
    this.logs.push({ level: LEVELS.has(level) ? level : "log", message })
    return left - bytes
  }

  /** Runs jobs until the main promise settles, the run is stopped, or it waits for the host. */
  private drive(): void {
    if (!this.sb || !this.main || !this.engine) return
    if (!this.runJobs()) return this.finish()
    this.postCalls()
    if (this.reason) this.finish()
  }

  /** Runs jobs until the code waits (true), or until its promise settled or the run was stopped (false). */
  private runJobs(): boolean {
    const { sb, main, engine } = this
    if (!sb || !main || !engine) return false
    const { rt } = sb
    for (;;) {
      // Run jobs until none are left (at most 16 batches, then look at the main promise again, so
      // microtasks the code leaves spinning after its result do not keep the run alive).
      for (let batches = 0; batches < 16 && !this.reason && rt.hasPendingJob(); batches++) {
        const r = engine.executeJobs(JOB_BATCH)
        if (typeof r !== "number") {
          // Only uncatchable errors escape a job (an interrupt, or out of memory inside the engine).
          const d = this.describe(r.error)
          r.error.dispose()
          this.stop(thrownError(d, this.limits, false, this.codeLines()))
        }
      }
      if (this.reason || !engine.isPending(main)) return false
      if (!rt.hasPendingJob()) return true
    }
  }

  /**
   * The code yielded (it waits or ended): takes the calls it queued since it last yielded and sends
   * them to the host in one message, numbered in call order as the sandbox numbered them.
   */
  private postCalls(): void {
    const { sb } = this
    if (!sb || this.reason) return
    const queued = this.engine?.callForString(sb.take)
    if (queued === undefined) return this.stop({ kind: "runtime", message: "The tool calls could not be read from the sandbox." })
    if (queued === "") return
    const parts = queued.split("\x01")
    const calls: ToolCall[] = []
    for (let k = 0; k + 1 < parts.length; k += 2) {
      const name = this.req.names[Number(parts[k])]
      if (name === undefined || this.calls >= this.limits.maxToolCalls) {
        return this.stop(name === undefined ? { kind: "runtime", message: "The sandbox queued an unknown tool call." } : limitError("maxToolCalls", this.limits))
      }
      calls.push({ call: this.calls++, name, json: parts[k + 1] as string })
    }
    const msg: CallStarted = { t: "call", run: this.req.run, calls }
    if (this.reads) {
      const reads = this.takeReads()
      if (reads === undefined) return this.stop(unreadableClock())
      if (reads.length > 0) msg.reads = reads
    }
    this.env.post(msg)
  }

  /**
   * Empties a deterministic run's clock reads past its replayed clock (`[value, count, …]`);
   * undefined if the sandbox could not give them. Runs even after the run was stopped (e.g. by its
   * deadline): `take()` is the installer's own bounded loop, no code of the run's.
   */
  private takeReads(): number[] | undefined {
    const { engine, reads } = this
    if (!engine || !reads) return undefined
    this.draining = true
    let text: string | undefined
    try {
      text = engine.callForString(reads)
    } finally {
      this.draining = false
    }
    if (text === undefined) return undefined
    const parts = text.split(",")
    parts.pop()
    return parts.map(Number)
  }

  private finishWithThrown(error: QuickJSHandle, compiling: boolean): void {
    const d = this.describe(error)
    error.dispose()
    this.stop(thrownError(d, this.limits, compiling, this.codeLines()))
    this.finish()
  }

  private codeLines(): number {
    let n = 1
    for (let i = this.req.js.indexOf("\n"); i >= 0; i = this.req.js.indexOf("\n", i + 1)) n++
    return n
  }

  private describe(value: QuickJSHandle): Described {
    const { sb } = this
    const fallback = { name: "Error", message: "the code threw a value that could not be described", stack: "" }
    if (!sb || this.reason) return fallback
    const { ctx } = sb
    const r = ctx.callFunction(sb.describe, ctx.undefined, value)
    if (r.error) {
      r.error.dispose()
      return fallback
    }
    const text = ctx.getString(r.value)
    r.value.dispose()
    return JSON.parse(text) as Described
  }

  /**
   * Copies the result out (runs toJSON/getters under the limits) and checks its size. A result over
   * `maxResultBytes` is the limit's error, but also cut to fit in the sandbox (cut-source.ts) and
   * sent along; when its characters fit but its UTF-8 bytes do not, it is cut again to a
   * proportionally smaller size (at most twice).
   */
  private encodeResult(): Encoded | { error: RunError } {
    const { sb, main } = this
    if (!sb || !main) return { error: { kind: "runtime", message: "The run did not start." } }
    const { ctx } = sb
    const state = ctx.getPromiseState(main)
    if (state.type === "pending") return { error: { kind: "runtime", message: "The run ended before its result." } }
    if (state.type === "rejected") {
      const d = this.describe(state.error)
      state.error.dispose()
      return { error: this.reason ?? thrownError(d, this.limits, false, this.codeLines()) }
    }
    const limit = this.limits.maxResultBytes
    try {
      let max = limit
      for (let tries = 0; tries < 3; tries++) {
        const out = this.encodeOnce(state.value, max)
        if ("error" in out) return out
        const bytes = Buffer.byteLength(out.json)
        if (bytes <= limit) return out
        // within the limit in characters, over it in UTF-8 bytes: cut to fewer characters
        max = Math.floor((Math.min(max, out.json.length) * limit) / bytes / 1.05)
      }
      return { error: limitError("maxResultBytes", this.limits) }
    } finally {
      state.value.dispose()
    }
  }

  private encodeOnce(value: QuickJSHandle, maxChars: number): Encoded | { error: RunError } {
    const { ctx, encodeResult } = this.sb as PreparedSandbox
    const max = ctx.newNumber(maxChars)
    const r = ctx.callFunction(encodeResult, ctx.undefined, value, max)
    max.dispose()
    if (r.error) {
      const d = this.describe(r.error)
      r.error.dispose()
      return { error: this.reason ?? thrownError(d, this.limits, false, this.codeLines()) }
    }
    const text = ctx.typeof(r.value) === "string" ? ctx.getString(r.value) : null
    r.value.dispose()
    if (this.reason) return { error: this.reason }
    if (text === null) return { error: limitError("maxResultBytes", this.limits) }
    if (!text.startsWith("\x01")) return { json: text }
    const end = text.indexOf("\x01", 1)
    return { json: text.slice(end + 1), cut: { limitBytes: this.limits.maxResultBytes, paths: cutPaths(text.slice(1, end)) } }
  }

  private finish(): void {
    if (this.done || !this.sb) return
    // Calls made just before the end still go out (as they would have one by one), before "done".
    this.postCalls()
    this.done = true
    clearTimeout(this.timer)
    let msg: RunFinished
    try {
      let out: Encoded | { error: RunError } = this.reason ? { error: this.reason } : this.encodeResult()
      let reads: number[] | undefined
      if (this.reads) {
        // After the result was encoded: its toJSON and getters may read the clock too.
        reads = this.takeReads()
        if (reads === undefined && !("error" in out)) out = { error: unreadableClock() }
      }
      msg = this.message(
        "error" in out
          ? { ok: false, json: "", error: out.error }
          : out.cut
            ? { ok: false, json: out.json, cut: out.cut, error: limitError("maxResultBytes", this.limits) }
            : { ok: true, json: out.json },
      )
      if (reads?.length) msg.reads = reads
    } catch (err) {
      msg = this.message({ ok: false, json: "", error: sandboxFailure(err) })
    }
    // Answer first: freeing the runtime is not on the caller's critical path.
    this.env.post(msg)
    this.dispose()
    this.env.ended(this.req.run)
  }

  private message(part: Pick<RunFinished, "ok" | "json" | "error" | "cut">): RunFinished {
    const msg: RunFinished = { t: "done", run: this.req.run, ...part, logs: this.logs, toolCalls: this.calls }
    if (this.peakMemory !== undefined) msg.memoryBytes = this.peakMemory
    return msg
  }

  /** An engine or worker failure (not the code's doing): end the run and retire the module. */
  private fail(err: unknown): void {
    this.stop(sandboxFailure(err))
    if (this.sb) this.env.modules.retire(this.sb.module)
    this.finish()
  }

  private dispose(): void {
    const { sb } = this
    if (!sb) return
    sb.module.allowGrowth = undefined
    try {
      this.main?.dispose()
      this.reads?.dispose()
    } catch {
      // Freed with the runtime below.
    }
    // A runtime that cannot be freed cleanly (e.g. after out-of-memory) poisons its module.
    if (!disposeSandbox(sb)) this.env.modules.retire(sb.module)
    this.env.modules.release(sb.module)
  }
}

/** The encoded result, and what was cut from it when it was too big. */
interface Encoded {
  json: string
  cut?: ResultCut
}

/** The cutter's `[[path, what], …]`, checked: it comes from the sandbox. */
function cutPaths(text: string): ResultCut["paths"] {
  let list: unknown
  try {
    list = JSON.parse(text)
  } catch {
    return []
  }
  if (!Array.isArray(list)) return []
  return list
    .slice(0, 20)
    .filter((e): e is [string, string] => Array.isArray(e) && typeof e[0] === "string" && typeof e[1] === "string")
    .map(([path, what]) => ({ path: path.slice(0, 201), what: what.slice(0, 100) }))
}

function unreadableClock(): RunError {
  return { kind: "runtime", message: "The clock reads could not be read from the sandbox." }
}

function sandboxFailure(err: unknown): RunError {
  const what = err instanceof Error ? err.message : String(err)
  const oom = /out of memory|memory access out of bounds|Cannot enlarge memory/i.test(what)
  if (oom) return { kind: "memory", message: "The sandbox ran out of memory." }
  return { kind: "runtime", message: `The sandbox failed: ${what.slice(0, 300)}` }
}
