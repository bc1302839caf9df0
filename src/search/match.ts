/**
 * Scoring expanded query groups against a BM25F index: each group adds its best alternative's score
 * per document, so a document is not counted three times for "make" matching "create", "add" and
 * "new". Also the query's ideal score — what a document matching every group at its best could
 * score — against which a tool's relevance is measured.
 */
import type { Bm25f } from "./bm25.js"
import type { ParsedQuery } from "./query.js"

/** Per-document sums of group scores, number of groups matched and relevance. */
export interface GroupMatch {
  total: Map<number, number>
  matched: Map<number, number>
  /**
   * The IDF-weighted share of the query a document covers (0…1): per group, how strongly the
   * document carries its best alternative (score over the most that alternative can score, times
   * its weight), weighted by the group's IDF. A group none of whose words the catalog has weighs
   * as much as a word found in no document: no tool can do that part of the task.
   */
  relevance: Map<number, number>
}

/** Options of {@link matchGroups}. */
export interface MatchOptions {
  /**
   * Scale an expansion down to the IDF of the word it expands when it is rarer: a synonym means
   * the same thing, so it must not be more informative ("get" → "check"). Default false.
   */
  capExpansions?: boolean
  /**
   * The documents relevance is judged against (those of the namespace searched): a word counts by
   * its IDF among them, so a word none of them has weighs as a missing one. Default: all.
   */
  scope?: ReadonlySet<number>
}

const idfOf = (index: Bm25f, terms: readonly string[]): number => terms.reduce((sum, t) => sum + index.idf(t), 0)
const maxOf = (index: Bm25f, terms: readonly string[]): number => terms.reduce((sum, t) => sum + index.maxScore(t), 0)

/** IDF of `term` among the documents of `scope` (0 when none of them has it). */
function scopedIdf(index: Bm25f, term: string, scope: ReadonlySet<number> | undefined): number {
  if (scope === undefined) return index.idf(term)
  let df = 0
  for (const d of index.postings(term)?.keys() ?? []) if (scope.has(d)) df++
  return df === 0 ? 0 : Math.log(1 + (scope.size - df + 0.5) / (df + 0.5))
}

/** Scores every group of `parsed` against `index`. */
export function matchGroups(parsed: ParsedQuery, index: Bm25f, options: MatchOptions = {}): GroupMatch {
  const total = new Map<number, number>()
  const matched = new Map<number, number>()
  const covered = new Map<number, number>()
  const scope = options.scope
  const unseen = Math.log(1 + ((scope?.size ?? index.size) + 0.5) / 0.5) // the IDF of a word in no document
  const importanceOf = (terms: readonly string[]) => terms.reduce((sum, t) => sum + scopedIdf(index, t, scope), 0)
  let weights = 0
  for (const group of parsed.groups) {
    const best = new Map<number, number>()
    const carried = new Map<number, number>()
    // When the user's own words are unknown to the catalog, their expansions are all there is.
    const [first, ...rest] = group.alternatives
    const unknown = first !== undefined && first.weight === 1 && first.terms.every((t) => index.postings(t) === undefined)
    const top = Math.max(0, ...rest.map((a) => a.weight))
    const lift = unknown && top > 0 ? 1 / top : 1
    // the word's own informativeness bounds its expansions' (not for phrases: they name a concept)
    const cap = options.capExpansions && !unknown && !group.phrase && first !== undefined ? idfOf(index, first.terms) : Infinity
    // a group weighs as its word, or as its best expansion when the word is not in the scope
    let importance = importanceOf(first?.terms ?? [])
    const fallback = importance === 0
    for (const alt of group.alternatives) {
      const altScores = new Map<number, number>()
      const found = new Map<number, number>() // how many of the alternative's terms each document has
      for (const term of alt.terms) {
        for (const [d, s] of index.postings(term) ?? []) {
          altScores.set(d, (altScores.get(d) ?? 0) + s)
          found.set(d, (found.get(d) ?? 0) + 1)
        }
      }
      if (altScores.size === 0) continue
      const idf = alt === first ? 0 : idfOf(index, alt.terms)
      if (fallback && alt !== first) importance = Math.max(importance, importanceOf(alt.terms))
      const weight = Math.min(1, alt.weight * lift) * (idf > cap ? cap / idf : 1)
      const most = maxOf(index, alt.terms)
      for (const [d, s] of altScores) {
        if (s * weight > (best.get(d) ?? 0)) best.set(d, s * weight)
        // a phrase ("get rid of") carries its group only whole, not by one of its words
        const whole = found.get(d) === alt.terms.length
        if (whole && (s / most) * weight > (carried.get(d) ?? 0)) carried.set(d, (s / most) * weight)
      }
    }
    if (importance === 0) importance = unseen
    weights += importance
    for (const [d, s] of best) {
      total.set(d, (total.get(d) ?? 0) + s)
      matched.set(d, (matched.get(d) ?? 0) + 1)
    }
    for (const [d, c] of carried) covered.set(d, (covered.get(d) ?? 0) + importance * c)
  }
  const relevance = new Map<number, number>()
  for (const [d, c] of covered) relevance.set(d, c / weights)
  return { total, matched, relevance }
}
