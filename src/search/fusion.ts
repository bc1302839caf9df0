/**
 * Reciprocal-rank fusion (Cormack, Clarke and Büttcher, 2009): each ranking gives an item
 * 1 / (k + rank); items are ordered by the sum. It needs no score calibration between rankings,
 * which lexical BM25 scores and embedding cosines do not share.
 */

/** The usual constant: it damps the difference between the first few ranks. */
export const RRF_K = 60

/** The items of `rankings` (best first in each) ordered by their fused score, best first; ties keep first-seen order. */
export function reciprocalRankFusion<T>(rankings: ReadonlyArray<readonly T[]>, k = RRF_K): Array<{ item: T; score: number }> {
  const scores = new Map<T, number>()
  for (const ranking of rankings) {
    ranking.forEach((item, i) => scores.set(item, (scores.get(item) ?? 0) + 1 / (k + i + 1)))
  }
  return [...scores].map(([item, score]) => ({ item, score })).sort((a, b) => b.score - a.score)
}
