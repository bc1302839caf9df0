/**
 * Exactness: how nearly a query *is* a tool's summary or name — "get a repository" is the summary
 * "Get a repository", "repos_get" is the operationId `repos/get`. Measured on the query's own
 * words and their full-weight equivalents (repo ↔ repository), never on weaker expansions, as the
 * share of the query's groups the field contains times the share of the field's terms the query
 * names: 1 for the same words in any order, lower as either side has words the other lacks.
 */
import type { ParsedQuery } from "./query.js"

/** The query's own words per group, compiled once per query. */
export interface ExactQuery {
  /** Per group, its full-weight alternatives (each a list of terms). */
  groups: ReadonlyArray<ReadonlyArray<readonly string[]>>
  /** Every term of those alternatives. */
  terms: ReadonlySet<string>
}

/** The full-weight alternatives of each group of `parsed`. */
export function exactQuery(parsed: ParsedQuery): ExactQuery {
  const groups = parsed.groups.map((g) => g.alternatives.filter((a) => a.weight >= 1).map((a) => a.terms))
  return { groups, terms: new Set(groups.flat(2)) }
}

/** Exactness (0…1) of `query` against one field's distinct terms. */
export function exactness(query: ExactQuery, field: ReadonlySet<string>): number {
  if (field.size === 0 || query.groups.length === 0) return 0
  let groups = 0
  for (const alternatives of query.groups) if (alternatives.some((terms) => terms.every((t) => field.has(t)))) groups++
  let named = 0
  for (const t of field) if (query.terms.has(t)) named++
  return (groups / query.groups.length) * (named / field.size)
}
