/**
 * Durable runs whose host stopped after the run committed and before its journal recorded it "done".
 * Each participant with effects recorded the run's receipt in the same atomic write as its effects
 * (a state database: the same SQLite transaction), so a resume asks the sources for receipts before
 * it replays anything: a run found committed is settled from them and not run again, which would
 * write twice. The journal and the databases are separate stores; the receipt is what ties them.
 */
import type { CommitReceipt, ToolSource } from "../tools/tool.js"
import { storeFailure, type Journal } from "./journal.js"
import type { ExecuteResult } from "./results.js"
import type { OpenedRun } from "./run-book.js"

/**
 * The receipts of run `runId` the sources hold, by participant key. A source that cannot be read
 * counts as holding none: a replay that reaches it fails there, and its commit refuses a run it
 * recorded already, so nothing is written twice either way.
 */
export async function findReceipts(sources: readonly ToolSource[], runId: string): Promise<Map<string, CommitReceipt>> {
  const found = await Promise.all(sources.map((source) => source.committed?.(runId).catch(() => undefined)))
  const receipts = new Map<string, CommitReceipt>()
  for (const entry of found) if (entry) receipts.set(entry.participant, entry.receipt)
  return receipts
}

/**
 * The result of a run its receipts show committed: the one it recorded when every participant with
 * effects committed, else a failure (`STATE_FAILED`) naming what was committed and what was not.
 * `undefined` when there is no receipt: the run committed nothing, and replaying it is safe.
 */
export function receiptResult(receipts: ReadonlyMap<string, CommitReceipt>, runId: string): ExecuteResult | undefined {
  const [receipt] = receipts.values()
  if (!receipt) return undefined
  const outcome = receipt.outcome as ExecuteResult
  const lost = receipt.participants.filter((key) => !receipts.has(key))
  if (lost.length === 0) return outcome
  const kept = receipt.participants.filter((key) => receipts.has(key))
  return {
    status: "failed",
    ok: false,
    error: {
      kind: "runtime",
      code: "STATE_FAILED",
      message:
        `The program finished and its writes to ${kept.join(", ")} were committed, but not its writes to ${lost.join(", ")}: ` +
        "its host stopped in between (or this instance does not read that database). The run is not made again, so nothing is written twice.",
    },
    logs: outcome.logs,
    calls: outcome.calls,
    stats: outcome.stats,
    runId,
  }
}

/**
 * Settles an opened run that its receipts show committed: journals the result and releases the
 * lease, running nothing. `undefined` (lease still held) when the run committed nothing.
 */
export async function settleCommitted(sources: readonly ToolSource[], journal: Journal, opened: OpenedRun): Promise<ExecuteResult | undefined> {
  const result = receiptResult(await findReceipts(sources, opened.record.id), opened.record.id)
  if (!result) return undefined
  try {
    await journal.settle(opened.record, result)
    return result
  } catch (error) {
    throw storeFailure(error, "cannot record the result of a run that had committed")
  } finally {
    await opened.lease.release()
  }
}
