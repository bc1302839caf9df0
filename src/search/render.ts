/**
 * Search hits as TypeScript, small enough to paste into a prompt: what the `search` tool of the MCP
 * server and `codemode search` print. A hit renders in full (its declaration with JSDoc and the
 * types it needs) or compact (one line: the call, its required arguments with their types, the
 * names of the optional ones, the result type and the summary).
 */
import type { JSONSchema, Tool } from "../tools/tool.js"
import { renderToolSignature } from "../types/declarations.js"
import type { DocMode } from "../types/jsdoc.js"
import { summarize } from "../types/jsdoc.js"
import { isObject } from "../tools/json.js"
import { deref } from "./document.js"
import type { SearchHit } from "./search.js"

/** How much of a hit to render: its whole declaration, or one line. */
export type HitDetail = "full" | "compact"

/** Options of {@link renderHits}. */
export interface RenderHitsOptions {
  /** Full declarations or one-line signatures. Default "full". */
  detail?: HitDetail
  /** How much documentation a full signature carries. Default "full". */
  docs?: DocMode
  /**
   * Levels of named argument/result types expanded per full signature; deeper ones become
   * `unknown` with a note. Default 1 (the tool's own argument and result types).
   */
  maxDepth?: number
}

/** A search hit ready to show: the call, its namespace and its declaration. */
export interface RenderedHit {
  /** The call as written in code: `codemode.<namespace>.<name>`. */
  name: string
  namespace: string
  score: number
  /** See {@link SearchHit.relevance}. */
  relevance: number
  /** The spec's operationId, for OpenAPI tools. */
  operationId?: string
  /** What {@link RenderedHit.signature} holds. */
  detail: HitDetail
  /**
   * "full": `declare namespace codemode.<ns> { … }` with the function, its JSDoc and the types it
   * needs; "compact": one line, see {@link compactSignature}.
   */
  signature: string
}

/** Optional arguments named in a compact line before the rest are counted. */
const MAX_COMPACT_OPTIONAL = 6
/** Longest summary in a compact line. */
const MAX_COMPACT_SUMMARY = 100
/** Enums of at most this many values are written out in a compact line. */
const MAX_COMPACT_ENUM = 4

/** A short type for a compact line: scalars, small enums, arrays of them; `object` beyond. */
export function shortType(raw: JSONSchema | undefined, root: JSONSchema, depth = 0): string {
  const schema = raw === undefined ? undefined : deref(raw, root)
  if (!isObject(schema)) return "unknown"
  if (Array.isArray(schema.enum)) {
    const values = schema.enum
    if (values.length <= MAX_COMPACT_ENUM) return values.map((v) => JSON.stringify(v)).join(" | ")
  }
  if ("const" in schema) return JSON.stringify(schema.const)
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type
  switch (type) {
    case "string": return "string"
    case "integer":
    case "number": return "number"
    case "boolean": return "boolean"
    case "array": return depth > 0 ? "unknown[]" : `${shortType(schema.items as JSONSchema | undefined, root, depth + 1).replace(/^(.*\|.*)$/, "($1)")}[]`
    default: return "object"
  }
}

/** The result type of a tool as its full declaration names it (`PullRequestSimple[]`, `unknown`). */
function resultType(tool: Tool): string {
  if (tool.outputSchema === undefined) return "unknown"
  const line = /function \w+\(.*\): Promise<(.*)>$/m.exec(renderToolSignature(tool, { docs: "none", maxDepth: 0, wrap: false }))
  return line?.[1] ?? "unknown"
}

/**
 * One line for `tool`: `codemode.ns.name({ owner: string, repo: string, state?, … }): Promise<R> — summary`.
 * Required arguments carry a short type, optional ones only their name (the first few).
 */
export function compactSignature(tool: Tool): string {
  const input = deref(tool.inputSchema, tool.inputSchema)
  const properties = isObject(input) && isObject(input.properties) ? input.properties : {}
  const required = new Set(isObject(input) && Array.isArray(input.required) ? input.required.filter((r) => typeof r === "string") : [])
  const names = Object.keys(properties)
  const must = names.filter((n) => required.has(n)).map((n) => `${n}: ${shortType(properties[n] as JSONSchema, tool.inputSchema)}`)
  const may = names.filter((n) => !required.has(n))
  const optional = may.slice(0, MAX_COMPACT_OPTIONAL).map((n) => `${n}?`)
  if (may.length > MAX_COMPACT_OPTIONAL) optional.push(`…${may.length - MAX_COMPACT_OPTIONAL} more`)
  const args = must.length + optional.length === 0 ? "" : `{ ${[...must, ...optional].join(", ")} }`
  const text = summarize(tool.description ?? tool.annotations?.title ?? "").trim()
  const summary = text.length > MAX_COMPACT_SUMMARY ? `${text.slice(0, MAX_COMPACT_SUMMARY - 1).trimEnd()}…` : text
  return `codemode.${tool.namespace}.${tool.name}(${args}): Promise<${resultType(tool)}>${summary === "" ? "" : ` — ${summary}`}`
}

/** Renders each hit's tool as a self-contained TypeScript declaration, or as one line. */
export function renderHits(hits: readonly SearchHit[], options: RenderHitsOptions = {}): RenderedHit[] {
  const detail = options.detail ?? "full"
  const docs = options.docs ?? "full"
  const maxDepth = options.maxDepth ?? 1
  return hits.map((hit) => {
    const rendered: RenderedHit = {
      name: hit.name,
      namespace: hit.namespace,
      score: hit.score,
      relevance: hit.relevance,
      detail,
      signature: detail === "full" ? renderToolSignature(hit.tool, { docs, maxDepth }) : compactSignature(hit.tool),
    }
    if (hit.operationId !== undefined) rendered.operationId = hit.operationId
    return rendered
  })
}
