/**
 * Scoring expanded query groups against a BM25F index: each group adds its best alternative's score
 * per document, so a document is not counted three times for "make" matching "create", "add" and
 * "new".
 */
import type { Bm25f } from "./bm25.js"
import type { ParsedQuery } from "./query.js"

/** Per-document sums of group scores and number of groups matched. */
export interface GroupMatch {
  total: Map<number, number>
  matched: Map<number, number>
}

/** Options of {@link matchGroups}. */
export interface MatchOptions {
  /**
   * Scale an expansion down to the IDF of the word it expands when it is rarer: a synonym means
   * the same thing, so it must not be more informative ("get" → "check"). Default false.
   */
  capExpansions?: boolean
}

const idfOf = (index: Bm25f, terms: readonly string[]): number => terms.reduce((sum, t) => sum + index.idf(t), 0)

/** Scores every group of `parsed` against `index`. */
export function matchGroups(parsed: ParsedQuery, index: Bm25f, options: MatchOptions = {}): GroupMatch {
  const total = new Map<number, number>()
  const matched = new Map<number, number>()
  for (const group of parsed.groups) {
    const best = new Map<number, number>()
    // When the user's own words are unknown to the catalog, their expansions are all there is.
    const [first, ...rest] = group.alternatives
    const unknown = first !== undefined && first.weight === 1 && first.terms.every((t) => index.postings(t) === undefined)
    const top = Math.max(0, ...rest.map((a) => a.weight))
    const lift = unknown && top > 0 ? 1 / top : 1
    // the word's own informativeness bounds its expansions' (not for phrases: they name a concept)
    const cap = options.capExpansions && !unknown && !group.phrase && first !== undefined ? idfOf(index, first.terms) : Infinity
    for (const alt of group.alternatives) {
      const altScores = new Map<number, number>()
      for (const term of alt.terms) {
        for (const [d, s] of index.postings(term) ?? []) altScores.set(d, (altScores.get(d) ?? 0) + s)
      }
      const idf = alt === first ? 0 : idfOf(index, alt.terms)
      const weight = Math.min(1, alt.weight * lift) * (idf > cap ? cap / idf : 1)
      for (const [d, s] of altScores) if (s * weight > (best.get(d) ?? 0)) best.set(d, s * weight)
    }
    for (const [d, s] of best) {
      total.set(d, (total.get(d) ?? 0) + s)
      matched.set(d, (matched.get(d) ?? 0) + 1)
    }
  }
  return { total, matched }
}
