/**
 * `codemode/catalog`: what a model sees of a tool list, without a codemode instance: the TypeScript
 * declarations, one tool's signature, the ranked search, and the catalog that picks between them.
 */
export { generateDeclarations, buildDeclarations, renderToolSignature } from "./types/declarations.js"
export type { Declarations, DeclarationOptions, ToolSignatureOptions } from "./types/declarations.js"
export { createSearchIndex, type SearchHit, type SearchIndex, type SearchIndexOptions, type SearchOptions } from "./search/search.js"
export { createCatalog } from "./runtime/catalog.js"
export { isIdentifier, toIdentifier, uniqueIdentifiers } from "./tools/identifiers.js"
export type { ToolView, ParameterView } from "./search/view.js"
