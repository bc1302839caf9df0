/**
 * `codemode/server`: the MCP server face (search + execute over stdio or Streamable HTTP), its tool
 * definitions, and how it shapes an execute result into text for a model, for building another face.
 */
export { createCodeModeServer, listenHttp } from "./lazy.js"
export type { CodeModeServer, CodeModeServerOptions } from "./server.js"
export { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_SESSIONS } from "./defaults.js"
export type { HttpEndpoint, HttpOptions } from "./http.js"
export { filterLog, LOG_LEVELS, type ServerLogLevel, type ServerLog } from "./log.js"
export { toolDefinitions, type ToolDefinition } from "./definitions.js"
export { DEFAULT_HEARTBEAT_MS } from "./notify.js"
export { DEFAULT_TOKEN_BUDGET, DEFAULT_TOP_HIT_TOKENS } from "../runtime/catalog.js"
export { formatExecuteResult, formatExecuteError, DEFAULT_MAX_RESULT_CHARS } from "../runtime/shape.js"
export type { ShapeOptions, FormattedResult } from "../runtime/shape.js"
export { answerToolCall, modelToolDefinitions, type ToolAnswer, type ToolCallOptions } from "./model-tools.js"
