/**
 * `createCodeMode`: tool sources + a sandbox backend → `execute(code)`. The pipeline of one run:
 * normalize the model's code, pass every tool call through the policy (and the journal, for durable
 * runs) on its way to the tool, run in a fresh sandbox under limits, map error positions back to the
 * model's code. Durable runs pause for approvals and resume from a signed token (program-run.ts).
 */
import { normalizeCode, type NormalizedCode } from "../code/normalize.js"
import { CodeModeError, codemodeError } from "../errors.js"
import { DEFAULT_LIMITS, type Executor, type Limits } from "../sandbox/executor.js"
import type { Tool, ToolSource } from "../tools/tool.js"
import type { CallRecord } from "./bindings.js"
import { createCatalogCache, type Catalog, type CatalogHit, type CatalogOptions, type CatalogSearchOptions } from "./catalog.js"
import { generateDeclarations } from "../types/declarations.js"
import type { DocMode } from "../types/jsdoc.js"
import { createAuditLog, redactedAuditLog, type AuditLog, type AuditLogOptions } from "./audit.js"
import { newRunId } from "./journal.js"
import { compilePolicy, toolsCanAsk, type CompiledPolicy, type Policy } from "./policy.js"
import { runProgram, type ApprovalHandler, type RunEnvironment } from "./program-run.js"
import { settleCommitted } from "./receipts.js"
import { createRedactor } from "./redact.js"
import { syntaxResult, type ExecuteResult } from "./results.js"
import { createRunBook, type ResumeDecisions, type RunsOptions, type RunSummary } from "./run-book.js"
import { sourceNote, unavailableError } from "./hints.js"
import { loadSources, type BackgroundLoading, type SourceChange, type SourceSet, type SourceStatus } from "./sources.js"
import { createTypecheckGate } from "./typecheck.js"
import { attachView } from "./views.js"
import { bindInput, instanceProcedures, type ProceduresApi, type ProceduresOptions, type SaveProcedure } from "./procedures/procedures.js"
import { checkProcedureName } from "./procedures/store.js"
import { PROCEDURES_NAMESPACE } from "./procedures/source.js"
import { createSearch, type SearchRequest, type SearchRequestOptions, type SearchResult, type SearchSettings } from "./search.js"
import type { TypecheckMode, TypecheckOption, TypecheckReport } from "../code/typecheck/options.js"
import type { Agent, AgentOptions } from "../integrations/agent/agent.js"

export type { CallRecord } from "./bindings.js"
export type { ExecuteResult, ExecuteError, DoneResult, FailedResult, PausedResult } from "./results.js"
export type { ApprovalHandler, ApprovalRequest } from "./program-run.js"
export type { BackgroundLoading, SourceChange, SourceStatus } from "./sources.js"
export type { SearchRequest, SearchRequestOptions, SearchResult, SearchFound, SearchFailed, SearchSettings } from "./search.js"

export interface CodeModeOptions {
  /** Where the tools come from; each source has its own namespace. Loaded once, in parallel, on create. */
  sources: ToolSource[]
  /**
   * The sandbox backend. Default: `quickjs()` (loaded on the first `execute`). The instance owns it:
   * it is disposed by `close()`, or right away when creation fails.
   */
  executor?: Executor
  /** Limits for every run, merged over `DEFAULT_LIMITS`. Default: `DEFAULT_LIMITS`. */
  limits?: Partial<Limits>
  /**
   * Default `false`: a source that fails to load makes `createCodeMode` reject with
   * `SOURCE_UNAVAILABLE` naming it. `true`: serve the other sources and report it to `onError`.
   */
  skipUnavailableSources?: boolean
  /**
   * Load sources in the background: `createCodeMode` resolves once every source has loaded or failed,
   * or after `graceMs` (default 2,000), whichever comes first. Sources still loading join when they
   * arrive; failed ones are retried with exponential backoff (1 s doubling to 60 s, with jitter)
   * until they load or `close()`. Meanwhile a program that refers to such a namespace fails before
   * it runs (kind "type", code `SOURCE_UNAVAILABLE`) with a message saying that the source is loading
   * or why it failed. Implies `skipUnavailableSources`. `true` takes the defaults. Default: off
   * (create waits for every source).
   */
  background?: BackgroundLoading | boolean
  /** Errors with no caller to reject: skipped sources, failed reloads after a list change, failed background loads (once per change). Default: ignored. */
  onError?: (error: CodeModeError) => void
  /**
   * Every change of a source after it was first awaited: loaded (also late or after failures), failed,
   * reloaded, or an event of its upstream (exited, killed, restarted). Each has a message for a log.
   */
  onSourceChange?: (change: SourceChange) => void
  /** How the model gets to know the tools: token budget for whole declarations, search hit docs. */
  catalog?: CatalogOptions
  /**
   * Search settings: `embeddings`, an OpenAI-compatible endpoint whose similarity is fused with the
   * lexical ranking of `search({ query })` (see docs/search.md). Default: lexical only.
   */
  search?: SearchSettings
  /**
   * Who may call what: allow / ask / deny rules over tool globs and hints, quotas, rate limits.
   * Default "allow" (every call runs, as without a policy); "safe" allows read-only tools and asks
   * for everything else. See docs/policy.md.
   */
  policy?: Policy
  /**
   * Inline approvals: asked about each call the policy says needs approval; anything but
   * "approve" within `approvalTimeoutMs` denies it. Without it, a run that needs an approval
   * returns `status: "paused"` with a resume token (deferred approvals).
   */
  onApproval?: ApprovalHandler
  /** How long `onApproval` may take per call before the call is denied. Default 300,000 (5 min). */
  approvalTimeoutMs?: number
  /** Durable runs: where they are journaled, token lifetime, leases. See {@link RunsOptions}. */
  runs?: RunsOptions
  /** An audit log of every tool call (JSONL, rotated by size): options for one, or one to share. Default: none. */
  audit?: Omit<AuditLogOptions, "redactor"> | AuditLog
  /**
   * Check each program against the tools' declarations before it runs (in a child process, within a
   * time and memory budget): "error" (default while there are tools) fails a program with type
   * errors before any call is made, "warn" runs it with the diagnostics attached, "off". See
   * docs/typecheck.md.
   */
  typecheck?: TypecheckOption
  /**
   * Saved procedures (`codemode.procedures.<name>(input)`): the state database file they are kept
   * in. Default: none (`procedures` methods and `saveAs` reject with `CONFIG_INVALID`). See docs/state.md.
   */
  procedures?: ProceduresOptions
}

export interface ExecuteOptions {
  /** Cancels the run (`error.kind` "aborted"); tools see it through `ctx.signal`. */
  signal?: AbortSignal
  /** Limits for this run only, merged over the instance's limits. */
  limits?: Partial<Limits>
  /** Called as each tool call settles, while the run goes on (progress, live logging). Must not throw. */
  onCall?: (call: CallRecord) => void
  /** Inline approver for this run, over the instance's; `false`: deferred approvals (a paused result) for this run. */
  onApproval?: ApprovalHandler | false
  /** Typecheck mode for this run, over the instance's. */
  typecheck?: TypecheckMode
  /**
   * Save the program as a procedure once it finished (status "done"): the result's `saved` says
   * which version; when saving fails the run's writes stay committed and `warnings` says why.
   * A bad name rejects with `PROCEDURE_INVALID` before anything runs.
   */
  saveAs?: SaveProcedure
  /** The value the program reads as `input` (as a procedure does). Default: none; `{}` with `saveAs`. */
  input?: unknown
}

export interface CodeMode {
  /**
   * Runs model code (fenced or not, JS or TS, a body or a wrapper function) in a fresh sandbox.
   * Resolves with `status: "failed"` for anything the code does wrong (syntax, runtime error, limit,
   * abort, divergence), `"paused"` when it waits for approvals (deferred mode); rejects only for
   * host failures (`CLOSED`, `SANDBOX_FAILED`, `STORE_FAILED`, `CONFIG_INVALID` limits).
   */
  execute(code: string, options?: ExecuteOptions): Promise<ExecuteResult>
  /**
   * Continues a paused run (or one whose host died) from its journal: calls already made return
   * their recorded results without running again. `decisions`: "approve" / "deny" for every
   * pending call, or per pending id (`{ c3: "approve" }`); undecided calls pause the run again.
   * A run that already finished returns its settled result and runs nothing, as does one whose host
   * died after its state commit and before its journal recorded it (docs/state.md). Rejects with
   * `RESUME_INVALID` (forged, tampered, expired, stale or unknown token; tools changed) or
   * `RUN_BUSY` (another process is executing the run).
   */
  resume(resumeToken: string, decisions?: ResumeDecisions, options?: Omit<ExecuteOptions, "limits">): Promise<ExecuteResult>
  /**
   * Typechecks a program (as `execute` would receive it) against the current declarations without
   * running it, whatever the typecheck mode. Syntax errors are diagnostics too. Status "skipped"
   * when the checker could not finish (over budget, failed).
   */
  check(code: string): Promise<TypecheckReport>
  /** Durable runs kept in the run store (paused, running, finished), newest first; [] without one. */
  runs(): Promise<RunSummary[]>
  /** Whether runs are journaled in a run store, so that they can pause for approval and be resumed. */
  readonly durable: boolean
  /** The limits of every run (`DEFAULT_LIMITS` under the instance's `limits`), as tool descriptions state them. */
  readonly limits: Readonly<Limits>
  /** The currently loaded tools of every source, in source order. */
  tools(): Tool[]
  /** Where every source stands (loading, ready, failed and when it is retried), in source order. */
  sources(): SourceStatus[]
  /**
   * The TypeScript declarations the model codes against (`declare namespace codemode.<ns> …`);
   * `namespace` restricts them to one source, `docs` sets how much JSDoc they carry (default "full").
   * Rejects unknown namespaces with `CONFIG_INVALID`.
   */
  declarations(options?: { namespace?: string; docs?: DocMode }): string
  /**
   * Ranked tools for a task in plain words: the best as a self-contained TypeScript declaration
   * with JSDoc, the others as one-line signatures (`detail: "full"` for all in full); the closest
   * tools, marked `good: false`, when nothing matches well.
   */
  search(query: string, options?: CatalogSearchOptions): CatalogHit[]
  /**
   * The search the MCP `search` tool makes: `{ query }` as above, or `{ code }`, a program over the
   * catalog (`tools`, see {@link SearchRequest.code}) run in the sandbox under the instance's limits,
   * whose picks come back rendered as hits. Resolves with `ok: false` and an error like `execute`'s
   * when the program fails; rejects with `CONFIG_INVALID` for a bad request (both or neither of
   * query and code, a bad limit) and `CLOSED` after `close()`.
   */
  search(request: SearchRequest, options?: SearchRequestOptions): Promise<SearchResult>
  /** The current catalog (mode, declarations within budget, search); rebuilt when the tools change. */
  catalog(): Catalog
  /** Saved procedures: list, get, save, restore, remove (see {@link CodeModeOptions.procedures}). */
  readonly procedures: ProceduresApi
  /**
   * A chat with a model at an OpenAI-compatible endpoint (`OPENAI_BASE_URL`, `OPENAI_API_KEY`,
   * `model`) that works through this instance's `search` / `execute`. Needs the optional `openai`
   * package; rejects with `CONFIG_INVALID` without it or without an endpoint. See docs/agent.md.
   */
  agent(options?: AgentOptions): Promise<Agent>
  /** Closes every source, the executor, the run store and the audit log. Idempotent; `execute` afterwards rejects with `CLOSED`. */
  close(): Promise<void>
}

const ORIGIN = "runtime"

/** Default time an inline approver has per call: 5 minutes. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 300_000
/** Longest timer Node keeps: a longer one fires after 1 ms, which would deny every approval at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

function checkApprovalTimeout(ms: number | undefined): number {
  if (ms === undefined) return DEFAULT_APPROVAL_TIMEOUT_MS
  if (!Number.isInteger(ms) || ms < 1 || ms > MAX_TIMER_MS) {
    throw codemodeError("CONFIG_INVALID", ORIGIN, `approvalTimeoutMs must be an integer from 1 to ${MAX_TIMER_MS} (about 24.8 days), got ${JSON.stringify(ms)}`)
  }
  return ms
}

function mergeLimits(base: Readonly<Limits>, override: Partial<Limits> | undefined): Limits {
  const limits = { ...base, ...override }
  for (const [name, value] of Object.entries(limits)) {
    if (!(name in DEFAULT_LIMITS)) {
      throw codemodeError("CONFIG_INVALID", ORIGIN, `unknown limit "${name}"; limits are ${Object.keys(DEFAULT_LIMITS).join(", ")}`)
    }
    if (typeof value !== "number" || !(value > 0)) {
      throw codemodeError("CONFIG_INVALID", ORIGIN, `limit ${name} must be a positive number, got ${JSON.stringify(value)}`)
    }
  }
  return limits
}

async function defaultExecutor(): Promise<Executor> {
  const { quickjs } = await import("../sandbox/quickjs/index.js")
  return quickjs()
}

/**
 * Creates a codemode instance: loads `sources` (in parallel) and returns `execute`, `tools` and
 * `close`. Rejects with `CONFIG_INVALID` (duplicate or invalid namespaces, bad limits, bad tools)
 * or `SOURCE_UNAVAILABLE` (see {@link CodeModeOptions.skipUnavailableSources}).
 *
 * @example
 * const cm = await createCodeMode({ sources: [functions("math", { add: { input: z.object({ a: z.number(), b: z.number() }), run: ({ a, b }) => a + b } })] })
 * const result = await cm.execute("return await codemode.math.add({ a: 1, b: 2 })") // result.value === 3
 * await cm.close()
 */
export async function createCodeMode(options: CodeModeOptions): Promise<CodeMode> {
  const limits = mergeLimits(DEFAULT_LIMITS, options.limits)
  const approvalTimeoutMs = checkApprovalTimeout(options.approvalTimeoutMs)
  const background = options.background === true ? {} : options.background || undefined
  // Before loading: what a source reports while it loads (an upstream's stderr, a URL) may carry them.
  const secrets = (await Promise.all(options.sources.map((s) => s.secrets?.().catch(() => []) ?? []))).flat()
  const redactor = secrets.length ? createRedactor(secrets) : undefined
  const onSourceChange = options.onSourceChange
  const onChange = onSourceChange && redactor?.size ? (change: SourceChange) => onSourceChange({ ...change, message: redactor.text(change.message) }) : onSourceChange
  const sourceOptions = { skipUnavailable: options.skipUnavailableSources ?? false, background, onError: options.onError, onChange }
  let sources: SourceSet
  const policy = compilePolicy(options.policy)
  let runEnvironment: RunEnvironment | undefined // set below; procedures run only after that
  const procedures = instanceProcedures(options.procedures, {
    get env() {
      return runEnvironment as RunEnvironment
    },
    policy,
    limits,
    tools: () => sources.tools(),
    reload: () => sources.reload(PROCEDURES_NAMESPACE),
  })
  const allSources = procedures.source ? [...options.sources, procedures.source] : options.sources
  try {
    sources = await loadSources(allSources, sourceOptions)
  } catch (error) {
    // The instance owns the executor it was given: nobody can close() it now.
    await options.executor?.dispose().catch(() => undefined)
    await procedures.close()
    throw error
  }
  let executor: Promise<Executor> | undefined = options.executor ? Promise.resolve(options.executor) : undefined
  let closing: Promise<void> | undefined
  const ownAudit = options.audit !== undefined && !("write" in options.audit)
  const shared = options.audit !== undefined && "write" in options.audit ? options.audit : undefined
  const audit = options.audit === undefined ? undefined : shared ? (redactor ? redactedAuditLog(shared, redactor) : shared) : createAuditLog({ ...(options.audit as AuditLogOptions), ...(redactor ? { redactor } : {}) })
  const catalogs = createCatalogCache(() => sources.tools(), options.catalog)
  const typecheck = createTypecheckGate(options.typecheck)
  const book = createRunBook({ runs: options.runs, durable: () => policy.canAsk || toolsCanAsk(sources.tools()), catalog: () => catalogs.current() })
  /** Namespaces of the sources that are not loaded → what the model should hear about them. */
  const unavailable = (): Map<string, string> => {
    const notes = new Map<string, string>()
    for (const status of sources.status()) {
      const note = sourceNote(status)
      if (note) notes.set(status.namespace, redactor?.size ? redactor.text(note) : note)
    }
    return notes
  }
  const env: RunEnvironment = {
    executor: () =>
      (executor ??= defaultExecutor().catch((error: unknown) => {
        executor = undefined // let the next execute try again
        throw codemodeError("SANDBOX_FAILED", ORIGIN, `cannot load the default sandbox: ${String(error)}`, { cause: error })
      })),
    tools: () => sources.tools(),
    unavailable,
    redactor,
    audit,
    approvalTimeoutMs,
    get runs() {
      return book.environment
    },
  }
  runEnvironment = env

  // A resumed run keeps the policy it started under (compiled once per distinct policy).
  const policies = new Map<string, CompiledPolicy>([[JSON.stringify(options.policy ?? null), policy]])
  const policyOf = (recorded: Policy | undefined): CompiledPolicy => {
    const key = JSON.stringify(recorded ?? null)
    let compiled = policies.get(key)
    if (!compiled) policies.set(key, (compiled = compilePolicy(recorded)))
    return compiled
  }
  const searchRequest = createSearch({ executor: env.executor, catalog: () => catalogs.current(), limits, settings: options.search, onError: options.onError })
  const approverFor = (runOptions: ExecuteOptions) => (runOptions.onApproval === false ? undefined : (runOptions.onApproval ?? options.onApproval))
  const assertOpen = (what: string) => {
    if (closing) throw codemodeError("CLOSED", ORIGIN, `${what}() after close(): create a new instance with createCodeMode()`)
  }

  async function execute(code: string, runOptions: ExecuteOptions = {}): Promise<ExecuteResult> {
    assertOpen("execute")
    if (runOptions.saveAs) checkProcedureName(runOptions.saveAs.name)
    const startedAt = performance.now()
    const runLimits = mergeLimits(limits, runOptions.limits)
    let normalized: NormalizedCode
    let program = String(code)
    try {
      normalized = await normalizeCode(program)
      if (runOptions.input !== undefined || runOptions.saveAs) {
        program = bindInput(normalized.js, runOptions.input ?? {})
        normalized = await normalizeCode(program)
      }
    } catch (error) {
      if (CodeModeError.is(error, "CODE_INVALID")) return syntaxResult(error, startedAt)
      throw error
    }
    // A program that refers to a namespace whose source is still loading (or failed) would fail there:
    // it does not run, and the model hears what is going on with that source.
    const notLoaded = unavailableError(normalized, unavailable())
    if (notLoaded) return { status: "failed", ok: false, error: notLoaded, logs: [], calls: [], stats: { durationMs: performance.now() - startedAt, toolCalls: 0 } }
    // Such a namespace reached in a way the check above does not follow (an alias) is not a type error:
    // it is not in the declarations yet, and the run says what happened to it.
    const absent = new Set(sources.status().filter((s) => s.state !== "ready").map((s) => s.namespace))
    // The sandbox starts while the program is checked (the first run pays both); a failure is the run's to report.
    env.executor().catch(() => undefined)
    const typed = await typecheck.before(normalized, sources.tools(), runOptions.typecheck, startedAt, absent)
    if (typeof typed !== "function") return typed
    // The sandbox is ready before the run takes its lease: a slow first load must not cost the lease.
    await env.executor().catch(() => undefined)
    const durable = await book.start(program, runOptions.limits, options.policy)
    const runId = durable?.record.id ?? newRunId()
    const result = typed(await runProgram(env, {
      code: normalized,
      runId,
      limits: runLimits,
      policy,
      signal: runOptions.signal,
      onCall: runOptions.onCall,
      onApproval: approverFor(runOptions),
      startedAt,
      durable,
      newScope: procedures.scopeFor(runId, approverFor(runOptions)),
    }))
    const viewed = await attachView(result, sources.tools(), policy)
    return runOptions.saveAs ? saveProgram(String(code), viewed, runOptions.saveAs) : viewed
  }

  /** Saves the program of a finished run as a procedure; a failure to save becomes a warning. */
  async function saveProgram(code: string, result: ExecuteResult, saveAs: SaveProcedure): Promise<ExecuteResult> {
    if (result.status !== "done") return result
    try {
      const saved = await procedures.api.save(code, saveAs)
      return { ...result, saved: { name: saved.name, version: saved.version, description: saved.description } }
    } catch (error) {
      return { ...result, warnings: [...(result.warnings ?? []), `not saved as procedure "${saveAs.name}": ${error instanceof Error ? error.message : String(error)}`] }
    }
  }

  async function resume(token: string, decisions: ResumeDecisions = {}, runOptions: Omit<ExecuteOptions, "limits"> = {}): Promise<ExecuteResult> {
    assertOpen("resume")
    const startedAt = performance.now()
    const opened = await book.open(token, decisions)
    if ("settled" in opened) return opened.settled
    const runPolicy = policyOf(opened.record.policy)
    // Its host may have stopped after the run committed and before the journal said so.
    const committed = env.runs && (await settleCommitted(allSources, env.runs.journal, opened))
    if (committed) return attachView(committed, sources.tools(), runPolicy)
    let normalized: NormalizedCode
    try {
      normalized = await normalizeCode(opened.record.program)
    } catch (error) {
      await opened.lease.release()
      throw error
    }
    const result = await runProgram(env, {
      newScope: procedures.scopeFor(opened.record.id, approverFor(runOptions)),
      code: normalized,
      runId: opened.record.id,
      limits: mergeLimits(limits, opened.record.limits),
      policy: runPolicy,
      signal: runOptions.signal,
      onCall: runOptions.onCall,
      onApproval: approverFor(runOptions),
      startedAt,
      durable: opened,
    })
    return attachView(result, sources.tools(), runPolicy)
  }

  const codemode: CodeMode = {
    execute,
    resume,
    check: async (code) => {
      assertOpen("check")
      return typecheck.check(String(code), sources.tools())
    },
    runs: () => book.list(),
    get durable() {
      return book.environment !== undefined
    },
    limits: Object.freeze({ ...limits }),
    tools: () => sources.tools(),
    sources: () => sources.status(),
    declarations: (declOptions = {}) =>
      declOptions.namespace === undefined && (declOptions.docs ?? "full") === "full"
        ? catalogs.current().fullDeclarations()
        : generateDeclarations(sources.tools(), declOptions),
    search: ((input: string | SearchRequest, searchOptions?: CatalogSearchOptions | SearchRequestOptions) => {
      if (typeof input === "string") return catalogs.current().search(input, searchOptions as CatalogSearchOptions | undefined)
      return (async () => {
        assertOpen("search")
        return searchRequest(input, searchOptions as SearchRequestOptions | undefined)
      })()
    }) as CodeMode["search"],
    catalog: () => catalogs.current(),
    procedures: procedures.api,
    close: () =>
      (closing ??= (async () => {
        const backend = executor
        await sources.close()
        await typecheck.close()
        if (backend) await (await backend.catch(() => undefined))?.dispose()
        await book.close()
        await procedures.close()
        if (ownAudit) await audit?.close()
      })()),
    // The agent is a face over this instance; loaded only when asked for (it needs the `openai` package).
    agent: async (agentOptions) => (await import("../integrations/agent/agent.js")).createAgent(codemode, agentOptions),
  }
  return codemode
}
