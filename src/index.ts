/**
 * `codemode`: the factories, the tool sources, the errors and the option and result types. What only
 * a few need lives behind subpath exports: `codemode/server` (the MCP server face), `codemode/catalog`
 * (declarations and search over a tool list), `codemode/tokens` (the token report), `codemode/store`
 * (run stores). test/exports.test.ts lists every name, so the surface changes only on purpose.
 */
export { CodeModeError, ERROR_CODES, codemodeError } from "./errors.js"
export type { CodeModeErrorCode, CodeModeErrorOptions } from "./errors.js"

// Runtime
export { createCodeMode } from "./runtime/codemode.js"
export type { CodeMode, CodeModeOptions, ExecuteOptions, ExecuteResult, ExecuteError, CallRecord } from "./runtime/codemode.js"
export type { DoneResult, FailedResult, PausedResult, ApprovalHandler, ApprovalRequest } from "./runtime/codemode.js"
export type { BackgroundLoading, SourceChange, SourceStatus } from "./runtime/codemode.js"
export type { SearchRequest, SearchRequestOptions, SearchResult, SearchFound, SearchFailed, SearchSettings } from "./runtime/codemode.js"
export type { EmbeddingsOptions } from "./search/embeddings.js"
export type { Catalog, CatalogHit, CatalogOptions, CatalogSearchOptions, NamespaceInfo } from "./runtime/catalog.js"
export type { Policy, PolicyOptions, PolicyRule, PolicyAction, PolicyDecision, ToolQuota } from "./runtime/policy.js"
export type { RunsOptions, ResumeDecisions, RunSummary } from "./runtime/run-book.js"
export type { PendingApproval } from "./runtime/journal.js"
export type { AuditEntry, AuditLogOptions, AuditLog } from "./runtime/audit.js"
export type { TypecheckMode, TypecheckOption, TypecheckReport, TypeDiagnostic } from "./code/typecheck/options.js"
export type { RunStore } from "./store/store.js"
export type { DocMode } from "./types/jsdoc.js"

// The agent (cm.agent(): a chat loop with any OpenAI-compatible endpoint; needs the optional `openai` package)
export type { Agent, AgentOptions, SendOptions, ChatMessage } from "./integrations/agent/agent.js"
export type { AgentEvent, AgentEventListener, TokenCount } from "./integrations/agent/events.js"
export type { AgentReply } from "./integrations/agent/loop.js"

// Sandbox
export { quickjs } from "./sandbox/quickjs/index.js"
export type { QuickJSOptions } from "./sandbox/quickjs/index.js"
export { DEFAULT_LIMITS } from "./sandbox/executor.js"
export type { Executor, Bindings, Limits, LogLine, LogLevel, RunOutcome, RunError, RunErrorKind, RunStats, ResultCut, PartialResult } from "./sandbox/executor.js"

// Tool sources
export type { Tool, ToolSource, ToolOrigin, ToolAnnotations, CallContext, JSONSchema, SourceEvent } from "./tools/tool.js"
export { defineSource } from "./tools/tool.js"
export { functions, defineFunction } from "./tools/functions.js"
export type { FunctionDef, ZodSchema, ValidatedSchema, ValidationResult } from "./tools/functions.js"
export { openapi } from "./tools/openapi/index.js"
export type { OpenApiOptions, OpenApiAuth, SecretValue } from "./tools/openapi/index.js"
export { mcp } from "./tools/mcp/index.js"
export type { McpOptions, McpSource, McpServerConfig, McpStdioConfig, McpHttpConfig } from "./tools/mcp/index.js"
export { state } from "./tools/state/source.js"
export type { StateOptions, StateSource } from "./tools/state/source.js"
export type { Change as StateChange, LoggedChange as LoggedStateChange } from "./tools/state/database.js"
export { watchState } from "./tools/state/events.js"
export type { WatchStateOptions, StateWatch } from "./tools/state/events.js"
export type { Procedure, ProcedureSummary, ProceduresApi, ProceduresOptions, SaveProcedure } from "./runtime/procedures/procedures.js"
export { loadConfig, parseConfig } from "./tools/config.js"
export { filterTools } from "./tools/filter.js"
export type { ToolFilter } from "./tools/filter.js"
export { demoSource } from "./tools/demo.js"
