/**
 * The `search` / `execute` / `resume` tools apart from the protocol that carries them: which ones a
 * model gets for an instance, and one call answered as the text the model reads. The MCP server
 * (server.ts) and the framework adapters (src/integrations) are both thin wrappers around this, so
 * what a model sees is the same whichever way it reaches codemode. Loads no MCP SDK.
 */
import type { z } from "zod"
import { CodeModeError } from "../errors.js"
import type { ApprovalHandler, CallRecord, CodeMode, ExecuteResult } from "../runtime/codemode.js"
import { formatExecuteResult, type ShapeOptions } from "../runtime/shape.js"
import { argsSchemas, toolDefinitions, type ExecuteArgs, type SearchArgs, type ToolDefinition } from "./definitions.js"
import { codeSearchText } from "./code-search-text.js"
import { searchText } from "./search-text.js"

/** Options of one {@link answerToolCall}. */
export interface ToolCallOptions extends ShapeOptions {
  /** Who answers, for messages: `[codemode] [<origin>] …` ("server", "openai" …). */
  origin: string
  /** Cancels the run. */
  signal?: AbortSignal
  /** Called as each tool call of the program settles. */
  onCall?: (call: CallRecord) => void
  /** Inline approver over the instance's; `false`: the run pauses and the model gets `resume`. */
  onApproval?: ApprovalHandler | false
}

/** A call answered for the model. */
export interface ToolAnswer {
  /** What the model reads. */
  text: string
  /** True when the call failed (bad arguments, a failed run, a host failure). */
  isError: boolean
  /** The run (execute and resume), for the caller's own use. */
  result?: ExecuteResult
  /** Set when the codemode host failed (not the model's code or input), for a log. */
  hostFailure?: string
  /** What the host's operator should know (e.g. the embeddings endpoint failed and search ranked lexically), for a log. */
  warnings?: string[]
}

/**
 * The tools a model gets for `cm` now: `execute` alone for a small catalog (its description holds
 * the declarations), `search` + `execute` for a big one, plus `resume` when runs can pause.
 */
export function modelToolDefinitions(cm: CodeMode): ToolDefinition[] {
  return toolDefinitions(cm.catalog(), cm.limits, { resume: cm.durable, sources: cm.sources(), procedures: cm.procedures.enabled })
}

/** The zod schema of a model tool's arguments for `cm`, the one its listed `inputSchema` is made from (`execute` takes `saveAs` when the instance keeps procedures). */
export function modelToolArgsSchema(cm: CodeMode, name: ToolDefinition["name"]): z.ZodType {
  const { SearchArgsSchema, ExecuteArgsSchema, ExecuteSaveArgsSchema, ResumeArgsSchema } = argsSchemas()
  if (name === "search") return SearchArgsSchema
  if (name === "resume") return ResumeArgsSchema
  return cm.procedures.enabled ? ExecuteSaveArgsSchema : ExecuteArgsSchema
}

function invalidArgs(origin: string, tool: string, error: z.ZodError): ToolAnswer {
  const issues = error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ")
  return { text: `[codemode] [${origin}] invalid arguments for ${tool}: ${issues}`, isError: true }
}

/** A finished run as the model reads it, or the host failure behind it. */
async function answerRun(run: () => Promise<ExecuteResult>, options: ToolCallOptions): Promise<ToolAnswer> {
  try {
    const result = await run()
    const formatted = formatExecuteResult(result, options)
    return { text: formatted.text, isError: formatted.isError, result }
  } catch (error) {
    // A bad resume token or a busy run is the model's to fix; other host failures only a retry may fix.
    if (CodeModeError.is(error, "RESUME_INVALID") || CodeModeError.is(error, "RUN_BUSY") || CodeModeError.is(error, "CONFIG_INVALID")) {
      return { text: error.message, isError: true }
    }
    const message = error instanceof Error ? error.message : String(error)
    return { text: `${message}\nThis is a failure of the codemode host, not of your code; retry later.`, isError: true, hostFailure: message }
  }
}

/** A search by words (ranked with embeddings when configured) or by a program over the catalog. */
async function answerSearch(cm: CodeMode, args: SearchArgs, options: ToolCallOptions): Promise<ToolAnswer> {
  const { query, code, ...rest } = args
  if (query === undefined && rest.namespace !== undefined) return { text: "namespace applies to a query; in code, filter t.namespace yourself.", isError: true }
  try {
    const found = await cm.search(query !== undefined ? { ...rest, query } : { ...rest, code: code as string }, options.signal ? { signal: options.signal } : {})
    const warnings = found.ok && found.warnings ? { warnings: found.warnings } : {}
    if (query !== undefined) return { text: searchText(cm.catalog(), { ...rest, query }, found.ok ? found.hits : undefined), isError: false, ...warnings }
    return { ...codeSearchText(found, options), ...warnings }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { text: `${message}\nThis is a failure of the codemode host, not of your code; retry later.`, isError: true, hostFailure: message }
  }
}

/**
 * Answers one call of `search`, `execute` or `resume` with the arguments the model sent (not yet
 * validated). Never rejects: bad arguments, unknown tools, failed runs and host failures become
 * answers with `isError`.
 */
export async function answerToolCall(cm: CodeMode, name: string, args: unknown, options: ToolCallOptions): Promise<ToolAnswer> {
  const { SearchArgsSchema, ResumeArgsSchema } = argsSchemas()
  const runOptions = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
    ...(options.onApproval !== undefined ? { onApproval: options.onApproval } : {}),
  }
  if (name === "search") {
    const parsed = SearchArgsSchema.safeParse(args ?? {})
    if (!parsed.success) return invalidArgs(options.origin, name, parsed.error)
    return answerSearch(cm, parsed.data, options)
  }
  if (name === "execute") {
    const parsed = modelToolArgsSchema(cm, "execute").safeParse(args ?? {})
    if (!parsed.success) return invalidArgs(options.origin, name, parsed.error)
    const { code, saveAs } = parsed.data as ExecuteArgs
    return answerRun(() => cm.execute(code, { ...runOptions, ...(saveAs ? { saveAs } : {}) }), options)
  }
  if (name === "resume" && cm.durable) {
    const parsed = ResumeArgsSchema.safeParse(args ?? {})
    if (!parsed.success) return invalidArgs(options.origin, name, parsed.error)
    const { token, decision, decisions } = parsed.data
    return answerRun(() => cm.resume(token, decision ?? decisions ?? {}, runOptions), options)
  }
  const offered = modelToolDefinitions(cm).map((d) => d.name)
  const list = offered.length > 1 ? `${offered.slice(0, -1).join(", ")} and ${offered.at(-1)}` : offered.join("")
  return { text: `[codemode] [${options.origin}] unknown tool "${name}": the tools are ${list}`, isError: true }
}

