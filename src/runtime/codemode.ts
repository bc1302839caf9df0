/**
 * `createCodeMode`: tool sources + a sandbox backend → `execute(code)`. The pipeline of one run:
 * normalize the model's code, wrap the tools as bindings that record a call trace, run in a fresh
 * sandbox under limits, map error positions back to the model's code.
 */
import { normalizeCode, type NormalizedCode } from "../code/normalize.js"
import { codeExcerpt } from "../code/excerpt.js"
import { CodeModeError, codemodeError } from "../errors.js"
import { DEFAULT_LIMITS, type Executor, type Limits, type LogLine, type RunError, type RunStats } from "../sandbox/executor.js"
import type { Tool, ToolSource } from "../tools/tool.js"
import { createBindings, type CallRecord } from "./bindings.js"
import { createCatalogCache, type Catalog, type CatalogHit, type CatalogOptions, type CatalogSearchOptions } from "./catalog.js"
import { generateDeclarations } from "../types/declarations.js"
import { unknownToolHint } from "./hints.js"
import { loadSources, type SourceSet } from "./sources.js"

export type { CallRecord } from "./bindings.js"

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
  /** Errors with no caller to reject: skipped sources, failed reloads after a list change. Default: ignored. */
  onError?: (error: CodeModeError) => void
  /** How the model gets to know the tools: token budget for whole declarations, search hit docs. */
  catalog?: CatalogOptions
}

export interface ExecuteOptions {
  /** Cancels the run (`error.kind` "aborted"); tools see it through `ctx.signal`. */
  signal?: AbortSignal
  /** Limits for this run only, merged over the instance's limits. */
  limits?: Partial<Limits>
  /** Called as each tool call settles, while the run goes on (progress, live logging). Must not throw. */
  onCall?: (call: CallRecord) => void
}

/** A run's error, positions in the code as the model sent it. */
export interface ExecuteError extends RunError {
  /** The offending line, the one before it and a caret, when the position is known. */
  excerpt?: string
}

/** Everything a run produced. Failures of the code are values (`ok: false`), never throws. */
export type ExecuteResult =
  | { ok: true; value: unknown; error?: undefined; logs: LogLine[]; calls: CallRecord[]; stats: RunStats }
  | { ok: false; value?: undefined; error: ExecuteError; logs: LogLine[]; calls: CallRecord[]; stats: RunStats }

export interface CodeMode {
  /**
   * Runs model code (fenced or not, JS or TS, a body or a wrapper function) in a fresh sandbox.
   * Resolves with `ok: false` for anything the code does wrong (syntax, runtime error, limit,
   * abort); rejects only for host failures (`CLOSED`, `SANDBOX_FAILED`, `CONFIG_INVALID` limits).
   */
  execute(code: string, options?: ExecuteOptions): Promise<ExecuteResult>
  /** The currently loaded tools of every source, in source order. */
  tools(): Tool[]
  /**
   * The TypeScript declarations the model codes against (`declare namespace codemode.<ns> …`), full
   * docs; `namespace` restricts them to one source. Rejects unknown namespaces with `CONFIG_INVALID`.
   */
  declarations(options?: { namespace?: string }): string
  /**
   * Ranked tools for a task in plain words: the best as a self-contained TypeScript declaration
   * with JSDoc, the others as one-line signatures (`detail: "full"` for all in full); the closest
   * tools, marked `good: false`, when nothing matches well.
   */
  search(query: string, options?: CatalogSearchOptions): CatalogHit[]
  /** The current catalog (mode, declarations within budget, search); rebuilt when the tools change. */
  catalog(): Catalog
  /** Closes every source and the executor. Idempotent; `execute` afterwards rejects with `CLOSED`. */
  close(): Promise<void>
}

const ORIGIN = "runtime"

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

function syntaxResult(error: CodeModeError, startedAt: number): ExecuteResult {
  const data = error.data as { reason?: string; line?: number; column?: number; excerpt?: string } | undefined
  // As for runtime errors, position and excerpt travel in their own fields.
  const reason = data?.reason ?? error.message.replace(/^\[codemode\] \[code\] /, "")
  const runError: ExecuteError = { kind: "syntax", message: reason.startsWith("SyntaxError") ? reason : `SyntaxError: ${reason}` }
  if (data?.line !== undefined) runError.line = data.line
  if (data?.column !== undefined) runError.column = data.column
  if (data?.excerpt) runError.excerpt = data.excerpt
  return { ok: false, error: runError, logs: [], calls: [], stats: { durationMs: performance.now() - startedAt, toolCalls: 0 } }
}

/**
 * Moves the sandbox's position (in the normalized code) to the model's code, adds an excerpt, and a
 * hint when the failing line calls a tool that does not exist.
 */
function mapError(error: RunError, code: NormalizedCode, tools: readonly Tool[]): ExecuteError {
  if (error.line === undefined) return error.stack ? { ...error, stack: mapStack(error.stack, code) } : { ...error }
  const at = code.toOriginal(error.column === undefined ? { line: error.line } : { line: error.line, column: error.column })
  const mapped: ExecuteError = { ...error, line: at.line }
  const hint = error.kind === "runtime" ? unknownToolHint(code.source.split("\n")[at.line - 1] ?? "", tools) : undefined
  if (hint) mapped.message = `${error.message} (${hint})`
  if (at.column === undefined) delete mapped.column
  else mapped.column = at.column
  const excerpt = codeExcerpt(code.source, at.line, at.column)
  if (excerpt) mapped.excerpt = excerpt
  if (error.stack) mapped.stack = mapStack(error.stack, code)
  return mapped
}

/** Rewrites every `file:line:column` of a sandbox stack to the model's code. */
function mapStack(stack: string, code: NormalizedCode): string {
  return stack.replace(/([^\s(]+):(\d+):(\d+)/g, (_all, file: string, line: string, column: string) => {
    const at = code.toOriginal({ line: Number(line), column: Number(column) })
    return `${file}:${at.line}${at.column === undefined ? "" : `:${at.column}`}`
  })
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
  const sourceOptions = { skipUnavailable: options.skipUnavailableSources ?? false, ...(options.onError ? { onError: options.onError } : {}) }
  let sources: SourceSet
  try {
    sources = await loadSources(options.sources, sourceOptions)
  } catch (error) {
    // The instance owns the executor it was given: nobody can close() it now.
    await options.executor?.dispose().catch(() => undefined)
    throw error
  }
  let executor: Promise<Executor> | undefined = options.executor ? Promise.resolve(options.executor) : undefined
  let closing: Promise<void> | undefined

  async function execute(code: string, runOptions: ExecuteOptions = {}): Promise<ExecuteResult> {
    if (closing) throw codemodeError("CLOSED", ORIGIN, "execute() after close(): create a new instance with createCodeMode()")
    const startedAt = performance.now()
    const runLimits = mergeLimits(limits, runOptions.limits)
    let normalized: NormalizedCode
    try {
      normalized = await normalizeCode(String(code))
    } catch (error) {
      if (CodeModeError.is(error, "CODE_INVALID")) return syntaxResult(error, startedAt)
      throw error
    }
    const backend = await (executor ??= defaultExecutor().catch((error: unknown) => {
      executor = undefined // let the next execute try again
      throw codemodeError("SANDBOX_FAILED", ORIGIN, `cannot load the default sandbox: ${String(error)}`, { cause: error })
    }))
    // Tools see one signal that fires when the caller cancels or when the run is over.
    const toolsDone = new AbortController()
    const onAbort = () => toolsDone.abort(runOptions.signal?.reason)
    runOptions.signal?.addEventListener("abort", onAbort, { once: true })
    const tools = sources.tools()
    const run = createBindings(tools, toolsDone.signal, runOptions.onCall)
    try {
      const outcome = await backend.run(normalized.js, run.bindings, runLimits, runOptions.signal)
      run.finish()
      const stats: RunStats = { ...outcome.stats, durationMs: performance.now() - startedAt }
      return outcome.ok
        ? { ok: true, value: outcome.value, logs: outcome.logs, calls: run.calls, stats }
        : { ok: false, error: mapError(outcome.error, normalized, tools), logs: outcome.logs, calls: run.calls, stats }
    } finally {
      runOptions.signal?.removeEventListener("abort", onAbort)
      toolsDone.abort(codemodeError("ABORTED", ORIGIN, "the run has ended"))
    }
  }

  const catalogs = createCatalogCache(() => sources.tools(), options.catalog)
  return {
    execute,
    tools: () => sources.tools(),
    declarations: (declOptions = {}) =>
      declOptions.namespace === undefined
        ? catalogs.current().fullDeclarations()
        : generateDeclarations(sources.tools(), { namespace: declOptions.namespace }),
    search: (query, searchOptions) => catalogs.current().search(query, searchOptions),
    catalog: () => catalogs.current(),
    close: () =>
      (closing ??= (async () => {
        const backend = executor
        await sources.close()
        if (backend) await (await backend.catch(() => undefined))?.dispose()
      })()),
  }
}
