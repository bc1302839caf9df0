/**
 * The journal of durable runs, on a {@link RunStore}: one record per run, one entry per tool call
 * (keyed by its position in call order), a lease while a process executes the run, and the host key
 * that signs resume tokens. Only the host reads and writes it; nothing here reaches the sandbox.
 *
 * Keys: `runs/<id>` (the record), `runs/<id>/calls/<position>`, `runs/<id>/lease`, `hmac-key`.
 */
import { hostname } from "node:os"
import { randomBytes, randomUUID } from "node:crypto"
import { CodeModeError, codemodeError } from "../errors.js"
import type { Limits } from "../sandbox/executor.js"
import type { RunStore } from "../store/store.js"
import type { Policy, PolicyAction } from "./policy.js"

const ORIGIN = "runs"

/** Where a run stands. */
export type RunStatus = "running" | "paused" | "done" | "failed"

/** A call waiting for a decision. */
export interface PendingApproval {
  /** Stable id of the call within its run (`c<position>`). */
  id: string
  /** `"namespace.tool"`. */
  tool: string
  args: unknown
  /** Why it needs approval: the policy rule that asked. */
  reason: string
}

export interface RunRecord {
  v: 1
  id: string
  /** The program as the model sent it. */
  program: string
  programHash: string
  catalogHash: string
  /** Seed of the run's Math.random. */
  seed: number
  /** Limits given to this run's execute (over the instance's), reused on resume. */
  limits?: Partial<Limits>
  /** The policy the run started under; a resume applies it, whatever the resuming host's policy is. */
  policy?: Policy
  createdAt: number
  expiresAt: number
  status: RunStatus
  /** Pauses so far; a resume token is valid for the latest only. */
  pause: number
  pending?: PendingApproval[]
  /** The settled result (JSON of an ExecuteResult), once done or failed. */
  outcome?: unknown
}

/** The state of one journaled call. */
export type CallState = "inflight" | "ok" | "error" | "pending" | "interrupted"

export interface CallEntry {
  /** Position in call order (0-based). */
  pos: number
  tool: string
  args: unknown
  /**
   * Clock reads the program made after the previous call and before this one, run-length encoded as
   * `[value, count, value, count, …]` (a busy-wait reads one millisecond thousands of times).
   */
  clock?: number[]
  state: CallState
  /** The result given to the program (state "ok"), as JSON data. */
  value?: unknown
  /** The message the program saw (state "error" / "interrupted"), with its code. */
  error?: { message: string; code?: string }
  /** Order in which the program received this call's settlement (0-based). */
  settle?: number
  decision?: { action: PolicyAction; rule: string; approval?: "approved" | "denied" | "timeout" }
  startedAt: number
  durationMs?: number
}

/** `[5, 5, 5, 7]` → `[5, 3, 7, 1]`. */
export function packClock(reads: readonly number[]): number[] {
  const out: number[] = []
  for (const value of reads) {
    if (out.length && out[out.length - 2] === value) (out[out.length - 1] as number)++
    else out.push(value, 1)
  }
  return out
}

/** The inverse of {@link packClock}. */
export function unpackClock(packed: readonly number[] | undefined): number[] {
  const out: number[] = []
  for (let i = 0; packed && i + 1 < packed.length; i += 2) for (let n = 0; n < (packed[i + 1] as number); n++) out.push(packed[i] as number)
  return out
}

const runKey = (id: string) => `runs/${id}`
const callsPrefix = (id: string) => `runs/${id}/calls/`
const callKey = (id: string, pos: number) => `${callsPrefix(id)}${String(pos).padStart(6, "0")}`
const leaseKey = (id: string) => `runs/${id}/lease`

/** Grace after expiry during which an expired run still answers "expired" rather than "not found". */
const GRACE_MS = 7 * 24 * 3_600_000

export function newRunId(): string {
  return `r_${randomBytes(10).toString("base64url").replace(/[-_]/g, "x")}`
}

function parse<T>(text: string, key: string): T {
  try {
    return JSON.parse(text) as T
  } catch (error) {
    throw codemodeError("STORE_FAILED", ORIGIN, `the journal entry ${key} is not valid JSON (the store was altered or damaged)`, { cause: error })
  }
}

/** Typed access to one store's journals. */
export class Journal {
  constructor(readonly store: RunStore) {}

  /** When the store drops the run's keys (ms since the epoch): its expiry plus a grace. */
  keptUntil(record: Pick<RunRecord, "expiresAt">): number {
    return record.expiresAt + GRACE_MS
  }

  private ttl(record: Pick<RunRecord, "expiresAt">): { ttlMs: number } {
    return { ttlMs: Math.max(1, this.keptUntil(record) - Date.now()) }
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const text = await this.store.get(runKey(id))
    return text === undefined ? undefined : parse<RunRecord>(text, runKey(id))
  }

  async putRun(record: RunRecord): Promise<void> {
    await this.store.set(runKey(record.id), JSON.stringify(record), this.ttl(record))
  }

  /**
   * Records the run's settled result: status "done" or "failed" by its `ok`. Its call entries go (a
   * resume of a settled run answers from the record alone); one that cannot be removed now expires
   * with the run.
   */
  async settle(record: RunRecord, outcome: { ok: boolean }): Promise<void> {
    record.status = outcome.ok ? "done" : "failed"
    record.outcome = outcome
    delete record.pending
    await this.putRun(record)
    const keys = await this.store.keys(callsPrefix(record.id)).catch(() => [])
    await Promise.all(keys.map((key) => this.store.delete(key).catch(() => undefined)))
  }

  async putCall(record: RunRecord, entry: CallEntry): Promise<void> {
    await this.store.set(callKey(record.id, entry.pos), JSON.stringify(entry), this.ttl(record))
  }

  /** The run's call entries in position order. */
  async calls(id: string): Promise<CallEntry[]> {
    const prefix = callsPrefix(id)
    const keys = await this.store.keys(prefix)
    const entries = await Promise.all(
      keys.map(async (key) => {
        const text = await this.store.get(key)
        return text === undefined ? undefined : parse<CallEntry>(text, key)
      }),
    )
    return entries.filter((e): e is CallEntry => e !== undefined).sort((a, b) => a.pos - b.pos)
  }

  /** Every run record (for `runs()` listings). */
  async runs(): Promise<RunRecord[]> {
    const keys = (await this.store.keys("runs/")).filter((k) => /^runs\/[^/]+$/.test(k))
    const records = await Promise.all(keys.map((k) => this.getRun(k.slice("runs/".length))))
    return records.filter((r): r is RunRecord => r !== undefined)
  }

  /**
   * Takes the run's lease for `leaseMs`, renewed until released. Rejects with `RUN_BUSY` when
   * another process holds it (saying until when).
   */
  async lease(id: string, leaseMs: number): Promise<Lease> {
    const owner = randomUUID()
    const value = () => JSON.stringify({ owner, host: hostname(), pid: process.pid, until: Date.now() + leaseMs })
    if (!(await this.store.add(leaseKey(id), value(), { ttlMs: leaseMs }))) {
      const held = await this.store.get(leaseKey(id))
      const info = held ? parse<{ host?: string; pid?: number; until?: number }>(held, leaseKey(id)) : {}
      const left = info.until ? Math.max(0, Math.ceil((info.until - Date.now()) / 1000)) : undefined
      throw codemodeError(
        "RUN_BUSY",
        ORIGIN,
        `run ${id} is being executed by another process (${info.host ?? "?"} pid ${info.pid ?? "?"})` +
          (left === undefined ? "" : `; if that process died, its lease ends in ${left} s, then resume again`),
        { data: { run: id, ...(info.until ? { until: info.until } : {}) } },
      )
    }
    let released = false
    let renewing: Promise<void> = Promise.resolve()
    const lost = new AbortController()
    // Renew and release only a lease that is still ours: a process that stalled past its lease must
    // not extend or remove the lease of the process that took the run over. (Between the read and
    // the write another process could take it: the window is one store round trip, after a stall of
    // a whole lease; see docs/policy.md.)
    const ours = async () => {
      const held = await this.store.get(leaseKey(id))
      return held !== undefined && (JSON.parse(held) as { owner?: string }).owner === owner
    }
    /** Gives the run up: once a renewal failed, another process may take it over at any moment. */
    const lose = (why: string) => {
      clearInterval(timer)
      lost.abort(codemodeError("RUN_BUSY", ORIGIN, `this process lost its lease on run ${id} (${why}); another process may run it now`))
    }
    const timer = setInterval(() => {
      renewing = ours()
        .then(async (mine) => (mine ? this.store.set(leaseKey(id), value(), { ttlMs: leaseMs }) : lose("another process holds it")))
        .catch((error: unknown) => lose(`renewing it failed: ${error instanceof Error ? error.message : String(error)}`))
    }, renewEvery(leaseMs))
    timer.unref()
    return {
      lost: lost.signal,
      check: async () => {
        if (!lost.signal.aborted && !(await ours().catch(() => false))) lose("another process holds it, or the store cannot be read")
        lost.signal.throwIfAborted()
      },
      release: async () => {
        if (released) return
        released = true
        clearInterval(timer)
        await renewing
        if (await ours().catch(() => false)) await this.store.delete(leaseKey(id)).catch(() => undefined)
      },
    }
  }

  /** The host key that signs resume tokens: created once per store (racing processes agree on one). */
  async hostKey(): Promise<Buffer> {
    const existing = await this.store.get("hmac-key")
    if (existing !== undefined) return Buffer.from(existing, "base64")
    await this.store.add("hmac-key", randomBytes(32).toString("base64"))
    const key = await this.store.get("hmac-key")
    if (key === undefined) throw codemodeError("STORE_FAILED", ORIGIN, `the ${this.store.name} store lost the host key it just wrote`)
    return Buffer.from(key, "base64")
  }
}

export interface Lease {
  /** Aborted (reason: a `RUN_BUSY` error) once a renewal failed or found the lease taken by another process. */
  lost: AbortSignal
  /** Fencing before a call is sent: rejects with the `lost` reason unless the store still shows the lease as ours. */
  check(): Promise<void>
  /** Stops renewing and removes the lease. Idempotent; never rejects. */
  release(): Promise<void>
}

/** The shortest lease: renewals (every third of it) must not come faster than this. */
export const MIN_LEASE_MS = 150

/** How often a lease of `leaseMs` is renewed: three chances before it runs out. */
const renewEvery = (leaseMs: number) => Math.floor(leaseMs / 3)

/** Wraps a store failure (anything not already a CodeModeError) as `STORE_FAILED`. */
export function storeFailure(error: unknown, what: string): CodeModeError {
  if (CodeModeError.is(error)) return error
  return codemodeError("STORE_FAILED", ORIGIN, `${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
}
