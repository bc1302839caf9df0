export { CodeModeError, ERROR_CODES, codemodeError } from "./errors.js"
export type { CodeModeErrorCode, CodeModeErrorOptions } from "./errors.js"
export type { Tool, ToolSource, ToolOrigin, ToolAnnotations, CallContext, JSONSchema } from "./tools/tool.js"
export { defineSource } from "./tools/tool.js"
export { isIdentifier, toIdentifier, uniqueIdentifiers } from "./tools/identifiers.js"
export type { Executor, Bindings, Limits, LogLine, LogLevel, RunOutcome, RunError, RunErrorKind, RunStats } from "./sandbox/executor.js"
export { DEFAULT_LIMITS } from "./sandbox/executor.js"
export { quickjs, QUICKJS_DEFAULTS } from "./sandbox/quickjs/index.js"
export type { QuickJSOptions } from "./sandbox/quickjs/index.js"

// Runtime
export { createCodeMode } from "./runtime/codemode.js"
export type { CodeMode, CodeModeOptions, ExecuteOptions, ExecuteResult, ExecuteError, CallRecord } from "./runtime/codemode.js"
export { demoSource, DEMO_PROGRAM } from "./runtime/demo.js"
export { normalizeCode } from "./code/normalize.js"
export type { NormalizedCode, NormalizeStep, SyntaxErrorData, Location } from "./code/normalize.js"

// Tool sources
export { functions, defineFunction } from "./tools/functions.js"
export type { FunctionDef, ZodSchema } from "./tools/functions.js"
export { openapi } from "./tools/openapi/index.js"
export type { OpenApiOptions, OpenApiAuth, SecretValue } from "./tools/openapi/index.js"
export { mcp } from "./tools/mcp/index.js"
export type { McpOptions, McpSource, McpServerConfig, McpStdioConfig, McpHttpConfig } from "./tools/mcp/index.js"
export { loadConfig, parseConfig } from "./tools/config.js"
export { filterTools } from "./tools/filter.js"
export type { ToolFilter } from "./tools/filter.js"

// Declarations and search
export { generateDeclarations, buildDeclarations, renderToolSignature } from "./types/index.js"
export type { Declarations, DeclarationOptions } from "./types/index.js"
export { createSearchIndex } from "./catalog/search.js"
export type { SearchHit, SearchIndex, SearchOptions } from "./catalog/search.js"

// What the model sees, the MCP server face and the token report
export { createCatalog, createCatalogCache, DEFAULT_TOKEN_BUDGET } from "./runtime/catalog.js"
export type { Catalog, CatalogCache, CatalogHit, CatalogOptions, CatalogSearchOptions } from "./runtime/catalog.js"
export { formatExecuteResult, formatExecuteError, shapeValue, summarizeCalls, DEFAULT_MAX_RESULT_CHARS } from "./runtime/shape.js"
export type { ShapeOptions, ShapedValue, FormattedResult } from "./runtime/shape.js"
export { createCodeModeServer, listenHttp, measureContext, toolDefinitions } from "./server/index.js"
export type { CodeModeServer, CodeModeServerOptions, HttpEndpoint, HttpOptions, ContextMeasure, ToolDefinition } from "./server/index.js"
export { naiveToolsFromOpenApi, naiveToolsFromMcp } from "./catalog/naive.js"
export { tokenReport } from "./catalog/tokens.js"
export type { TokenReport } from "./catalog/tokens.js"
