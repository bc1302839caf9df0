/**
 * Search hits as TypeScript signatures with JSDoc, small enough to paste into a prompt: what the
 * `search` tool of the MCP server and `codemode search` print.
 */
import type { DocMode } from "../types/jsdoc.js"
import { renderToolSignature } from "../types/declarations.js"
import type { SearchHit } from "./search.js"

/** Options of {@link renderHits}. */
export interface RenderHitsOptions {
  /** How much documentation each signature carries. Default "full". */
  docs?: DocMode
  /**
   * Levels of named argument/result types expanded per signature; deeper ones become `unknown`
   * with a note. Default 1 (the tool's own argument and result types).
   */
  maxDepth?: number
}

/** A search hit ready to show: the call, its namespace and its declaration. */
export interface RenderedHit {
  /** The call as written in code: `codemode.<namespace>.<name>`. */
  name: string
  namespace: string
  score: number
  /** The spec's operationId, for OpenAPI tools. */
  operationId?: string
  /** `declare namespace codemode.<ns> { … }` with the function, its JSDoc and the types it needs. */
  signature: string
}

/** Renders each hit's tool as a self-contained TypeScript declaration. */
export function renderHits(hits: readonly SearchHit[], options: RenderHitsOptions = {}): RenderedHit[] {
  const docs = options.docs ?? "full"
  const maxDepth = options.maxDepth ?? 1
  return hits.map((hit) => {
    const rendered: RenderedHit = {
      name: hit.name,
      namespace: hit.namespace,
      score: hit.score,
      signature: renderToolSignature(hit.tool, { docs, maxDepth }),
    }
    if (hit.operationId !== undefined) rendered.operationId = hit.operationId
    return rendered
  })
}
