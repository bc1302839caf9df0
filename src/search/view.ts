/**
 * The catalog as plain data, for a search program the model writes: one small record per tool
 * (namespace, name, summary, description, method, path, tags, parameters), of every source kind.
 * It is copied into the sandbox as JSON, so its size is bounded: long descriptions are cut, and a
 * parameter carries its name, a short type and the first sentence of its doc only.
 */
import type { JSONSchema, Tool } from "../tools/tool.js"
import { summarize } from "../types/jsdoc.js"
import { isObject } from "../tools/json.js"
import { deref, splitSummary } from "./document.js"
import { shortType } from "./render.js"

/** One parameter of a tool as a search program sees it. */
export interface ParameterView {
  name: string
  /** A short type: `string`, `number`, `boolean`, `"a" | "b"`, `string[]`, `object`. */
  type: string
  required: boolean
  /** First sentence of its doc. */
  description?: string
}

/** One tool as a search program sees it. */
export interface ToolView {
  namespace: string
  /** Called as `codemode.<namespace>.<name>(args)`. */
  name: string
  /** First line of the description. */
  summary: string
  /** The rest of the description, cut to {@link MAX_VIEW_DESCRIPTION} characters. */
  description: string
  /** HTTP method and path template, for OpenAPI tools. */
  method?: string
  path?: string
  /** OpenAPI tags; [] for other sources. */
  tags: string[]
  parameters: ParameterView[]
}

/**
 * The view's type as the model reads it (in the `search` tool's input schema): few tokens, the
 * same shape as {@link ToolView}.
 */
export const TOOL_VIEW_TYPE =
  "{ namespace: string; name: string; summary: string; description: string; method?: string; path?: string; tags: string[]; " +
  "parameters: { name: string; type: string; required: boolean; description?: string }[] }"

/** Longest description copied into the view; the full text stays in the declarations. */
export const MAX_VIEW_DESCRIPTION = 600

function parametersOf(tool: Tool): ParameterView[] {
  const input = deref(tool.inputSchema, tool.inputSchema)
  if (!isObject(input) || !isObject(input.properties)) return []
  const required = new Set(Array.isArray(input.required) ? input.required : [])
  return Object.entries(input.properties).map(([name, raw]) => {
    const schema = deref(raw as JSONSchema, tool.inputSchema)
    const doc = isObject(schema) && typeof schema.description === "string" ? summarize(schema.description) : ""
    return { name, type: shortType(raw as JSONSchema, tool.inputSchema), required: required.has(name), ...(doc === "" ? {} : { description: doc }) }
  })
}

/** The view of one tool. */
export function toolView(tool: Tool): ToolView {
  const { summary, rest } = splitSummary(tool.description ?? tool.annotations?.title)
  const text = rest.trim()
  const description = text.length > MAX_VIEW_DESCRIPTION ? `${text.slice(0, MAX_VIEW_DESCRIPTION - 1).trimEnd()}…` : text
  const origin = tool.origin
  return {
    namespace: tool.namespace,
    name: tool.name,
    summary,
    description,
    ...(origin?.method === undefined ? {} : { method: origin.method.toUpperCase() }),
    ...(origin?.path === undefined ? {} : { path: origin.path }),
    tags: origin?.tags ?? [],
    parameters: parametersOf(tool),
  }
}

/** The view of every tool, as the JSON text copied into a search program's sandbox. */
export function catalogViewJson(tools: readonly Tool[]): string {
  return JSON.stringify(tools.map(toolView))
}
