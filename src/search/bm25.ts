/**
 * BM25F over fielded documents: each field has a weight and its own length normalisation; the
 * weighted term frequencies are summed before saturation (Robertson & Zaragoza, "The Probabilistic
 * Relevance Framework: BM25 and Beyond", 2009). Term scores depend only on (term, document), so
 * they are computed once at build time and a query only adds them up.
 */

/** Per-field weight and length normalisation. */
export interface FieldParams {
  /** How much one occurrence in this field counts. */
  weight: number
  /** Length normalisation, 0 (none) … 1 (full). */
  b: number
}

/** Options of {@link createBm25f}. */
export interface Bm25fOptions<F extends string> {
  /** Parameters of each field; fields not listed are ignored. */
  fields: Readonly<Record<F, FieldParams>>
  /** Term-frequency saturation. Default 1.2. */
  k1?: number
}

/** A built BM25F index: per-term document scores. */
export interface Bm25f {
  /** Number of documents. */
  readonly size: number
  /** The BM25F score of `term` in each document that contains it (document index → score). */
  postings(term: string): ReadonlyMap<number, number> | undefined
  /** Inverse document frequency of `term` (0 when unknown). */
  idf(term: string): number
  /** The most `term` can score in a document: its score as the term frequency grows without bound (0 when unknown). */
  maxScore(term: string): number
}

/** Builds a BM25F index over `documents` (one record of field → terms per document). */
export function createBm25f<F extends string>(
  documents: readonly Readonly<Record<F, readonly string[]>>[],
  options: Bm25fOptions<F>,
): Bm25f {
  const k1 = options.k1 ?? 1.2
  const fields = Object.keys(options.fields) as F[]
  const n = documents.length
  const avgLength = new Map<F, number>()
  for (const f of fields) {
    let total = 0
    for (const doc of documents) total += doc[f].length
    avgLength.set(f, n === 0 ? 1 : Math.max(total / n, 1))
  }
  // term → document → weighted, length-normalised term frequency
  const weighted = new Map<string, Map<number, number>>()
  documents.forEach((doc, d) => {
    for (const f of fields) {
      const { weight, b } = options.fields[f]
      const terms = doc[f]
      if (weight === 0 || terms.length === 0) continue
      const norm = 1 - b + (b * terms.length) / (avgLength.get(f) ?? 1)
      for (const term of terms) {
        let perDoc = weighted.get(term)
        if (!perDoc) weighted.set(term, (perDoc = new Map()))
        perDoc.set(d, (perDoc.get(d) ?? 0) + weight / norm)
      }
    }
  })
  const idfs = new Map<string, number>()
  const scores = new Map<string, Map<number, number>>()
  for (const [term, perDoc] of weighted) {
    const df = perDoc.size
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5))
    idfs.set(term, idf)
    const termScores = new Map<number, number>()
    for (const [d, tf] of perDoc) termScores.set(d, (idf * tf * (k1 + 1)) / (k1 + tf))
    scores.set(term, termScores)
  }
  return {
    size: n,
    postings: (term) => scores.get(term),
    idf: (term) => idfs.get(term) ?? 0,
    maxScore: (term) => (idfs.get(term) ?? 0) * (k1 + 1),
  }
}
