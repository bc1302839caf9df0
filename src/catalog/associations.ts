/**
 * Term associations mined from the catalog's own text at index time: a spec-specific thesaurus
 * learned without anyone writing it. A word found in descriptions and schema docs ("probe",
 * "website") is linked to the head terms (names, summaries, paths, tags) of the operations that
 * use it ("monitor", "zone"), by how consistently they co-occur: a head term `h` is associated with
 * a word `w` with confidence `c(w, h) / df(w)`, the share of the operations mentioning `w` whose
 * head names `h`, kept when `h` is specific (lift over its base rate) and shared by at least two
 * operations. Computed lazily per query word from the postings, so it adds nothing to index build
 * beyond one pass over the documents.
 */

/** Options of {@link createAssociations}. */
export interface AssociationOptions {
  /** Head terms returned per word. Default 3. */
  top?: number
  /** Least share of the word's operations whose head must name the term. Default 0.25. */
  minConfidence?: number
  /** Least lift of the term over its base rate among heads. Default 4. */
  minLift?: number
  /** Words in more than this share of the operations say nothing specific. Default 0.05. */
  maxShare?: number
  /**
   * Only words that name few of the operations they occur in are expanded: a word in the head of
   * more than this share of its operations ("zone", "cache") already says what it means. Default 1
   * (every word).
   */
  maxHeadShare?: number
}

/** One associated head term and its confidence (0…1). */
export interface Association {
  term: string
  confidence: number
}

/** Lookup of associated head terms. */
export interface Associations {
  /** Head terms associated with the stemmed `term`, strongest first (none for unknown or common words). */
  of(term: string): readonly Association[]
}

/**
 * Builds the association lookup from each document's head terms and all its terms (heads
 * included). `heads[d]` and `all[d]` describe the same document `d`.
 */
export function createAssociations(
  heads: readonly ReadonlySet<string>[],
  all: readonly ReadonlySet<string>[],
  options: AssociationOptions = {},
): Associations {
  const top = options.top ?? 3
  const minConfidence = options.minConfidence ?? 0.25
  const minLift = options.minLift ?? 4
  const maxShare = options.maxShare ?? 0.05
  const maxHeadShare = options.maxHeadShare ?? 1
  const n = heads.length
  const docsOf = new Map<string, number[]>()
  all.forEach((terms, d) => {
    for (const t of terms) {
      let list = docsOf.get(t)
      if (!list) docsOf.set(t, (list = []))
      list.push(d)
    }
  })
  const headDf = new Map<string, number>()
  for (const terms of heads) for (const t of terms) headDf.set(t, (headDf.get(t) ?? 0) + 1)
  const cache = new Map<string, readonly Association[]>()

  function compute(term: string): readonly Association[] {
    const docs = docsOf.get(term)
    if (!docs || docs.length < 2 || docs.length > maxShare * n) return []
    if ((headDf.get(term) ?? 0) > maxHeadShare * docs.length) return []
    const counts = new Map<string, number>()
    for (const d of docs) for (const h of heads[d] ?? []) if (h !== term) counts.set(h, (counts.get(h) ?? 0) + 1)
    const found: Association[] = []
    for (const [h, c] of counts) {
      if (c < 2) continue
      const confidence = c / docs.length
      const lift = confidence / ((headDf.get(h) ?? 1) / n)
      if (confidence >= minConfidence && lift >= minLift) found.push({ term: h, confidence })
    }
    return found.sort((a, b) => b.confidence - a.confidence || (a.term < b.term ? -1 : 1)).slice(0, top)
  }

  return {
    of(term) {
      // only catalog terms are cached, so arbitrary query words cannot grow the cache
      if (!docsOf.has(term)) return []
      let found = cache.get(term)
      if (found === undefined) cache.set(term, (found = compute(term)))
      return found
    },
  }
}
