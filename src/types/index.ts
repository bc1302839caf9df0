export type { Declarations, DeclarationOptions, ToolSignatureOptions } from "./declarations.js"
export { buildDeclarations, generateDeclarations, renderToolSignature } from "./declarations.js"
export type { DocMode } from "./jsdoc.js"
export { toPascalCase } from "./names.js"
