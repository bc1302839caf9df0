/** The catalog: ranked tool search and rendering of its hits. */
export {
  createSearchIndex,
  DEFAULT_FIELD_PARAMS,
  DEFAULT_SEARCH_LIMIT,
  type SearchHit,
  type SearchIndex,
  type SearchIndexOptions,
  type SearchOptions,
} from "./search.js"
export { renderHits, type RenderedHit, type RenderHitsOptions } from "./render.js"
export type { ExpansionOptions, ParsedQuery, QueryGroup, Alternative } from "./query.js"
export type { ThesaurusEntry } from "./thesaurus.js"
export type { FieldParams } from "./bm25.js"
export type { Action } from "./synonyms.js"
export { analyze, splitWords, stem } from "./tokenize.js"
