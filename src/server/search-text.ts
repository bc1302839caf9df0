/** The text the `search` tool returns: the matching declarations, or what to try when none match. */
import type { Catalog } from "../runtime/catalog.js"
import type { SearchArgs } from "./definitions.js"

/** Search results as the model reads them. Never throws: bad input becomes advice. */
export function searchText(catalog: Catalog, args: SearchArgs): string {
  const namespaces = catalog.namespaces.map((n) => n.name)
  if (args.namespace !== undefined && !namespaces.includes(args.namespace)) {
    return `No namespace "${args.namespace}". Namespaces: ${namespaces.join(", ") || "none"}.`
  }
  const hits = catalog.search(args.query, {
    ...(args.limit === undefined ? {} : { limit: args.limit }),
    ...(args.namespace === undefined ? {} : { namespace: args.namespace }),
  })
  if (hits.length === 0) {
    return `No function matches "${args.query}" among ${catalog.tools.length}. Try the API's own words (a resource name, a verb like list/create/delete) or fewer words.`
  }
  const head = `${hits.length} best matches for "${args.query}" (call them in execute as written):`
  return [head, ...hits.map((h) => h.signature.trimEnd())].join("\n\n")
}
