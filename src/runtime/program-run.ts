/**
 * Runs a program to its end or its next pause: one sandbox attempt after another. An attempt that
 * pauses for approvals either returns a paused result (deferred approvals) or asks `onApproval`
 * (inline), journals the answers, and replays the program against its journal in a fresh sandbox —
 * calls already made are answered from the journal, so nothing runs twice.
 */
import type { NormalizedCode } from "../code/normalize.js"
import { CodeModeError, codemodeError } from "../errors.js"
import type { Executor, Limits, RunError, RunStats } from "../sandbox/executor.js"
import type { Tool } from "../tools/tool.js"
import type { AuditLog } from "./audit.js"
import type { CallRecord } from "./bindings.js"
import type { CallEntry, Journal, Lease, PendingApproval, RunRecord } from "./journal.js"
import type { CompiledPolicy, RunQuota } from "./policy.js"
import type { Redactor } from "./redact.js"
import { mapError, type ExecuteResult, type FailedResult } from "./results.js"
import { signResumeToken } from "./resume-token.js"
import { createRunGate } from "./run-gate.js"
import { createRunScope, type RunScopeHandle } from "./run-scope.js"

/** An approval question: a call of a run that the policy says needs one. */
export interface ApprovalRequest extends PendingApproval {
  runId: string
}

/** Answers an approval question; a rejection or a timeout counts as "deny". */
export type ApprovalHandler = (request: ApprovalRequest, signal: AbortSignal) => Promise<"approve" | "deny">

/** What every run of one instance shares. */
export interface RunEnvironment {
  executor(): Promise<Executor>
  tools(): Tool[]
  redactor?: Redactor | undefined
  audit?: AuditLog | undefined
  approvalTimeoutMs: number
  /** Namespaces of sources that are not loaded (loading, failed) → what to tell the model about them. */
  unavailable?: () => ReadonlyMap<string, string>
  /** Durable runs: where they are journaled and how long their tokens live. */
  runs?: { journal: Journal; hostKey(): Promise<Buffer>; expiresInMs: number } | undefined
}

export interface ProgramRun {
  code: NormalizedCode
  runId: string
  limits: Limits
  /** The policy every call of the run passes (a resumed run keeps the one it started under). */
  policy: CompiledPolicy
  signal?: AbortSignal | undefined
  onCall?: ((call: CallRecord) => void) | undefined
  onApproval?: ApprovalHandler | undefined
  startedAt: number
  /** Makes the scope of each attempt, given its quota counters. Default: a new top-level scope (`createRunScope`). */
  newScope?: ((quota: RunQuota) => RunScopeHandle) | undefined
  /** The per-run quota counters, for a procedure's run (its caller's). Default: fresh ones per attempt. */
  quota?: RunQuota | undefined
  /** Durable runs: the record (status "running"), the lease held on it, the journal so far. */
  durable?: { record: RunRecord; lease: Lease; entries: CallEntry[] } | undefined
}

/** Asks `handler` about one call, within `timeoutMs`; anything but "approve" in time is a no. */
async function ask(handler: ApprovalHandler, request: ApprovalRequest, timeoutMs: number, signal?: AbortSignal): Promise<"approved" | "denied" | "timeout"> {
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(), timeoutMs)
  const both = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal
  try {
    const answer = await Promise.race([
      Promise.resolve()
        .then(() => handler(request, both)) // a synchronous approver (or one that throws) works too
        .catch(() => "deny" as const),
      new Promise<"timeout">((resolve) => both.addEventListener("abort", () => resolve("timeout"), { once: true })),
    ])
    return answer === "approve" ? "approved" : answer === "timeout" ? "timeout" : "denied"
  } finally {
    clearTimeout(timer)
  }
}

function failed(env: RunEnvironment, error: RunError, code: NormalizedCode, tools: readonly Tool[], calls: CallRecord[], logs: ExecuteResult["logs"], stats: RunStats, runId: string): FailedResult {
  const unavailable = env.unavailable?.()
  return { status: "failed", ok: false, error: mapError(error, code, tools, { calls, ...(unavailable ? { unavailable } : {}) }), logs, calls, stats, runId }
}

/**
 * `quota`, also refusing calls once `maxToolCalls` calls were counted: the sandbox counts only its
 * own, the counters also those of the procedures the run called (they share them).
 */
function withBudget(quota: RunQuota, maxToolCalls: number): RunQuota {
  return {
    get taken() {
      return quota.taken
    },
    take: (tool, options) =>
      quota.taken >= maxToolCalls
        ? { code: "QUOTA_EXCEEDED", rule: "maxToolCalls", message: `the run made its ${maxToolCalls} tool calls (limits.maxToolCalls), counting those of the procedures it called` }
        : quota.take(tool, options),
  }
}

export async function runProgram(env: RunEnvironment, run: ProgramRun): Promise<ExecuteResult> {
  const durable = run.durable
  try {
    const backend = await env.executor() // inside: a sandbox that fails to load must not keep the lease
    for (;;) {
      const tools = env.tools()
      // Tools see one signal that fires when the caller cancels or when the attempt is over.
      const toolsDone = new AbortController()
      const quota = run.quota ?? run.policy.startRun()
      const scope = run.newScope?.(quota) ?? createRunScope(run.runId)
      const onAbort = () => toolsDone.abort(run.signal?.reason)
      run.signal?.addEventListener("abort", onAbort, { once: true })
      const gate = createRunGate({
        tools,
        policy: run.policy,
        quota: withBudget(quota, run.limits.maxToolCalls),
        runId: run.runId,
        signal: toolsDone.signal,
        onCall: run.onCall,
        redactor: env.redactor,
        audit: env.audit,
        durable: durable && env.runs ? { journal: env.runs.journal, record: durable.record, entries: durable.entries, lease: durable.lease } : undefined,
        scope,
        askInline: !durable && run.onApproval ? (request) => ask(run.onApproval as ApprovalHandler, { ...request, runId: run.runId }, env.approvalTimeoutMs, run.signal) : undefined,
      })
      let outcome
      let diverged: RunError | undefined
      try {
        // Only a durable run's gate stops an attempt (pause, divergence, journal failure).
        const signal = !durable ? run.signal : run.signal ? AbortSignal.any([run.signal, gate.stopSignal]) : gate.stopSignal
        outcome = await backend.run(run.code.js, gate.bindings, run.limits, signal, gate.determinism)
      } finally {
        run.signal?.removeEventListener("abort", onAbort)
        diverged = await gate.finish()
        toolsDone.abort(codemodeError("ABORTED", "runtime", "the run has ended"))
        // Nothing of an attempt that did not finish is kept (a pause, a throw of the host); `end` commits below.
        if (!outcome) scope.rollback()
      }
      const stats: RunStats = { ...outcome.stats, durationMs: performance.now() - run.startedAt }
      const stop = gate.stopped()
      if (stop?.kind === "paused" && durable && env.runs) {
        scope.rollback() // a resumed run makes its transactional calls again (run-gate.ts): nothing is held while it waits
        const { journal } = env.runs
        const undecided = run.onApproval && !run.signal?.aborted ? await decideInline(env, run, journal, durable.record, stop.pending) : stop.pending
        if (undecided.length === 0) {
          durable.entries = await journal.calls(run.runId)
          continue
        }
        return await pause(env, durable.record, undecided, { logs: outcome.logs, calls: gate.calls, stats: { ...stats, toolCalls: gate.calls.length } })
      }
      // A result over maxResultBytes ends the sandbox run with that limit; the program did finish,
      // so it is done, with the value the sandbox cut to fit and what was cut.
      const partial = !outcome.ok && outcome.error.limit?.name === "maxResultBytes" ? outcome.partial : undefined
      const ended: ExecuteResult =
        stop?.kind === "failed"
          ? failed(env, stop.error, run.code, tools, gate.calls, outcome.logs, stats, run.runId)
          : !outcome.ok && !partial
            ? failed(env, outcome.error, run.code, tools, gate.calls, outcome.logs, stats, run.runId)
            : diverged
              ? failed(env, diverged, run.code, tools, gate.calls, outcome.logs, stats, run.runId)
              : outcome.ok
                ? { status: "done", ok: true, value: outcome.value, logs: outcome.logs, calls: gate.calls, stats, runId: run.runId }
                : { status: "done", ok: true, value: partial?.value, ...(partial ? { cut: partial.cut } : {}), logs: outcome.logs, calls: gate.calls, stats, runId: run.runId }
      // A durable run's receipt goes into the commit, so a resume after a host that stopped before the
      // journal below recorded "done" finds the run committed (receipts.ts).
      const receipt = durable && env.runs ? { runId: run.runId, outcome: ended, keepUntil: env.runs.journal.keptUntil(durable.record) } : undefined
      const result = await end(scope, ended, (error) => failed(env, error, run.code, tools, gate.calls, outcome.logs, stats, run.runId), receipt)
      // A process that lost the lease leaves the run to the one that took it (or to a resume).
      if (durable && env.runs && !durable.lease.lost.aborted) await env.runs.journal.settle(durable.record, result)
      return result
    }
  } finally {
    await durable?.lease.release()
  }
}

/**
 * Ends an attempt's scope with its result: a finished program's writes are committed, with the
 * durable run's `receipt` (a failing commit fails the run, naming what was committed before it), any
 * other result's are dropped.
 */
async function end(scope: RunScopeHandle, result: ExecuteResult, fail: (error: RunError) => FailedResult, receipt: Parameters<RunScopeHandle["commit"]>[0]): Promise<ExecuteResult> {
  if (!result.ok) {
    scope.rollback()
    return result
  }
  try {
    await scope.commit(receipt)
    return result
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    const kept = scope.committed.length ? `; its writes to ${scope.committed.join(", ")} had been committed before (a run's databases commit one after the other)` : ""
    const failure = fail({ kind: "runtime", message: `The program finished, but its writes could not be committed, so ${kept ? "the rest were not" : "none were"}: ${reason}${kept}` })
    if (CodeModeError.is(error)) failure.error.code = error.code
    return failure
  }
}

/**
 * Asks the inline approver about each pending call, in call order, and journals the answers. Returns
 * the calls left undecided because the run was cancelled meanwhile (they wait for a resume: a
 * cancellation is nobody's "deny").
 */
async function decideInline(env: RunEnvironment, run: ProgramRun, journal: Journal, record: RunRecord, pending: PendingApproval[]): Promise<PendingApproval[]> {
  const handler = run.onApproval as ApprovalHandler
  const entries = new Map((await journal.calls(record.id)).map((e) => [`c${e.pos}`, e]))
  for (const [i, request] of pending.entries()) {
    const entry = entries.get(request.id)
    if (!entry?.decision) continue
    const answer = await ask(handler, { ...request, runId: record.id }, env.approvalTimeoutMs, run.signal)
    if (run.signal?.aborted) return pending.slice(i)
    entry.decision.approval = answer
    await journal.putCall(record, entry)
  }
  return []
}

/** Saves the paused run and returns its result with a fresh resume token. */
async function pause(env: RunEnvironment, record: RunRecord, pending: PendingApproval[], part: Pick<ExecuteResult, "logs" | "calls" | "stats">): Promise<ExecuteResult> {
  const runs = env.runs as NonNullable<RunEnvironment["runs"]>
  record.status = "paused"
  record.pause += 1
  record.pending = pending
  record.expiresAt = Date.now() + runs.expiresInMs
  await runs.journal.putRun(record)
  const resumeToken = signResumeToken(await runs.hostKey(), {
    run: record.id,
    program: record.programHash,
    catalog: record.catalogHash,
    pause: record.pause,
    exp: record.expiresAt,
  })
  return { status: "paused", resumeToken, pending, runId: record.id, expiresAt: new Date(record.expiresAt).toISOString(), ok: false, ...part }
}
