/** The MCP server face: `search` + `execute` over stdio or Streamable HTTP. */
export { createCodeModeServer, listenHttp, measureContext } from "./lazy.js"
export type { CodeModeServer, CodeModeServerOptions } from "./server.js"
export { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_SESSIONS } from "./defaults.js"
export type { HttpEndpoint, HttpOptions } from "./http.js"
export { filterLog, type ServerLogLevel, type ServerLog } from "./log.js"
export { argsSchemas, executeAnnotations, toolDefinitions, type ToolDefinition } from "./definitions.js"
export type { ContextMeasure, MeasureOptions } from "./measure.js"
export { DEFAULT_HEARTBEAT_MS, LOGGER } from "./notify.js"
