/** A tool as a search hit, for rankings made outside the lexical index (a code search, a fusion). */
import type { Tool } from "../tools/tool.js"
import type { SearchHit } from "./search.js"

/** The hit of `tool` with `score` and `relevance` (see {@link SearchHit}). */
export function toolHit(tool: Tool, score: number, relevance: number): SearchHit {
  const hit: SearchHit = { name: `codemode.${tool.namespace}.${tool.name}`, namespace: tool.namespace, score, relevance, tool }
  if (tool.origin?.operationId !== undefined) hit.operationId = tool.origin.operationId
  return hit
}
