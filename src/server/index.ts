/** The MCP server face: `search` + `execute` over stdio or Streamable HTTP. */
export { createCodeModeServer, type CodeModeServer, type CodeModeServerOptions } from "./server.js"
export { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_SESSIONS, listenHttp, type HttpEndpoint, type HttpOptions } from "./http.js"
export { filterLog, type ServerLogLevel, type ServerLog } from "./log.js"
export { ExecuteArgsSchema, SearchArgsSchema, executeAnnotations, toolDefinitions, type ToolDefinition } from "./definitions.js"
export { measureContext, type ContextMeasure, type MeasureOptions } from "./measure.js"
export { DEFAULT_HEARTBEAT_MS, LOGGER } from "./notify.js"
