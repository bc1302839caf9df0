/**
 * Resource-level routing: the operations on one resource (an HTTP path without its trailing
 * `{id}`, e.g. `/zones/{zone_id}/dns_records`) are scored together as one document made of all
 * their summaries, descriptions and path words. A paraphrase often uses a word that one operation
 * of a resource documents and the others do not ("stop forwarding my livestream" → the outputs
 * resource); routing lets that evidence reach every operation of the resource, and intent matching
 * then picks the operation.
 */
import type { Tool } from "../tools/tool.js"
import { createBm25f, type Bm25f } from "./bm25.js"
import { resourceKey, type ToolDocument } from "./document.js"
import { matchGroups } from "./match.js"
import type { ParsedQuery } from "./query.js"

/** Options of {@link createResourceIndex}. */
export interface ResourceOptions {
  /** Terms of each operation's description taken into its resource's document. Default 40. */
  descriptionTerms?: number
  /** Resources whose operations are routed per query. Default 10. */
  top?: number
}

/** Operations grouped by resource, with a BM25 index over the resources. */
export interface ResourceIndex {
  /** Normalised scores (best = 1) of the best resources for `parsed`, as tool index → score. */
  route(parsed: ParsedQuery): Map<number, number>
}

const RESOURCE_FIELDS = { head: { weight: 2, b: 0.5 }, body: { weight: 0.5, b: 0.75 } } as const

/** Groups `tools` by resource (tools without a path are left out) and indexes the groups. */
export function createResourceIndex(tools: readonly Tool[], documents: readonly ToolDocument[], options: ResourceOptions = {}): ResourceIndex {
  const descriptionTerms = options.descriptionTerms ?? 40
  const top = options.top ?? 10
  const keys = new Map<string, number>()
  const members: number[][] = []
  const docs: Array<{ head: string[]; body: string[] }> = []
  tools.forEach((tool, i) => {
    const path = tool.origin?.path
    const doc = documents[i]
    if (path === undefined || doc === undefined) return
    const key = `${tool.namespace} ${resourceKey(path)}`
    let r = keys.get(key)
    if (r === undefined) {
      keys.set(key, (r = members.length))
      members.push([])
      docs.push({ head: [...doc.fields.path], body: [] })
    }
    members[r]?.push(i)
    const target = docs[r] as { head: string[]; body: string[] } // r was just created or found
    target.head.push(...doc.fields.summary)
    target.body.push(...doc.fields.description.slice(0, descriptionTerms), ...doc.fields.tags)
  })
  const index: Bm25f = createBm25f(docs, { fields: RESOURCE_FIELDS })
  return {
    route(parsed) {
      const { total } = matchGroups(parsed, index)
      const best = [...total].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, top)
      const max = best[0]?.[1] ?? 0
      const routed = new Map<number, number>()
      if (max <= 0) return routed
      for (const [r, s] of best) for (const i of members[r] ?? []) routed.set(i, s / max)
      return routed
    },
  }
}
