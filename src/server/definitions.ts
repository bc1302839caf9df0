/**
 * The tools a client lists: `execute` alone (its description holds the whole declarations) for a
 * small catalog, `search` + `execute` for a big one. Descriptions teach the workflow in few tokens;
 * input schemas come from the zod schemas the calls are validated with, so the two never disagree.
 */
import type { z } from "zod"
import { once, zod } from "../lazy.js"
import type { Catalog } from "../runtime/catalog.js"
import type { SourceStatus } from "../runtime/sources.js"
import type { Limits } from "../sandbox/executor.js"
import type { Tool, ToolAnnotations } from "../tools/tool.js"
import { TOOL_VIEW_TYPE } from "../search/view.js"

/** Most hits one search may ask for. */
export const MAX_SEARCH_LIMIT = 20

/** The arguments of `search`, `execute` and `resume`, built on first use (zod loads lazily: see lazy.ts). */
export const argsSchemas = once(() => {
  const z = zod()
  const SearchArgsSchema = z
    .object({
      query: z.string().trim().min(1).optional().describe('What you want to do, in plain words, e.g. "list invoices of a customer"'),
      code: z.string().min(1).optional().describe(`Instead of query: JS over the global tools: Tool[], returning matching tools (or names), best first; other values come back as JSON. type Tool = ${TOOL_VIEW_TYPE}`),
      limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).optional().describe("Max results, default 5"),
      namespace: z.string().optional().describe("Only this namespace (query only)"),
      detail: z.enum(["compact", "full"]).optional().describe('"full": types of all results'),
    })
    .refine((args) => (args.query === undefined) !== (args.code === undefined), { message: "pass either query or code" })
  const ExecuteArgsSchema = z.object({
    code: z.string().min(1).describe("JavaScript/TypeScript statements; top-level await; `return` the result"),
  })
  /** `execute` of a server that keeps procedures: it can save the program it ran. */
  const ExecuteSaveArgsSchema = ExecuteArgsSchema.extend({
    saveAs: z
      .object({ name: z.string().min(1), description: z.string().optional() })
      .optional()
      .describe("If the run succeeds, save the program as codemode.procedures.<name>(input); it reads its argument as `input`"),
  })
  const ResumeArgsSchema = z.object({
    token: z.string().min(1).describe("The resumeToken a paused execute returned"),
    decision: z.enum(["approve", "deny"]).optional().describe("For every call the run waits for"),
    decisions: z.record(z.string(), z.enum(["approve", "deny"])).optional().describe('Per pending call id, e.g. {"c2": "approve"}'),
  })
  return { SearchArgsSchema, ExecuteArgsSchema, ExecuteSaveArgsSchema, ResumeArgsSchema }
})
type ArgsSchemas = ReturnType<typeof argsSchemas>
export type SearchArgs = z.infer<ArgsSchemas["SearchArgsSchema"]>
export type ExecuteArgs = z.infer<ArgsSchemas["ExecuteSaveArgsSchema"]>
export type ResumeArgs = z.infer<ArgsSchemas["ResumeArgsSchema"]>

/** The input schemas `tools/list` shows, made once from the zod schemas above. */
const inputSchemas = once(() => {
  const { SearchArgsSchema, ExecuteArgsSchema, ExecuteSaveArgsSchema, ResumeArgsSchema } = argsSchemas()
  return { search: jsonSchema(SearchArgsSchema), execute: jsonSchema(ExecuteArgsSchema), executeSave: jsonSchema(ExecuteSaveArgsSchema), resume: jsonSchema(ResumeArgsSchema) }
})

/** A tool as `tools/list` returns it. */
export interface ToolDefinition {
  name: "search" | "execute" | "resume"
  description: string
  inputSchema: { type: "object"; [key: string]: unknown }
  annotations: ToolAnnotations
}

function jsonSchema(schema: z.ZodObject): ToolDefinition["inputSchema"] {
  // draft-07 is what MCP clients expect; the `$schema` line only costs tokens
  const { $schema: _drop, ...rest } = zod().toJSONSchema(schema, { target: "draft-07", io: "input" }) as Record<string, unknown>
  return { ...rest, type: "object" }
}

/**
 * Hints for `execute` from what it can reach: read-only only if every tool is, destructive if any
 * tool may be (MCP's default for a tool without hints), open-world if any tool talks to the outside.
 */
export function executeAnnotations(tools: readonly Tool[]): ToolAnnotations {
  const readOnly = tools.length > 0 && tools.every((t) => t.annotations?.readOnlyHint === true)
  return {
    title: "Run code against the tools",
    readOnlyHint: readOnly,
    destructiveHint: !readOnly && tools.some((t) => t.annotations?.readOnlyHint !== true && t.annotations?.destructiveHint !== false),
    idempotentHint: false,
    openWorldHint: tools.some((t) => t.annotations?.openWorldHint !== false),
  }
}

function limitsLine(limits: Readonly<Limits>): string {
  const time = limits.timeMs < 10_000 ? `${limits.timeMs} ms` : `${Math.round(limits.timeMs / 1000)} s`
  return `Limits per run: ${time}, ${limits.maxToolCalls} tool calls.`
}

function namespaceList(catalog: Catalog): string {
  return catalog.namespaces.map((n) => `${n.name} (${n.tools})`).join(", ") || "none loaded"
}

const EXECUTE_BASICS =
  "Run a JavaScript/TypeScript program in a sandbox and get back its return value, console output and a summary of the tool calls. " +
  "Call tools as `await codemode.<namespace>.<tool>(args)`: one object argument, JSON in and out; a failed call throws. " +
  "Chain calls, loop, filter and aggregate in code and return only what you need (big results are truncated). " +
  "No fetch, require or fs: only codemode.*."

/** A real read-only function for the example, a list one if there is one. */
function exampleTool(catalog: Catalog): string {
  const reads = catalog.tools.filter((t) => t.annotations?.readOnlyHint === true)
  const tool = reads.find((t) => /(^|_)list/i.test(t.name)) ?? reads[0] ?? catalog.tools[0]
  return tool ? `${tool.namespace}.${tool.name}` : "<namespace>.<tool>"
}

/** The namespaces whose sources are not loaded yet, for the `execute` description ("" when all are). */
function pendingLine(sources: readonly SourceStatus[]): string {
  const pending = sources.filter((s) => s.state !== "ready")
  if (pending.length === 0) return ""
  const state = (s: SourceStatus) => (s.state === "loading" ? "loading" : s.retryInMs === undefined ? "failed to load" : "failed to load, retrying")
  return ` Not available yet: ${pending.map((s) => `codemode.${s.namespace} (${state(s)})`).join(", ")}; the tool list changes when they load.`
}

/** The `execute` description: the workflow, limits, sources not loaded yet and (small catalogs) the declarations. */
function executeDescription(catalog: Catalog, limits: Readonly<Limits>, sources: readonly SourceStatus[]): string {
  const head = `${EXECUTE_BASICS} ${limitsLine(limits)}${pendingLine(sources)}`
  if (catalog.mode === "execute") {
    return `${head}\n\nAvailable API:\n\`\`\`ts\n${catalog.declarations ?? ""}\`\`\``
  }
  const example = exampleTool(catalog)
  return (
    `${head}\n` +
    "First use `search` to find the functions, their argument and result types. Example:\n" +
    `const page = await codemode.${example}({ /* arguments from search */ })\n` +
    "return page.items.filter((x) => x.status === \"active\").map((x) => ({ id: x.id, name: x.name }))"
  )
}

function searchDescription(catalog: Catalog): string {
  const total = catalog.tools.length
  return (
    `Search the ${total} API functions (namespaces: ${namespaceList(catalog)}) by task. ` +
    "Returns the best match as a TypeScript declaration (function, argument and result types), the next ones on one line, to call from `execute`. " +
    "Query in the API's own terms (its resource nouns and verbs like list, create, delete), not the user's wording; search again with other words if nothing fits. " +
    'Or pass `code` to filter the catalog yourself, e.g. `tools.filter((t) => t.method === "DELETE" && /dns/.test(t.path))`.'
  )
}

const APPROVALS = "Some calls may need the user's approval: the run then pauses and says which; ask the user, then call `resume`."

const resumeDefinition = (): ToolDefinition => ({
  name: "resume",
  description:
    "Continue a run that `execute` paused because some calls need the user's approval. Ask the user first, then pass the run's resumeToken " +
    'and decision "approve" or "deny" (or `decisions` per pending call id). Calls made before the pause are not made again. Returns what execute returns.',
  inputSchema: inputSchemas().resume,
  annotations: { title: "Resume a paused run", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
})

/**
 * What `tools/list` shows for this catalog; `resume` when runs can pause for approval; `sources`:
 * where the sources stand, so `execute` can name those not loaded yet; `procedures`: `execute` takes `saveAs`.
 */
export function toolDefinitions(catalog: Catalog, limits: Readonly<Limits>, options: { resume?: boolean; sources?: readonly SourceStatus[]; procedures?: boolean } = {}): ToolDefinition[] {
  const extra = options.resume ? [resumeDefinition()] : []
  const approvals = options.resume ? ` ${APPROVALS}` : ""
  const execute: ToolDefinition = {
    name: "execute",
    description: executeDescription(catalog, limits, options.sources ?? []) + approvals,
    inputSchema: options.procedures ? inputSchemas().executeSave : inputSchemas().execute,
    annotations: executeAnnotations(catalog.tools),
  }
  if (catalog.mode === "execute") return [execute, ...extra]
  const search: ToolDefinition = {
    name: "search",
    description: searchDescription(catalog),
    inputSchema: inputSchemas().search,
    annotations: { title: "Search the API", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  }
  return [search, execute, ...extra]
}
