/** The MCP server face: `search` + `execute` over stdio or Streamable HTTP. */
export { createCodeModeServer, listenHttp, measureContext } from "./lazy.js"
export type { CodeModeServer, CodeModeServerOptions } from "./server.js"
export type { HttpEndpoint, HttpOptions } from "./http.js"
export { argsSchemas, executeAnnotations, toolDefinitions, type ToolDefinition } from "./definitions.js"
export type { ContextMeasure, MeasureOptions } from "./measure.js"
export { DEFAULT_HEARTBEAT_MS, LOGGER } from "./notify.js"
