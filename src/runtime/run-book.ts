/**
 * The durable runs of one instance: whether runs are journaled, starting a run's record, opening a
 * paused (or orphaned) run from its resume token, listing runs. Which store, which key, how long
 * tokens live and leases last are decided here once.
 */
import { randomBytes } from "node:crypto"
import { codemodeError } from "../errors.js"
import type { Limits } from "../sandbox/executor.js"
import { memoryStore } from "../store/memory.js"
import type { RunStore } from "../store/store.js"
import type { Catalog } from "./catalog.js"
import type { Policy } from "./policy.js"
import { Journal, MIN_LEASE_MS, newRunId, storeFailure, type CallEntry, type Lease, type PendingApproval, type RunRecord, type RunStatus } from "./journal.js"
import type { RunEnvironment } from "./program-run.js"
import type { ExecuteResult } from "./results.js"
import { shortHash, signResumeToken, verifyResumeToken } from "./resume-token.js"

const ORIGIN = "runs"

/** Options of durable runs (`createCodeMode({ runs })`). */
export interface RunsOptions {
  /**
   * Where runs are journaled. Giving one journals every run (crash recovery), and the instance owns
   * it (closes it). Default: an in-memory store when the policy can ask (paused runs live as long as
   * the process), else none: runs are not journaled.
   */
  store?: RunStore
  /** The key that signs resume tokens, at least 16 characters. Default: a random key kept in the store (`hmac-key`). */
  key?: string
  /** How long after a pause the run can be resumed. Default 24 h. */
  expiresInMs?: number
  /**
   * How long a process holds a run it is executing (renewed every third of it while it runs). After a
   * crash another process can take the run over once this passed. At least 150. Default 30,000.
   */
  leaseMs?: number
}

export const DEFAULT_RUN_EXPIRY_MS = 24 * 3_600_000
export const DEFAULT_LEASE_MS = 30_000
const MIN_KEY_LENGTH = 16

/** `resume` decisions: one for every pending call, or per pending id. */
export type ResumeDecisions = "approve" | "deny" | Record<string, "approve" | "deny">

/** A run as `runs()` lists it. */
export interface RunSummary {
  runId: string
  status: RunStatus
  createdAt: string
  expiresAt: string
  /** The calls waiting for approval (paused runs). */
  pending?: PendingApproval[]
  /** Continues the run (paused runs, and running ones whose host died). */
  resumeToken?: string
}

export interface OpenedRun {
  record: RunRecord
  lease: Lease
  entries: CallEntry[]
}

export interface RunBook {
  /** The durable part of the run environment, or undefined when runs are not journaled. */
  environment: RunEnvironment["runs"]
  /** Records a new run about to start (undefined when runs are not journaled). */
  start(program: string, limits: Partial<Limits> | undefined, policy: Policy | undefined): Promise<OpenedRun | undefined>
  /** Checks a resume token, applies the decisions, takes the lease; or the settled outcome. */
  open(token: string, decisions: ResumeDecisions): Promise<OpenedRun | { settled: ExecuteResult }>
  list(): Promise<RunSummary[]>
  close(): Promise<void>
}

interface RunBookOptions {
  runs: RunsOptions | undefined
  /**
   * Whether runs need a journal even without a configured store (the policy or a tool can ask).
   * Asked until it says yes: a source loaded in the background may bring a tool that asks.
   */
  durable(): boolean
  catalog(): Catalog
}

/** Hash of what a program can call: tool names and input schemas. */
const catalogHashes = new WeakMap<Catalog, string>()
function catalogHash(catalog: Catalog): string {
  let hash = catalogHashes.get(catalog)
  if (hash === undefined) {
    hash = shortHash(JSON.stringify(catalog.tools.map((t) => [`${t.namespace}.${t.name}`, t.inputSchema])))
    catalogHashes.set(catalog, hash)
  }
  return hash
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== "number" || !(value > 0)) throw codemodeError("CONFIG_INVALID", ORIGIN, `runs.${name} must be a positive number of ms, got ${JSON.stringify(value)}`)
  return value
}

export function createRunBook(options: RunBookOptions): RunBook {
  const given = options.runs ?? {}
  const expiresInMs = positive("expiresInMs", given.expiresInMs, DEFAULT_RUN_EXPIRY_MS)
  const leaseMs = positive("leaseMs", given.leaseMs, DEFAULT_LEASE_MS)
  if (leaseMs < MIN_LEASE_MS) throw codemodeError("CONFIG_INVALID", ORIGIN, `runs.leaseMs must be at least ${MIN_LEASE_MS} ms (it is renewed every third of it), got ${leaseMs}`)
  if (given.key !== undefined && (typeof given.key !== "string" || given.key.length < MIN_KEY_LENGTH)) {
    throw codemodeError("CONFIG_INVALID", ORIGIN, `runs.key must be a string of at least ${MIN_KEY_LENGTH} characters (a secret that signs resume tokens)`)
  }
  let key: Promise<Buffer> | undefined = given.key !== undefined ? Promise.resolve(Buffer.from(given.key, "utf8")) : undefined
  const durableWith = (store: RunStore) => {
    const journal = new Journal(store)
    const hostKey = () =>
      (key ??= journal.hostKey().catch((error: unknown) => {
        key = undefined
        throw storeFailure(error, "cannot read or create the host key")
      }))
    return { store, journal, hostKey, environment: { journal, hostKey, expiresInMs } }
  }
  let durable = given.store ? durableWith(given.store) : undefined
  /** The journal and its store, once runs need one (an in-memory store when none was given). */
  const active = () => (durable ??= options.durable() ? durableWith(memoryStore()) : undefined)
  const book = (): NonNullable<typeof durable> => {
    const current = active()
    if (!current) throw notDurable()
    return current
  }
  const token = async (record: RunRecord) =>
    signResumeToken(await book().hostKey(), { run: record.id, program: record.programHash, catalog: record.catalogHash, pause: record.pause, exp: record.expiresAt })

  const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (error) {
      throw storeFailure(error, what)
    }
  }

  return {
    get environment() {
      return active()?.environment
    },

    start: async (program, limits, policy) => {
      const journal = active()?.journal
      if (!journal) return undefined
      return wrap("cannot record the run", async () => {
        const now = Date.now()
        const record: RunRecord = {
          v: 1,
          id: newRunId(),
          program,
          programHash: shortHash(program),
          catalogHash: catalogHash(options.catalog()),
          seed: randomBytes(4).readUInt32LE(0),
          ...(limits ? { limits } : {}),
          ...(policy !== undefined ? { policy } : {}),
          createdAt: now,
          expiresAt: now + expiresInMs,
          status: "running",
          pause: 0,
        }
        const lease = await journal.lease(record.id, leaseMs)
        await journal.putRun(record)
        return { record, lease, entries: [] }
      })
    },

    async open(resumeToken, decisions) {
      const { store, journal, hostKey } = book()
      const claims = verifyResumeToken(await hostKey(), resumeToken)
      const record = await wrap("cannot read the run", () => journal.getRun(claims.run))
      if (!record) {
        throw codemodeError("RESUME_INVALID", ORIGIN, `run ${claims.run} is not in the ${store.name} store (it expired and was removed, or this process uses another store)`)
      }
      if (record.programHash !== claims.program) throw codemodeError("RESUME_INVALID", ORIGIN, `the token does not match run ${record.id}'s program`)
      /** The settled outcome, or a throw unless the token is for the run's latest pause. */
      const check = (run: RunRecord): { settled: ExecuteResult } | undefined => {
        if (run.status === "done" || run.status === "failed") return { settled: run.outcome as ExecuteResult }
        if (claims.pause !== run.pause) {
          throw codemodeError("RESUME_INVALID", ORIGIN, `the token is for pause ${claims.pause} of run ${run.id}, which has paused ${run.pause} time(s) since; use the latest token`)
        }
        return undefined
      }
      const settled = check(record)
      if (settled) return settled
      const current = catalogHash(options.catalog())
      if (claims.catalog !== current) {
        throw codemodeError(
          "RESUME_INVALID",
          ORIGIN,
          `the tools changed since run ${record.id} paused (catalog ${claims.catalog.slice(0, 8)} → ${current.slice(0, 8)}); resuming could make different calls, so it is refused`,
        )
      }
      const lease = await journal.lease(record.id, leaseMs)
      try {
        // Another process may have resumed (and paused again) or finished the run between our read and
        // the lease: the token must still be for the latest pause, or it would decide calls nobody saw.
        const fresh = (await journal.getRun(record.id)) ?? record
        const settledSince = check(fresh)
        if (settledSince) {
          await lease.release()
          return settledSince
        }
        const entries = await journal.calls(fresh.id)
        await applyDecisions(journal, fresh, entries, decisions)
        fresh.status = "running"
        delete fresh.pending
        await journal.putRun(fresh)
        return { record: fresh, lease, entries }
      } catch (error) {
        await lease.release()
        throw storeFailure(error, "cannot open the run")
      }
    },

    list: async () => {
      const journal = active()?.journal
      if (!journal) return []
      return wrap("cannot list runs", async () => {
        const records = (await journal.runs()).sort((a, b) => b.createdAt - a.createdAt)
        return Promise.all(
          records.map(async (r) => ({
            runId: r.id,
            status: r.status,
            createdAt: new Date(r.createdAt).toISOString(),
            expiresAt: new Date(r.expiresAt).toISOString(),
            ...(r.pending ? { pending: r.pending } : {}),
            ...(r.status === "paused" || r.status === "running" ? { resumeToken: await token(r) } : {}),
          })),
        )
      })
    },

    close: async () => {
      await durable?.store.close?.()
    },
  }
}

function notDurable() {
  return codemodeError(
    "CONFIG_INVALID",
    ORIGIN,
    "this instance keeps no runs to resume: give it a run store (`runs: { store }`, `--state-dir`) or a policy that asks for approval",
  )
}

/** Applies the decisions to the calls the pause reported (`record.pending`), and to no other. */
async function applyDecisions(journal: Journal, record: RunRecord, entries: CallEntry[], decisions: ResumeDecisions): Promise<void> {
  const shown = new Set(record.pending?.map((p) => p.id))
  const open = entries.filter((e) => e.state === "pending" && !e.decision?.approval && shown.has(`c${e.pos}`))
  if (typeof decisions === "object") {
    const ids = new Set(open.map((e) => `c${e.pos}`))
    const unknown = Object.keys(decisions).filter((id) => !ids.has(id))
    if (unknown.length) {
      throw codemodeError("CONFIG_INVALID", ORIGIN, `no pending call ${unknown.join(", ")} in run ${record.id}; pending: ${[...ids].join(", ") || "none"}`)
    }
  }
  for (const entry of open) {
    const decision = typeof decisions === "string" ? decisions : decisions[`c${entry.pos}`]
    if (!decision || !entry.decision) continue
    entry.decision.approval = decision === "approve" ? "approved" : "denied"
    await journal.putCall(record, entry)
  }
}
