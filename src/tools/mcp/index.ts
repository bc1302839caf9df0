export { mcp, DEFAULT_MCP_OPTIONS } from "./source.js"
export type { McpOptions, McpSource, McpStatus } from "./source.js"
export type { McpServerConfig, McpStdioConfig, McpHttpConfig, McpTransportKind, McpStderr } from "./connection.js"
