/**
 * Host side of the typecheck: one checker process per checker (spawn.ts), started on first use,
 * that holds the current catalog's declarations (reloaded when the tools change) and checks one
 * program at a time. A check that overruns `timeMs` has its process killed; one that overruns
 * `memoryBytes` dies of V8's heap limit. Either way the host goes on: the report says "skipped" with
 * the reason, and a fresh process loads the catalog again for the next check.
 */
import type { ChildProcess } from "node:child_process"
import type { Tool } from "../../tools/tool.js"
import type { DeclaredTool } from "../../types/declarations.js"
import { codeExcerpt } from "../excerpt.js"
import { DEFAULT_TYPECHECK_PREPARE_MS, type ResolvedTypecheck, type TypecheckReport, type TypeDiagnostic } from "./options.js"
import { checkInput } from "./prepare.js"
import type { HostToWorker, WorkerToHost } from "./protocol.js"
import { forkChecker } from "./spawn.js"

export interface Typechecker {
  /**
   * Checks `source` (the code as the model sent it, LF line ends; `typescript`: it needed the
   * TypeScript grammar) against the declarations of `tools`. Never rejects: a checker that cannot
   * finish reports `status: "skipped"` with the reason.
   */
  check(source: string, typescript: boolean, tools: readonly Tool[]): Promise<TypecheckReport>
  /** Starts the checker's process and loads the declarations of `tools` now, so that the first check is warm. */
  prepare(tools: readonly Tool[]): void
  /** Ends the checker's process. Idempotent; later checks report "skipped". */
  close(): Promise<void>
}

export type TypecheckerOptions = Pick<ResolvedTypecheck, "timeMs" | "memoryBytes"> & {
  /** How long loading a catalog may take. Default {@link DEFAULT_TYPECHECK_PREPARE_MS}. */
  prepareMs?: number
}

const MIB = 1024 * 1024

/** A worker that went away, and why. */
class Lost extends Error {
  constructor(
    message: string,
    readonly overBudget: boolean,
  ) {
    super(message)
  }
}

interface Session {
  worker: ChildProcess
  /** Tools whose declarations are loaded (or loading), and the load. */
  tools?: readonly Tool[]
  version: number
  load?: Promise<void>
  pending: Map<string, { resolve: (msg: WorkerToHost) => void; reject: (error: Lost) => void }>
  lost?: Lost
}

const describeTools = (tools: readonly Tool[]): DeclaredTool[] =>
  tools.map((t) => {
    const plain: DeclaredTool = { name: t.name, namespace: t.namespace, inputSchema: t.inputSchema }
    if (t.description !== undefined) plain.description = t.description
    if (t.outputSchema !== undefined) plain.outputSchema = t.outputSchema
    if (t.annotations !== undefined) plain.annotations = t.annotations
    if (t.origin !== undefined) plain.origin = t.origin
    return plain
  })

export function createTypechecker(options: TypecheckerOptions): Typechecker {
  const prepareMs = options.prepareMs ?? DEFAULT_TYPECHECK_PREPARE_MS
  const memoryMb = Math.max(16, Math.round(options.memoryBytes / MIB))
  let session: Session | undefined
  let versions = 0
  let ids = 0
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false
  /** Tools whose declarations did not fit the memory budget: not tried again. */
  let tooBig: readonly Tool[] | undefined

  const lose = (s: Session, lost: Lost) => {
    if (s.lost) return
    s.lost = lost
    if (session === s) session = undefined
    for (const { reject } of s.pending.values()) reject(lost)
    s.pending.clear()
    s.worker.kill("SIGKILL")
  }

  /** Keeps the host's event loop alive only while the checker has work. */
  const hold = (s: Session, busy: boolean) => {
    if (busy) {
      s.worker.ref()
      s.worker.channel?.ref()
    } else {
      s.worker.unref()
      s.worker.channel?.unref()
    }
  }

  const start = (): Session => {
    const worker = forkChecker(memoryMb)
    const s: Session = { worker, version: 0, pending: new Map() }
    hold(s, false)
    worker.on("message", (raw) => {
      const msg = raw as WorkerToHost
      const key = msg.t === "loaded" ? `v${msg.version}` : msg.t === "checked" ? `c${msg.id}` : msg.id !== undefined ? `c${msg.id}` : `v${msg.version}`
      const waiter = s.pending.get(key)
      s.pending.delete(key)
      if (s.pending.size === 0) hold(s, false)
      waiter?.resolve(msg)
    })
    worker.on("error", (error) => lose(s, new Lost(`the checker failed: ${error.message}`, false)))
    worker.on("exit", (code, signal) => {
      // V8 aborts (SIGABRT, or exit code 134) when the heap limit is reached.
      const memory = signal === "SIGABRT" || code === 134
      lose(s, new Lost(memory ? `the checker went over its memory budget (${memoryMb} MiB)` : `the checker's process exited (${signal ?? code})`, memory))
    })
    return s
  }

  /** Sends `msg` and waits for its answer; after `timeMs` the worker is terminated (`reason`). */
  const request = (s: Session, key: string, msg: HostToWorker, timeMs: number, reason: string): Promise<WorkerToHost> => {
    if (s.lost) return Promise.reject(s.lost)
    return new Promise<WorkerToHost>((resolve, reject) => {
      const timer = setTimeout(() => lose(s, new Lost(reason, true)), timeMs)
      const done = <T>(settle: (value: T) => void) => (value: T) => {
        clearTimeout(timer)
        settle(value)
      }
      s.pending.set(key, { resolve: done(resolve), reject: done(reject) })
      hold(s, true)
      s.worker.send(msg, (error) => {
        if (error) lose(s, new Lost(`the checker's process is gone: ${error.message}`, false))
      })
    })
  }

  /** The live session with `tools` loaded (starting a worker, loading the declarations, as needed). */
  const ready = async (tools: readonly Tool[]): Promise<Session> => {
    if (closed) throw new Lost("the checker is closed", false)
    if (tooBig === tools) throw new Lost(`the declarations do not fit the checker's memory budget (${memoryMb} MiB)`, true)
    const s = (session ??= start())
    if (s.tools !== tools || !s.load) {
      const version = ++versions
      s.tools = tools
      s.version = version
      const msg: HostToWorker = { t: "catalog", version, tools: describeTools(tools) }
      s.load = request(s, `v${version}`, msg, prepareMs, `loading the declarations took more than ${prepareMs} ms`).then((answer) => {
        if (answer.t === "failed") throw new Lost(`the declarations could not be loaded: ${answer.message}`, false)
      })
      s.load.catch((error: unknown) => {
        if (error instanceof Lost && error.overBudget && /memory/.test(error.message)) tooBig = tools
      })
    }
    await s.load
    return s
  }

  const run = async (source: string, typescript: boolean, tools: readonly Tool[]): Promise<TypecheckReport> => {
    const startedAt = performance.now()
    const skipped = (error: unknown): TypecheckReport => ({
      status: "skipped",
      diagnostics: [],
      reason: error instanceof Error ? error.message : String(error),
      ...(error instanceof Lost && error.overBudget ? { overBudget: true } : {}),
      durationMs: performance.now() - startedAt,
    })
    try {
      const s = await ready(tools)
      const id = ++ids
      const answer = await request(s, `c${id}`, { t: "check", id, version: s.version, input: checkInput(source, typescript) }, options.timeMs, `the check took more than its time budget (${options.timeMs} ms)`)
      if (answer.t !== "checked") return skipped(new Error(answer.t === "failed" ? `the checker failed: ${answer.message}` : "unexpected answer"))
      const diagnostics = answer.diagnostics.map((d): TypeDiagnostic => {
        const excerpt = codeExcerpt(source, d.line, d.column)
        return { ...d, ...(excerpt ? { excerpt } : {}) }
      })
      return { status: diagnostics.length ? "failed" : "passed", diagnostics, durationMs: performance.now() - startedAt }
    } catch (error) {
      // A worker killed over budget is replaced right away, so the next check finds it warm.
      if (error instanceof Lost && error.overBudget && !closed && tooBig !== tools) prepare(tools)
      return skipped(error)
    }
  }

  const prepare = (tools: readonly Tool[]) => {
    if (closed) return
    ready(tools).catch(() => undefined) // reported by the check that needs it
  }

  return {
    check(source, typescript, tools) {
      const next = queue.then(() => run(source, typescript, tools))
      queue = next
      return next
    },
    prepare,
    async close() {
      closed = true
      const s = session
      session = undefined
      if (s) {
        s.worker.ref() // keep the host alive until the process has exited
        const exited = s.worker.exitCode !== null || s.worker.signalCode !== null ? Promise.resolve() : new Promise((resolve) => s.worker.once("exit", resolve))
        lose(s, new Lost("the checker is closed", false))
        await exited
      }
    },
  }
}
