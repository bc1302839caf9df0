/**
 * The text the `search` tool returns: the best match in full and the others as one-line
 * signatures, or — when nothing matches well — that plain fact, with the closest names.
 */
import type { Catalog, CatalogHit } from "../runtime/catalog.js"
import type { SearchArgs } from "./definitions.js"

const RETRY = "Try other words: the API's own resource nouns and verbs (list, get, create, update, delete), or fewer words."

/** The arguments of a search by words. */
export type QueryArgs = Omit<SearchArgs, "query" | "code"> & { query: string }

/**
 * Search results as the model reads them: `hits` when the search was made already (e.g. with
 * embeddings), else the catalog's lexical search. Never throws: bad input becomes advice.
 */
export function searchText(catalog: Catalog, args: QueryArgs, found?: readonly CatalogHit[]): string {
  const namespaces = catalog.namespaces.map((n) => n.name)
  if (args.namespace !== undefined && !namespaces.includes(args.namespace)) {
    return `No namespace "${args.namespace}". Namespaces: ${namespaces.join(", ") || "none"}.`
  }
  const hits = found ?? catalog.search(args.query, {
    ...(args.limit === undefined ? {} : { limit: args.limit }),
    ...(args.namespace === undefined ? {} : { namespace: args.namespace }),
    ...(args.detail === undefined ? {} : { detail: args.detail }),
  })
  const where = args.namespace === undefined ? `among ${catalog.tools.length} functions` : `in ${args.namespace}`
  if (hits.length === 0) return `No function matches "${args.query}" ${where}. ${RETRY}`
  if (!hits.some((h) => h.good)) {
    return [`No good match for "${args.query}" ${where}. ${RETRY} Closest:`, ...hits.map((h) => h.signature)].join("\n")
  }
  const full = hits.filter((h) => h.detail === "full")
  const compact = hits.filter((h) => h.detail === "compact")
  const head = hits.length === 1
    ? `Best match for "${args.query}" (call it in execute as written):`
    : `${hits.length} best matches for "${args.query}" (call them in execute as written):`
  const more = compact.length === 0 ? [] : [["Also (search a name, or pass detail: \"full\", for its types):", ...compact.map((h) => h.signature)].join("\n")]
  return [head, ...full.map((h) => h.signature.trimEnd()), ...more].join("\n\n")
}
