/**
 * The naive tool list codemode is compared against: what a client would load if every operation
 * were its own MCP tool. Built exactly as data/README.md describes, from the raw spec
 * document (not from codemode's own tools), so the figures there can be reproduced and checked.
 */
import { codemodeError } from "../errors.js"
import { isObject } from "../tools/json.js"
import { resolvePointer } from "../tools/json-pointer.js"
import type { OpenApiDocument } from "../tools/openapi/index.js"
import type { Tool } from "../tools/tool.js"

/** One tool of the naive list. */
export interface NaiveTool {
  name: string
  title?: string
  description: string
  inputSchema: { type: "object"; properties: Record<string, unknown>; required?: string[] }
  outputSchema?: unknown
  annotations?: Record<string, unknown>
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const
const PARAM_PLACES = new Set(["path", "query", "header"])

type Json = Record<string, unknown>

/**
 * Largest naive list built, in characters of its JSON (about; see {@link NaiveOptions.maxChars}):
 * 16 Mi, about 4 million o200k tokens, four times Cloudflare's full list.
 */
export const MAX_NAIVE_CHARS = 16 * 1024 * 1024

export interface NaiveOptions {
  /**
   * Stop building when the list's JSON passes about this many characters. Inlining every `$ref` of a
   * spec whose schemas refer to each other in cycles (Microsoft Graph) expands them again on every
   * path that reaches them: the list grows exponentially and would exhaust the host's memory.
   * Default {@link MAX_NAIVE_CHARS}.
   */
  maxChars?: number
  /** Only the operations whose naive tool name (operationId, else "method path") passes. Default: all. */
  only?: (name: string) => boolean
}

/** The naive list was not built: it passed `maxChars`. */
export interface NaiveTooLarge {
  /** Operations of the spec. */
  operations: number
  /** Operations built (in document order) before the limit was reached, the last one in part. */
  built: number
  maxChars: number
  /** Why, in words ("with every $ref inlined, the first 2 of 11,422 operations already take …"). */
  reason: string
}

/** What is left of the character allowance while building; `inline` throws {@link STOP} when it runs out. */
interface Budget {
  left: number
}
const STOP = Symbol("naive list too large")

function spend(budget: Budget, chars: number): void {
  budget.left -= chars
  if (budget.left < 0) throw STOP
}

/**
 * Inlines every `$ref`; one already being expanded on the current path (a cycle) becomes `{}`, as
 * does one that does not resolve. Charges `budget` roughly the JSON characters it produces.
 */
function inline(doc: unknown, node: unknown, expanding: Set<string>, budget: Budget): unknown {
  if (Array.isArray(node)) {
    spend(budget, 2 + node.length)
    return node.map((n) => inline(doc, n, expanding, budget))
  }
  if (!isObject(node)) {
    spend(budget, typeof node === "string" ? node.length + 2 : 5)
    return node
  }
  if (typeof node.$ref === "string") {
    const ref = node.$ref
    if (expanding.has(ref)) return {}
    const target = resolvePointer(doc, ref)
    if (target === undefined) return {}
    expanding.add(ref)
    try {
      return inline(doc, target, expanding, budget)
    } finally {
      expanding.delete(ref)
    }
  }
  const out: Json = {}
  for (const [k, v] of Object.entries(node)) {
    spend(budget, k.length + 4)
    out[k] = inline(doc, v, expanding, budget)
  }
  return out
}

/** Path-level then operation-level parameters; an operation parameter replaces the same name + place. */
function parameters(doc: unknown, item: Json, op: Json, budget: Budget): Json[] {
  const merged = new Map<string, Json>()
  for (const list of [item.parameters, op.parameters]) {
    if (!Array.isArray(list)) continue
    for (const raw of list) {
      const p = inline(doc, raw, new Set(), budget)
      if (isObject(p) && typeof p.name === "string" && PARAM_PLACES.has(String(p.in))) merged.set(`${String(p.in)}:${p.name}`, p)
    }
  }
  return [...merged.values()]
}

/** The request body's schema: application/json, else the first media type. */
function bodySchema(doc: unknown, op: Json, budget: Budget): unknown {
  const body = inline(doc, op.requestBody, new Set(), budget)
  if (!isObject(body) || !isObject(body.content)) return undefined
  const media = body.content["application/json"] ?? Object.values(body.content)[0]
  if (!isObject(media)) return undefined
  return media.schema ?? {}
}

/**
 * One tool per path × HTTP method: `name` = operationId (or "method path"), `description` =
 * summary and description joined by a blank line, `inputSchema` = `{ type: "object", properties,
 * required }` with each path/query/header parameter (its schema plus the parameter's description)
 * and a `body` property; every `$ref` inlined. `required` lists the required parameters and is left
 * out when empty (see docs/tokens.md for why).
 *
 * @throws CodeModeError `CONFIG_INVALID` when the list would pass `options.maxChars` (see
 * {@link naiveListFromOpenApi}, which reports that as a value).
 */
export function naiveToolsFromOpenApi(doc: OpenApiDocument, options: NaiveOptions = {}): NaiveTool[] {
  const list = naiveListFromOpenApi(doc, options)
  if ("tools" in list) return list.tools
  throw codemodeError("CONFIG_INVALID", "tokens", `the naive tool list is not representable: ${list.reason}; raise maxChars to build it anyway`, { data: { ...list } })
}

/**
 * The naive list ({@link naiveToolsFromOpenApi}), or — when its JSON would pass `maxChars` — what
 * was found before it stopped. Memory stays bounded by the allowance whatever the spec.
 */
export function naiveListFromOpenApi(doc: OpenApiDocument, options: NaiveOptions = {}): { tools: NaiveTool[] } | NaiveTooLarge {
  const maxChars = options.maxChars ?? MAX_NAIVE_CHARS
  const budget: Budget = { left: maxChars }
  const tools: NaiveTool[] = []
  try {
    forEachOperation(doc, (path, method, item, op) => {
      if (!options.only || options.only(naiveName(path, method, op))) tools.push(naiveTool(doc, path, method, item, op, budget))
    })
  } catch (error) {
    // a RangeError: the call stack ran out first, inlining a chain of thousands of nested $refs
    if (error !== STOP && !(error instanceof RangeError)) throw error
    let operations = 0
    forEachOperation(doc, (path, method, _item, op) => (operations += !options.only || options.only(naiveName(path, method, op)) ? 1 : 0))
    const first = `the first ${tools.length + 1} of ${operations.toLocaleString("en-US")} operations`
    const size =
      error === STOP
        ? `${first} already take more than ${maxChars.toLocaleString("en-US")} characters of JSON (millions of tokens, past any model's context window)`
        : `${first} nest $refs deeper than the call stack allows`
    return {
      operations,
      built: tools.length + 1,
      maxChars,
      reason:
        `with every $ref inlined, ${size}, because the spec's schemas refer to each ` +
        `other in cycles (inheritance, nullable references, navigation properties) and inlining expands them again on every ` +
        `path that reaches them, so the list grows exponentially with the nesting depth`,
    }
  }
  return { tools }
}

/** Every path × HTTP method of `doc`, in document order (a `$ref`'d path item resolved). */
function forEachOperation(doc: OpenApiDocument, visit: (path: string, method: string, item: Json, op: Json) => void): void {
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = isObject(rawItem) && typeof rawItem.$ref === "string" ? resolvePointer(doc, rawItem.$ref) : rawItem
    if (!isObject(item)) continue
    for (const method of METHODS) {
      const op = item[method]
      if (isObject(op)) visit(path, method, item, op)
    }
  }
}

const naiveName = (path: string, method: string, op: Json): string => (typeof op.operationId === "string" ? op.operationId : `${method} ${path}`)

/** One naive tool; only parameters and bodies are inlined: responses are not part of a tool. */
function naiveTool(doc: OpenApiDocument, path: string, method: string, item: Json, op: Json, budget: Budget): NaiveTool {
  const properties: Json = {}
  const required: string[] = []
  for (const p of parameters(doc, item, op, budget)) {
    const name = p.name as string
    properties[name] = p.description === undefined ? (p.schema ?? {}) : { ...(isObject(p.schema) ? p.schema : {}), description: p.description }
    if (p.required === true) required.push(name)
  }
  const body = bodySchema(doc, op, budget)
  if (body !== undefined) properties.body = body
  const texts = [op.summary, op.description].filter((t): t is string => typeof t === "string" && t !== "")
  const description = texts.join("\n\n")
  spend(budget, description.length + 80)
  return {
    name: naiveName(path, method, op),
    description,
    inputSchema: { type: "object", properties, ...(required.length > 0 ? { required } : {}) },
  }
}

/**
 * An MCP source's tools as its server's `tools/list` gave them, rebuilt from what the source keeps:
 * the server's own name, title, description, input and output schemas and annotations.
 */
export function naiveToolsFromMcp(tools: readonly Tool[]): NaiveTool[] {
  return tools.map((tool) => {
    const { title, ...hints } = tool.annotations ?? {}
    return {
      name: tool.origin?.originalName ?? tool.name,
      ...(title === undefined ? {} : { title }),
      description: tool.description ?? "",
      inputSchema: tool.inputSchema as NaiveTool["inputSchema"],
      ...(tool.outputSchema === undefined ? {} : { outputSchema: tool.outputSchema }),
      ...(Object.keys(hints).length > 0 ? { annotations: hints } : {}),
    }
  })
}

/** "name: summary" lines (summary or the description's first sentence): the names+summaries figure. */
export function namesAndSummaries(doc: OpenApiDocument): string {
  const lines: string[] = []
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!isObject(item)) continue
    for (const method of METHODS) {
      const op = item[method]
      if (!isObject(op)) continue
      const name = typeof op.operationId === "string" ? op.operationId : `${method} ${path}`
      const summary = typeof op.summary === "string" ? op.summary : (String(op.description ?? "").split(/(?<=[.!?])\s/)[0] ?? "")
      lines.push(`${name}: ${summary}`)
    }
  }
  return lines.join("\n")
}
