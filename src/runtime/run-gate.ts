/**
 * One attempt of a run, seen from the host: every tool call of the program passes through here. The
 * gate asks the policy (allow / ask / deny, quotas), runs the tool, redacts secrets from what comes
 * back, records the call trace and the audit log, and — for durable runs — journals each call before
 * it is sent and its result before the program may observe it, answers calls of an earlier attempt
 * from the journal in their recorded settle order, and pauses the attempt once the program waits on
 * nothing but calls that need approval.
 */
import { codemodeError, CodeModeError, type CodeModeErrorCode } from "../errors.js"
import type { Bindings, Determinism, RunError } from "../sandbox/executor.js"
import type { RunScope, Tool } from "../tools/tool.js"
import type { AuditEntry, AuditLog } from "./audit.js"
import { argsExcerpt, reasonOf, type CallRecord } from "./bindings.js"
import { packClock, unpackClock, type CallEntry, type Journal, type Lease, type PendingApproval, type RunRecord } from "./journal.js"
import { decideCall, type CompiledPolicy, type PolicyDecision, type RunQuota } from "./policy.js"
import type { Redactor } from "./redact.js"

/** Codes of calls that were settled without running. */
const REFUSED = new Set<string>(["POLICY_DENIED", "APPROVAL_DENIED", "QUOTA_EXCEEDED", "RATE_LIMITED", "CALL_INTERRUPTED"])

/** The decision of a policy without rules: not worth a line in every call of the trace. */
const DEFAULT_ALLOW = "default → allow"

/** How long the gate lets a program go on after it last had a call running, before pausing it. */
const PAUSE_SETTLE_MS = 5

export interface RunGateOptions {
  tools: readonly Tool[]
  policy: CompiledPolicy
  quota: RunQuota
  runId: string
  /** Aborted when the run ends or is cancelled; reaches every tool as `ctx.signal`. */
  signal: AbortSignal
  onCall?: ((call: CallRecord) => void) | undefined
  redactor?: Redactor | undefined
  audit?: AuditLog | undefined
  /**
   * Durable runs: the journal, the run's record, the entries of earlier attempts, and the lease held
   * on the run (losing it stops the attempt; it is checked before every call is sent).
   */
  durable?: { journal: Journal; record: RunRecord; entries: CallEntry[]; lease?: Lease | undefined } | undefined
  /** The attempt's scope, handed to every tool as `ctx.run`. */
  scope?: RunScope | undefined
  /**
   * Runs without a journal (a procedure called from a program): asks about a call the policy says
   * needs approval, inline, as it is made. Without it such a call is refused.
   */
  askInline?: ((request: PendingApproval) => Promise<"approved" | "denied" | "timeout">) | undefined
}

/** Why an attempt stopped early (besides the program ending on its own). */
export type GateStop = { kind: "paused"; pending: PendingApproval[] } | { kind: "failed"; error: RunError }

export interface RunGate {
  bindings: Bindings
  /** For the executor (durable runs only). */
  determinism?: Determinism
  /** The trace, filled while the run goes. */
  calls: CallRecord[]
  /** Aborted when the gate pauses the attempt or stops it for divergence. */
  stopSignal: AbortSignal
  /** Set once the gate stopped the attempt. */
  stopped(): GateStop | undefined
  /**
   * Call once the attempt has ended: marks unfinished calls and waits for journal writes. Returns a
   * divergence error when the program ended without making calls its journal holds.
   */
  finish(): Promise<RunError | undefined>
}

/** The message a program sees for a call that did not run (or failed), and its code. */
function callError(id: string, args: unknown, code: CodeModeErrorCode | undefined, what: string): { message: string; code?: string } {
  return { message: `codemode.${id}(${argsExcerpt(args)}) ${what}`, ...(code ? { code } : {}) }
}

/** A tool's value as JSON data (what the sandbox would receive), so a replay hands over the same. */
function asJsonData(value: unknown, id: string): unknown {
  if (value === undefined) return undefined
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (error) {
    throw codemodeError("VALUE_NOT_TRANSFERABLE", id, `the result of ${id} cannot be copied into the sandbox: ${reasonOf(error)}`)
  }
  return text === undefined ? undefined : JSON.parse(text)
}

/** Whether a journaled call ran to a settlement (not refused, not left in flight). */
const ran = (e: CallEntry) => e.settle !== undefined && (e.state === "ok" || (e.state === "error" && !REFUSED.has(e.error?.code ?? "")))

/** Delivers settlements strictly in settle order (recorded ones first, then new ones as numbered). */
class Sequencer {
  private next = 0
  private readonly held = new Map<number, () => void>()

  deliver(index: number, fn: () => void): void {
    this.held.set(index, fn)
    for (let f = this.held.get(this.next); f; f = this.held.get(this.next)) {
      this.held.delete(this.next++)
      f()
    }
  }
}

export function createRunGate(options: RunGateOptions): RunGate {
  const { policy, quota, runId, signal, redactor, audit, durable, scope } = options
  const calls: CallRecord[] = []
  const unfinished = new Map<CallRecord, number>()
  const stop = new AbortController()
  let stopped: GateStop | undefined
  const entries = durable?.entries ?? []
  const recorded = new Map(entries.map((e) => [e.pos, e]))
  let position = 0
  let nextSettle = entries.reduce((n, e) => (e.settle === undefined ? n : Math.max(n, e.settle + 1)), 0)
  const sequencer = new Sequencer()
  let clock: number[] = []
  let executing = 0
  const pending = new Map<number, PendingApproval>()
  let pauseTimer: ReturnType<typeof setTimeout> | undefined
  const writes = new Set<Promise<void>>()

  const halt = (why: GateStop) => {
    if (stopped) return
    stopped = why
    clearTimeout(pauseTimer)
    stop.abort()
  }
  const lease = durable?.lease
  /** Another process may run the run from now on: nothing more is sent or journaled here. */
  const leaseLost = () => {
    const reason = lease?.lost.reason instanceof Error ? lease.lost.reason.message : "the lease was lost"
    halt({ kind: "failed", error: { kind: "runtime", message: `The run was stopped: ${reason}. Nothing more was sent from this process; the run stays in the journal (runs() lists it) to be resumed.` } })
  }
  if (lease?.lost.aborted) leaseLost()
  else lease?.lost.addEventListener("abort", leaseLost, { once: true })

  const schedulePauseCheck = () => {
    if (!durable || pending.size === 0 || stopped) return
    clearTimeout(pauseTimer)
    pauseTimer = setTimeout(() => {
      if (executing === 0 && pending.size > 0) halt({ kind: "paused", pending: [...pending.values()].sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true })) })
    }, PAUSE_SETTLE_MS)
  }

  /** Journals a call entry; a failing store stops the attempt (nothing runs unjournaled). `note` ends the stop message. */
  const persist = async (entry: CallEntry, note = ""): Promise<void> => {
    if (!durable) return
    lease?.lost.throwIfAborted() // the run is another process's now: its journal is not ours to write
    const write = durable.journal.putCall(durable.record, entry)
    writes.add(write)
    try {
      await write
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      halt({ kind: "failed", error: { kind: "runtime", message: `The run was stopped: its journal could not be written (${message})${note}.` } })
      throw error
    } finally {
      writes.delete(write)
    }
  }

  const writeAudit = (record: CallRecord, decision: PolicyDecision | CallEntry["decision"], outcome: AuditEntry["outcome"], started: number, bytes = 0) => {
    if (!audit) return
    const entry: AuditEntry = {
      time: new Date(Date.now() - (performance.now() - started)).toISOString(),
      runId,
      tool: record.tool,
      args: record.args,
      decision: decision ?? { action: "allow", rule: "default → allow" },
      outcome,
      durationMs: record.durationMs,
      bytes,
    }
    if (record.error) entry.error = record.error.message
    audit.write(entry)
  }

  /** Ends a call's record and hands the program its settlement, in settle order for durable runs. */
  const settle = (record: CallRecord, index: number | undefined, outcome: { ok: true; value: unknown } | { ok: false; error: { message: string; code?: string } }, resolve: (v: unknown) => void, reject: (e: Error) => void, started: number) => {
    if (!outcome.ok) {
      record.ok = false
      record.error ??= { message: outcome.error.message, ...(outcome.error.code ? { code: outcome.error.code as CodeModeErrorCode } : {}) }
    }
    const done = () => {
      if (!unfinished.delete(record)) return
      record.durationMs = performance.now() - started
      options.onCall?.(record)
      if (outcome.ok) resolve(outcome.value)
      else reject(new Error(outcome.error.message))
    }
    if (index === undefined) done()
    else sequencer.deliver(index, done)
  }

  const tools = new Map(options.tools.map((t) => [`${t.namespace}.${t.name}`, t]))
  // Calls that ran in earlier attempts count against per-run quotas from the start, not only once the
  // replay reaches them: a call the program makes earlier (an approved one) must not run past the quota.
  // Transactional ones are not counted here: they run again (and count) when the replay reaches them.
  for (const e of entries) {
    const tool = tools.get(e.tool)
    if (tool && !tool.transactional && ran(e)) quota.take(tool, { replayed: true })
  }
  const bindings: Bindings = {}
  for (const [id, tool] of tools) {
    bindings[id] = (args: unknown) =>
      new Promise((resolve, reject) => {
        const pos = position++
        const record: CallRecord = { tool: id, args, durationMs: 0, ok: true }
        const started = performance.now()
        calls.push(record)
        unfinished.set(record, started)
        if (stopped) return // the attempt is over; the next one makes this call again
        const reads = clock
        clock = []
        const old = recorded.get(pos)
        if (old) return replay(tool, id, args, pos, old, record, started, resolve, reject)
        const decided = decideCall(policy, tool, args)
        if (!(decided instanceof Promise)) return admit(tool, id, args, pos, reads, decided, record, started, resolve, reject)
        executing++ // the tool works out whether it needs approval: no pause meanwhile
        void decided.then((decision) => {
          executing--
          if (!stopped) admit(tool, id, args, pos, reads, decision, record, started, resolve, reject)
        })
      })
  }

  /** Sends a new call on its way by the policy's decision: refused, waiting for approval, or run. */
  function admit(tool: Tool, id: string, args: unknown, pos: number, reads: number[], decision: PolicyDecision, record: CallRecord, started: number, resolve: (v: unknown) => void, reject: (e: Error) => void): void {
    if (decision.action !== "allow" || decision.rule !== DEFAULT_ALLOW) record.decision = decision
    if (decision.action === "deny") {
      const error = callError(id, args, "POLICY_DENIED", `was denied by the policy (${decision.rule})`)
      return refuse({ pos, tool: id, args, state: "error", error, decision, startedAt: Date.now(), ...(reads.length ? { clock: packClock(reads) } : {}) }, record, "denied", started, resolve, reject)
    }
    if (decision.action === "ask" && !durable) {
      // Runs without a journal (a procedure's) cannot pause: ask inline, or refuse.
      const entry: CallEntry = { pos, tool: id, args, state: "inflight", decision, startedAt: Date.now() }
      if (!options.askInline) {
        const error = callError(id, args, "POLICY_DENIED", `needs approval (${decision.rule}), and this run cannot pause for it (a procedure's calls are approved inline: give an inline approver)`)
        return refuse({ ...entry, state: "error", error }, record, "denied", started, resolve, reject)
      }
      record.approval = "pending"
      const settle = (answer: "approved" | "denied" | "timeout") => {
        record.approval = answer
        if (answer === "approved") return runLive(tool, id, args, entry, record, started, resolve, reject)
        const error = callError(id, args, "APPROVAL_DENIED", answer === "timeout" ? "was not approved in time (denied)" : "was denied by the approver")
        refuse({ ...entry, state: "error", error }, record, "denied", started, resolve, reject)
      }
      // An approver that fails denies: the call must settle either way.
      void options.askInline({ id: `c${pos}`, tool: id, args, reason: decision.rule }).then(settle, () => settle("denied"))
      return
    }
    if (decision.action === "ask") {
      const entry: CallEntry = { pos, tool: id, args, state: "pending", decision, startedAt: Date.now(), ...(reads.length ? { clock: packClock(reads) } : {}) }
      record.approval = "pending"
      executing++ // a request still being journaled must be in the pause (it would stay pending unseen)
      void persist(entry)
        .then(() => {
          pending.set(pos, { id: `c${pos}`, tool: id, args, reason: decision.rule })
          writeAudit(record, decision, "pending", started)
        }, () => undefined)
        .finally(() => {
          executing--
          schedulePauseCheck()
        })
      return
    }
    void runLive(tool, id, args, { pos, tool: id, args, state: "inflight", decision, startedAt: Date.now(), ...(reads.length ? { clock: packClock(reads) } : {}) }, record, started, resolve, reject)
  }

  /** Settles a call that does not run (denied, over quota, refused approval, interrupted) and journals it. */
  function refuse(entry: CallEntry, record: CallRecord, outcome: AuditEntry["outcome"], started: number, resolve: (v: unknown) => void, reject: (e: Error) => void): void {
    const error = entry.error ?? { message: "refused" }
    const index = durable ? nextSettle++ : undefined
    if (index !== undefined) entry.settle = index
    entry.durationMs = 0
    void persist(entry).then(
      () => {
        settle(record, index, { ok: false, error }, resolve, reject, started)
        writeAudit(record, entry.decision, outcome, started)
      },
      () => undefined,
    )
  }

  /** `settleAt`: the settle index the journal holds for a call made again (transactional tools), so the order stays as recorded. */
  async function runLive(tool: Tool, id: string, args: unknown, entry: CallEntry, record: CallRecord, started: number, resolve: (v: unknown) => void, reject: (e: Error) => void, settleAt?: number): Promise<void> {
    const violation = quota.take(tool)
    if (violation) {
      entry.state = "error"
      entry.error = callError(id, args, violation.code, `was stopped by the policy: ${violation.message}`)
      return refuse(entry, record, "quota", started, resolve, reject)
    }
    executing++
    let outcome: { ok: true; value: unknown } | { ok: false; error: { message: string; code?: string } }
    let bytes = 0
    try {
      await lease?.check() // fencing: a process that lost the run sends nothing more
      await persist(entry) // marked in flight before it is sent: a crash from here on is never re-sent blindly
      let value = await tool.call(args, scope ? { signal, run: scope } : { signal })
      // JSON data first (class instances, null prototypes become plain data), so redaction reaches every string.
      if (durable || redactor?.size) value = asJsonData(value, id)
      if (redactor?.size) value = redactor.value(value)
      outcome = { ok: true, value }
      if (audit) bytes = Buffer.byteLength(JSON.stringify(value) ?? "")
    } catch (error) {
      if (stopped?.kind === "failed") return
      const redact = (text: string) => (redactor?.size ? redactor.text(text) : text)
      const reason = redact(reasonOf(error))
      record.error = CodeModeError.is(error) ? { message: redact(error.message), code: error.code } : { message: reason }
      outcome = { ok: false, error: callError(id, args, CodeModeError.is(error) ? error.code : undefined, `failed: ${reason}`) }
    } finally {
      executing--
    }
    entry.state = outcome.ok ? "ok" : "error"
    if (outcome.ok) entry.value = outcome.value
    else entry.error = outcome.error
    entry.durationMs = performance.now() - started
    const index = settleAt ?? (durable ? nextSettle++ : undefined)
    if (index !== undefined) entry.settle = index
    const audited = () => writeAudit(record, entry.decision, outcome.ok ? "ok" : "error", started, bytes)
    try {
      await persist(entry, `; codemode.${id}(${argsExcerpt(args)}) had already run${outcome.ok ? " and succeeded: it took effect" : ""}`)
    } catch {
      record.durationMs = entry.durationMs
      return audited() // it ran: the audit log says so even though the journal does not
    }
    settle(record, index, outcome, resolve, reject, started)
    audited()
    schedulePauseCheck()
  }

  /** A call the journal already holds at this position (an earlier attempt of the run made it). */
  function replay(tool: Tool, id: string, args: unknown, pos: number, old: CallEntry, record: CallRecord, started: number, resolve: (v: unknown) => void, reject: (e: Error) => void): void {
    if (old.tool !== id || JSON.stringify(old.args) !== JSON.stringify(args)) {
      const message =
        `The resumed program diverged from its journal at call #${pos}: it called codemode.${id}(${argsExcerpt(args)}) where the journal holds ` +
        `codemode.${old.tool}(${argsExcerpt(old.args)}). The run was stopped; nothing was sent twice. Programs must make the same calls when replayed (use the journaled Date/Math.random, no other sources of change).`
      record.ok = false
      record.error = { message, code: "RUN_DIVERGED" }
      writeAudit(record, undefined, "error", started) // not sent, but made: the log shows where the run stopped
      return halt({ kind: "failed", error: { kind: "diverged", message } })
    }
    if (old.decision) record.decision = { action: old.decision.action, rule: old.decision.rule }
    if (old.decision?.approval) record.approval = old.decision.approval
    // A transactional tool's effects went with the attempt that made the call (rolled back): make it again.
    if (tool.transactional && ran(old)) {
      return void runLive(tool, id, args, { ...old, state: "inflight" }, record, started, resolve, reject, old.settle)
    }
    if (tool.transactional && old.state === "inflight") return void runLive(tool, id, args, { ...old, state: "inflight" }, record, started, resolve, reject)
    if (old.settle !== undefined && (old.state === "ok" || old.state === "error" || old.state === "interrupted")) {
      record.replayed = true
      writeAudit(record, old.decision, "replayed", started)
      const outcome = old.state === "ok" ? { ok: true as const, value: old.value } : { ok: false as const, error: old.error ?? { message: "failed" } }
      return settle(record, old.settle, outcome, resolve, reject, started)
    }
    if (old.state === "pending") {
      const approval = old.decision?.approval
      if (approval === "approved") return void runLive(tool, id, args, { ...old, state: "inflight" }, record, started, resolve, reject)
      if (approval === "denied" || approval === "timeout") {
        const error = callError(id, args, "APPROVAL_DENIED", approval === "timeout" ? "was not approved in time (denied)" : "was denied by the approver")
        return refuse({ ...old, state: "error", error }, record, "denied", started, resolve, reject)
      }
      record.approval = "pending"
      pending.set(pos, { id: `c${pos}`, tool: id, args, reason: old.decision?.rule ?? "the policy asks" })
      writeAudit(record, old.decision, "pending", started)
      return schedulePauseCheck()
    }
    // In flight when its host died: the call may or may not have reached the tool.
    if (policy.isIdempotent(tool)) return void runLive(tool, id, args, { ...old, state: "inflight" }, record, started, resolve, reject)
    const error = callError(id, args, "CALL_INTERRUPTED", "was interrupted: an earlier attempt of the run sent it and ended before recording its result (its process stopped or lost the run), so it may or may not have taken effect; it was not sent again (the tool is not marked idempotent)")
    refuse({ ...old, state: "interrupted", error }, record, "interrupted", started, resolve, reject)
  }

  return {
    bindings,
    ...(durable
      ? {
          determinism: {
            seed: durable.record.seed,
            clock: entries.flatMap((e) => unpackClock(e.clock)),
            onClock: (reads: number[]) => {
              for (const read of reads) clock.push(read)
            },
          },
        }
      : {}),
    calls,
    stopSignal: stop.signal,
    stopped: () => stopped,
    finish: async () => {
      clearTimeout(pauseTimer)
      lease?.lost.removeEventListener("abort", leaseLost)
      const now = performance.now()
      for (const [record, started] of unfinished) {
        record.durationMs = now - started
        record.ok = false
        record.error ??= { message: record.approval === "pending" ? "waiting for approval" : stopped?.kind === "paused" ? "not run yet: the run paused first" : "still running when the run ended" }
      }
      unfinished.clear()
      await Promise.allSettled([...writes])
      if (stopped || !durable) return undefined
      const skipped = entries.filter((e) => e.pos >= position)
      if (skipped.length === 0) return undefined
      const first = skipped[0] as CallEntry
      return {
        kind: "diverged",
        message:
          `The resumed program diverged from its journal: it ended after ${position} calls, but the journal holds ${entries.length} ` +
          `(next: call #${first.pos}, codemode.${first.tool}(${argsExcerpt(first.args)})). Those calls were not sent again.`,
      }
    },
  }
}
