/**
 * Procedures in one codemode instance: the store (a state database), the `procedures` source, the
 * library API (`cm.procedures`), saving the program of a successful `execute`, and running a
 * procedure when a program calls it — in a fresh sandbox, under the instance's limits and policy,
 * inside the calling run's transaction, with recursion between procedures refused.
 */
import { normalizeCode } from "../../code/normalize.js"
import { codemodeError } from "../../errors.js"
import { compileSchema } from "../../tools/functions.js"
import { openSqlite, type StateDatabase } from "../../tools/state/database.js"
import type { CallContext, JSONSchema, RunScope, Tool, ToolSource } from "../../tools/tool.js"
import { newRunId } from "../journal.js"
import type { CompiledPolicy, RunQuota } from "../policy.js"
import { runProgram, type ApprovalHandler, type RunEnvironment } from "../program-run.js"
import { createRunScope, nestedScope, type RunScopeHandle } from "../run-scope.js"
import type { Limits } from "../../sandbox/executor.js"
import { inferInputSchema } from "./infer.js"
import { proceduresSource, PROCEDURES_NAMESPACE } from "./source.js"
import { procedureStore, checkProcedureName, type Procedure, type ProcedureStore, type ProcedureSummary } from "./store.js"

export type { Procedure, ProcedureSummary } from "./store.js"

/** Where procedures are kept: a state database file (the one of `"state"` in codemode.json). */
export interface ProceduresOptions {
  db: string
  /** Largest size of the database, in bytes, as the state source's `maxBytes` (give the same). Default: no limit. */
  maxBytes?: number
}

/** What to save a program as (`execute(code, { saveAs })`, `procedures.save`). */
export interface SaveProcedure {
  name: string
  description?: string
  /** The schema of `input`. Default: inferred from what the program reads of `input`. */
  inputSchema?: JSONSchema
}

/** `cm.procedures`: saved procedures of the instance. Every method rejects with `CONFIG_INVALID` when it has no procedures database. */
export interface ProceduresApi {
  /** True when the instance has a procedures database (`saveAs` and these methods work). */
  readonly enabled: boolean
  /** The newest version of each procedure, by name. */
  list(): Promise<ProcedureSummary[]>
  /** `name` at `version` (default: the newest), or undefined. */
  get(name: string, version?: number): Promise<Procedure | undefined>
  /** Every version of `name`, oldest first. */
  versions(name: string): Promise<Procedure[]>
  /** Saves `code` as a new version of `options.name` (the code is not run; it must parse). */
  save(code: string, options: SaveProcedure): Promise<Procedure>
  /** Saves an old version again as the newest. */
  restore(name: string, version: number): Promise<Procedure>
  /** Removes every version of `name`; false when there was none. */
  remove(name: string): Promise<boolean>
}

/** Deepest chain of procedures calling procedures. */
export const MAX_PROCEDURE_DEPTH = 8
const ORIGIN = "procedures"

interface Frame {
  /** Procedures running, outermost first. */
  chain: string[]
  onApproval?: ApprovalHandler | undefined
  /** The run's per-run quota counters, which its procedures share. */
  quota: RunQuota
}

export interface InstanceProcedures {
  /** The `procedures` source, when there is a database. */
  source?: ToolSource
  api: ProceduresApi
  /** Makes the scope of a top-level run's attempt, remembering its approver for the procedures it calls. */
  scopeFor(runId: string, onApproval: ApprovalHandler | undefined): (quota: RunQuota) => RunScopeHandle
  close(): Promise<void>
}

export interface ProcedureDeps {
  env: RunEnvironment
  policy: CompiledPolicy
  limits: Limits
  tools(): Tool[]
  /** Reloads the `procedures` source, so the catalog has what was just saved or removed. */
  reload(): Promise<void>
}

const noDatabase = () =>
  codemodeError("CONFIG_INVALID", ORIGIN, 'procedures need a database: createCodeMode({ procedures: { db: "app.db" } }), or a "state": { "db": … } entry in codemode.json')

/**
 * A normalized program with `input` bound to `value`: typed `any` for the checker (parsed from a
 * string), on the first line so line numbers stay, the program in a block so it may declare its own.
 */
export function bindInput(js: string, value: unknown): string {
  return `const input = JSON.parse(${JSON.stringify(JSON.stringify(value ?? {}))});{${js}\n}`
}

/**
 * The ids ("ns.tool") of `tools` that `code` refers to as `codemode.<id>`, and whether that is every
 * reference to `codemode` in it: `const h = codemode.host; await h.send()` calls a tool the list misses.
 */
function referencedTools(code: string, tools: readonly Tool[]): { ids: string[]; complete: boolean } {
  const ids = new Set<string>()
  let complete = true
  for (const match of code.matchAll(/\bcodemode\b/g)) {
    const path = /^\s*\.\s*([\w$]+(?:\s*\.\s*[\w$]+)*)/.exec(code.slice(match.index + match[0].length))?.[1]?.replace(/\s/g, "")
    const id = path && tools.map((t) => `${t.namespace}.${t.name}`).find((id) => path === id || path.startsWith(`${id}.`))
    if (id) ids.add(id)
    else complete = false
  }
  return { ids: [...ids], complete }
}

export function instanceProcedures(options: ProceduresOptions | undefined, deps: ProcedureDeps): InstanceProcedures {
  const frames = new WeakMap<RunScope, Frame>()
  let database: Promise<StateDatabase> | undefined
  const open = () => (database ??= openSqlite(options?.db ?? ":memory:", options?.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }).catch((error: unknown) => {
    database = undefined
    throw error
  }))
  const store: ProcedureStore | undefined = options ? procedureStore(open) : undefined
  const need = (): ProcedureStore => {
    if (!store) throw noDatabase()
    return store
  }

  async function runProcedure(saved: Procedure, input: unknown, ctx: CallContext): Promise<unknown> {
    const where = `${PROCEDURES_NAMESPACE}.${saved.name}`
    const frame = ctx.run ? frames.get(ctx.run) : undefined
    const chain = [...(frame?.chain ?? []), saved.name]
    if (chain.indexOf(saved.name) < chain.length - 1) throw codemodeError("PROCEDURE_INVALID", where, `procedures call each other in a loop: ${chain.join(" → ")}`)
    if (chain.length > MAX_PROCEDURE_DEPTH) throw codemodeError("PROCEDURE_INVALID", where, `procedures nest deeper than ${MAX_PROCEDURE_DEPTH}: ${chain.join(" → ")}`)
    // the newest version, also when another process saved it after this catalog was loaded
    const p = await need().get(saved.name)
    if (!p) throw codemodeError("PROCEDURE_INVALID", where, `procedure "${saved.name}" was removed`)
    const have = new Set(deps.tools().map((t) => `${t.namespace}.${t.name}`))
    const gone = p.tools.filter((id) => !have.has(id))
    if (gone.length > 0) {
      throw codemodeError("PROCEDURE_INVALID", where, `procedure "${p.name}" (version ${p.version}) calls tools that are gone: ${gone.join(", ")}; save it again against the current tools, restore another version, or remove it`)
    }
    const args = input ?? {}
    const parsed = await compileSchema(p.inputSchema, "input", where).check(args)
    if (!parsed.ok) throw codemodeError("TOOL_INPUT_INVALID", where, `invalid input: ${parsed.message}`)
    const code = await normalizeCode(bindInput((await normalizeCode(p.code)).js, args))
    const runId = ctx.run?.runId ?? newRunId()
    const scope = ctx.run ? nestedScope(ctx.run) : createRunScope(runId)
    // Quotas and the tool call budget are per run: a procedure's calls count against its caller's.
    const quota = frame?.quota ?? deps.policy.startRun()
    frames.set(scope, { chain, onApproval: frame?.onApproval, quota })
    const result = await runProgram(deps.env, {
      code,
      runId,
      limits: deps.limits,
      policy: deps.policy,
      quota,
      signal: ctx.signal,
      onApproval: frame?.onApproval,
      startedAt: performance.now(),
      newScope: () => scope,
    })
    if (result.status === "done") return result.value
    const error = result.status === "failed" ? result.error : { message: "it paused", code: undefined }
    throw codemodeError(error.code ?? "TOOL_CALL_FAILED", where, `procedure "${p.name}" failed: ${error.message}`)
  }

  const source = store
    ? proceduresSource(store, runProcedure, (p) => {
        const tools = deps.tools()
        const { ids, complete } = referencedTools(p.code, tools)
        const byId = new Map(tools.map((t) => [`${t.namespace}.${t.name}`, t]))
        return complete && ids.every((id) => byId.get(id)?.transactional === true)
      })
    : undefined

  const api: ProceduresApi = {
    enabled: store !== undefined,
    list: async () => need().list(),
    get: async (name, version) => need().get(name, version),
    versions: async (name) => need().versions(name),
    save: async (code, save) => {
      const s = need()
      checkProcedureName(save.name)
      const js = (await normalizeCode(code)).js
      const saved = await s.save({
        name: save.name,
        description: save.description ?? "",
        code,
        inputSchema: save.inputSchema ?? inferInputSchema(js),
        tools: referencedTools(js, deps.tools()).ids,
      })
      await deps.reload()
      return saved
    },
    restore: async (name, version) => {
      const saved = await need().restore(name, version)
      await deps.reload()
      return saved
    },
    remove: async (name) => {
      const removed = await need().remove(name)
      if (removed) await deps.reload()
      return removed
    },
  }

  return {
    ...(source ? { source } : {}),
    api,
    scopeFor: (runId, onApproval) => (quota) => {
      const scope = createRunScope(runId)
      frames.set(scope, { chain: [], onApproval, quota })
      return scope
    },
    close: async () => {
      const open = database
      database = undefined
      ;(await open?.catch(() => undefined))?.close()
    },
  }
}
