/**
 * The naive tool list codemode is compared against: what a client would load if every operation
 * were its own MCP tool. Built exactly as data/README.md describes, from the raw spec
 * document (not from codemode's own tools), so the figures there can be reproduced and checked.
 */
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
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * Inlines every `$ref`; one already being expanded on the current path (a cycle) becomes `{}`, as
 * does one that does not resolve.
 */
function inline(doc: unknown, node: unknown, expanding: readonly string[]): unknown {
  if (Array.isArray(node)) return node.map((n) => inline(doc, n, expanding))
  if (!isObject(node)) return node
  if (typeof node.$ref === "string") {
    const ref = node.$ref
    if (expanding.includes(ref)) return {}
    const target = resolvePointer(doc, ref)
    return target === undefined ? {} : inline(doc, target, [...expanding, ref])
  }
  const out: Json = {}
  for (const [k, v] of Object.entries(node)) out[k] = inline(doc, v, expanding)
  return out
}

/** Path-level then operation-level parameters; an operation parameter replaces the same name + place. */
function parameters(doc: unknown, item: Json, op: Json): Json[] {
  const merged = new Map<string, Json>()
  for (const list of [item.parameters, op.parameters]) {
    if (!Array.isArray(list)) continue
    for (const raw of list) {
      const p = inline(doc, raw, [])
      if (isObject(p) && typeof p.name === "string" && PARAM_PLACES.has(String(p.in))) merged.set(`${String(p.in)}:${p.name}`, p)
    }
  }
  return [...merged.values()]
}

/** The request body's schema: application/json, else the first media type. */
function bodySchema(doc: unknown, op: Json): unknown {
  const body = inline(doc, op.requestBody, [])
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
 */
export function naiveToolsFromOpenApi(doc: OpenApiDocument): NaiveTool[] {
  const tools: NaiveTool[] = []
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    // only parameters and bodies are inlined: responses are not part of a tool
    const item = isObject(rawItem) && typeof rawItem.$ref === "string" ? resolvePointer(doc, rawItem.$ref) : rawItem
    if (!isObject(item)) continue
    for (const method of METHODS) {
      const op = item[method]
      if (!isObject(op)) continue
      const properties: Json = {}
      const required: string[] = []
      for (const p of parameters(doc, item, op)) {
        const name = p.name as string
        properties[name] = p.description === undefined ? (p.schema ?? {}) : { ...(isObject(p.schema) ? p.schema : {}), description: p.description }
        if (p.required === true) required.push(name)
      }
      const body = bodySchema(doc, op)
      if (body !== undefined) properties.body = body
      const texts = [op.summary, op.description].filter((t): t is string => typeof t === "string" && t !== "")
      tools.push({
        name: typeof op.operationId === "string" ? op.operationId : `${method} ${path}`,
        description: texts.join("\n\n"),
        inputSchema: { type: "object", properties, ...(required.length > 0 ? { required } : {}) },
      })
    }
  }
  return tools
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
