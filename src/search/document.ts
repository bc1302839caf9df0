/**
 * Turns a {@link Tool} into the fielded text the index scores (name, summary, description,
 * parameters, tags, path, resource) and works out the tool's action (list, create, delete …) from
 * its summary, name, HTTP method and path.
 */
import { unescapePointer } from "../tools/json-pointer.js"
import type { JSONSchema, Tool } from "../tools/tool.js"
import { ACTION_WORDS, type Action } from "./synonyms.js"
import { analyze, splitWords, stem } from "./tokenize.js"

/** The fields of an indexed tool. */
export const FIELDS = ["name", "summary", "description", "params", "tags", "path", "resource", "namespace"] as const
export type Field = (typeof FIELDS)[number]

/** A tool as the index sees it: stemmed terms per field plus its action. */
export interface ToolDocument {
  fields: Record<Field, string[]>
  /** What the tool does; "get" tools that return collections also count as "list". */
  actions: Action[]
  /** The stemmed first word of the summary, usually its verb ("star", "purge", "create"). */
  verb?: string
  /** The description says the tool is deprecated. */
  deprecated: boolean
}

/** How much of the description and parameter docs is indexed: long texts add noise, not signal. */
const MAX_DESCRIPTION_TERMS = 120
const MAX_PARAM_TERMS = 80
const MAX_SCHEMA_DEPTH = 2

/** The summary is the first line/paragraph (OpenAPI sources put `summary\n\ndescription`). */
export function splitSummary(description: string | undefined): { summary: string; rest: string } {
  // the OpenAPI source prefixes deprecated operations with a "Deprecated." paragraph
  const text = (description ?? "").trim().replace(/^deprecated\.?\s*\n/i, "")
  const paragraph = /\n\s*\n|\n/.exec(text)
  const first = paragraph ? text.slice(0, paragraph.index) : text
  if (first.length <= 200) return { summary: first, rest: paragraph ? text.slice(paragraph.index) : "" }
  const sentence = /[.!?](\s|$)/.exec(first)
  const cut = sentence ? sentence.index + 1 : 200
  return { summary: text.slice(0, cut), rest: text.slice(cut) }
}

/** Follows a local `#/$defs/…` (or `#/definitions/…`) reference of the tool's input schema. */
export function deref(schema: JSONSchema, root: JSONSchema): JSONSchema {
  if (typeof schema !== "object" || schema === null || typeof schema.$ref !== "string" || typeof root !== "object") return schema
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(schema.$ref)
  const defs = match ? (root[match[1] as string] as Record<string, JSONSchema> | undefined) : undefined
  return (match && defs?.[unescapePointer(match[2] as string)]) ?? schema
}

/** Property names, and descriptions/titles/enum values of the argument object, a few levels deep. */
function collectParams(schema: JSONSchema | undefined, root: JSONSchema, depth: number, names: string[], docs: string[]): void {
  if (schema === undefined || depth > MAX_SCHEMA_DEPTH) return
  const resolved = deref(schema, root)
  if (typeof resolved !== "object" || resolved === null) return
  const properties = resolved.properties
  if (typeof properties !== "object" || properties === null) return
  for (const [key, raw] of Object.entries(properties as Record<string, JSONSchema>)) {
    names.push(key)
    const value = deref(raw, root)
    if (typeof value !== "object" || value === null) continue
    for (const text of [value.title, value.description]) if (typeof text === "string") docs.push(text)
    if (Array.isArray(value.enum)) docs.push(value.enum.filter((e) => typeof e === "string").join(" "))
    collectParams(value, root, depth + 1, names, docs)
  }
}

/** Static path segments, without `{parameters}`, versions and the API prefix. */
function pathSegments(path: string): string[] {
  return path.split("/").filter((s) => s !== "" && !s.startsWith("{") && !/^v\d+$/.test(s))
}

/** The last static segment: the resource the operation acts on ("/zones/{id}/dns_records" → "dns records"). */
function resourceOf(path: string): string {
  const segments = pathSegments(path)
  return segments[segments.length - 1] ?? ""
}

const WORD_TO_ACTION: ReadonlyMap<string, Action> = new Map(
  (Object.entries(ACTION_WORDS) as [Action, readonly string[]][]).flatMap(([action, words]) =>
    words.map((w) => [stem(w), action] as const),
  ),
)

/** The action named by a word ("Create", "removing" …), if any. */
export function actionOfWord(word: string): Action | undefined {
  return WORD_TO_ACTION.get(stem(word.toLowerCase()))
}

/**
 * A tool's action: the verb its summary (or else its name) starts with when there is one, otherwise what the HTTP
 * method and path imply (POST → create, DELETE → delete, PUT/PATCH → update, GET on `/{id}` →
 * get, other GET → list).
 */
export function toolAction(
  summary: string,
  name: string,
  method: string | undefined,
  path: string | undefined,
): Action | undefined {
  for (const text of [summary, name]) {
    const first = splitWords(text)[0]
    const action = first === undefined ? undefined : actionOfWord(first)
    if (action) return action
  }
  switch (method?.toLowerCase()) {
    case "post": return "create"
    case "delete": return "delete"
    case "put":
    case "patch": return "update"
    case "get": return path !== undefined && /\}\/?$/.test(path) ? "get" : "list"
    default: return undefined
  }
}

const take = (terms: string[], max: number): string[] => (terms.length > max ? terms.slice(0, max) : terms)

/** The fielded, analyzed form of `tool`. */
export function toolDocument(tool: Tool): ToolDocument {
  const origin = tool.origin
  const { summary, rest } = splitSummary(tool.description ?? tool.annotations?.title)
  const names: string[] = []
  const docs: string[] = []
  collectParams(tool.inputSchema, tool.inputSchema, 0, names, docs)
  const path = origin?.path ?? ""
  const nameText = [tool.name, origin?.originalName, origin?.operationId].filter((s) => s !== undefined).join(" ")
  const fields: Record<Field, string[]> = {
    name: [...new Set(analyze(nameText))],
    summary: analyze(summary),
    description: take(analyze(rest), MAX_DESCRIPTION_TERMS),
    params: take([...analyze(names.join(" ")), ...analyze(docs.join(" "))], MAX_PARAM_TERMS),
    tags: analyze((origin?.tags ?? []).join(" ")),
    path: analyze(pathSegments(path).join(" ")),
    resource: analyze(resourceOf(path)),
    namespace: analyze(tool.namespace),
  }
  const action = toolAction(summary, origin?.originalName ?? tool.name, origin?.method, origin?.path)
  const actions: Action[] = action === undefined ? [] : [action]
  // "Get all zone settings", "Get projects" (GET on a collection): a listing in all but name.
  const collection = origin?.method?.toLowerCase() === "get" && origin.path !== undefined && !/\}\/?$/.test(origin.path)
  if (action === "get" && (collection || /\b(all|every)\b/i.test(summary))) actions.push("list")
  const verb = splitWords(summary)[0]
  const deprecated = /^\s*deprecated\b/i.test(tool.description ?? "")
  return verb === undefined ? { fields, actions, deprecated } : { fields, actions, deprecated, verb: stem(verb) }
}
