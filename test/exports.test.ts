/**
 * The package's public surface: every name (value or type) of the root export and of each subpath
 * export in package.json "exports". The lists below change only on purpose: a name added to or
 * removed from an entry fails here until it is written down.
 */
import { readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

const SURFACE: Record<string, string[]> = {
  ".": [
    "Agent", "AgentEvent", "AgentEventListener", "AgentOptions", "AgentReply", "ChatMessage", "SendOptions", "TokenCount",
    "ApprovalHandler", "ApprovalRequest", "AuditEntry", "AuditLog", "AuditLogOptions", "BackgroundLoading", "Bindings", "CallContext", "CallRecord",
    "Catalog", "CatalogHit", "CatalogOptions", "CatalogSearchOptions", "CodeMode", "CodeModeError", "CodeModeErrorCode", "CodeModeErrorOptions",
    "CodeModeOptions", "DEFAULT_LIMITS", "DocMode", "DoneResult", "ERROR_CODES", "EmbeddingsOptions", "ExecuteError", "ExecuteOptions", "ExecuteResult", "Executor",
    "FailedResult", "FunctionDef", "JSONSchema", "Limits", "LogLevel", "LogLine", "McpHttpConfig", "McpOptions", "McpServerConfig", "McpSource",
    "McpStdioConfig", "NamespaceInfo", "OpenApiAuth", "OpenApiOptions", "PartialResult", "PausedResult", "PendingApproval", "Policy",
    "PolicyAction", "PolicyDecision", "PolicyOptions", "PolicyRule", "QuickJSOptions", "ResultCut", "ResumeDecisions", "RunError",
    "RunErrorKind", "RunOutcome", "RunStats", "RunStore", "RunSummary", "RunsOptions", "SearchFailed", "SearchFound", "SearchRequest",
    "SearchRequestOptions", "SearchResult", "SearchSettings", "SecretValue", "SourceChange", "SourceEvent",
    "SourceStatus", "Tool", "ToolAnnotations", "ToolFilter", "ToolOrigin", "ToolQuota", "ToolSource", "TypeDiagnostic", "TypecheckMode",
    "TypecheckOption", "TypecheckReport", "ValidatedSchema", "ValidationResult", "ZodSchema", "codemodeError", "createCodeMode", "defineFunction", "defineSource", "demoSource",
    "filterTools", "functions", "loadConfig", "mcp", "openapi", "parseConfig", "quickjs",
    "LoggedStateChange", "Procedure", "ProcedureSummary", "ProceduresApi", "ProceduresOptions", "SaveProcedure", "StateChange", "StateOptions",
    "StateSource", "StateWatch", "WatchStateOptions", "state", "watchState",
  ],
  "./server": [
    "CodeModeServer", "CodeModeServerOptions", "DEFAULT_HEARTBEAT_MS", "DEFAULT_IDLE_TIMEOUT_MS", "DEFAULT_MAX_RESULT_CHARS", "DEFAULT_MAX_SESSIONS",
    "DEFAULT_TOKEN_BUDGET", "DEFAULT_TOP_HIT_TOKENS", "FormattedResult", "HttpEndpoint", "HttpOptions", "LOG_LEVELS", "ServerLog", "ServerLogLevel",
    "ShapeOptions", "ToolAnswer", "ToolCallOptions", "ToolDefinition", "answerToolCall", "createCodeModeServer", "filterLog", "formatExecuteError",
    "formatExecuteResult", "listenHttp", "modelToolDefinitions", "toolDefinitions",
  ],
  "./catalog": [
    "DeclarationOptions", "Declarations", "ParameterView", "SearchHit", "SearchIndex", "SearchIndexOptions", "SearchOptions", "ToolSignatureOptions", "ToolView", "buildDeclarations",
    "createCatalog", "createSearchIndex", "generateDeclarations", "isIdentifier", "renderToolSignature", "toIdentifier", "uniqueIdentifiers",
  ],
  "./tokens": [
    "ContextFigures", "ContextMeasure", "MAX_NAIVE_CHARS", "MeasureOptions", "NaiveOptions", "NaiveTool", "NaiveTooLarge", "SourceNaive", "TokenReport",
    "formatTokenReport", "measureContext", "naiveListFromOpenApi", "naiveToolsFromMcp", "naiveToolsFromOpenApi", "tokenReport",
  ],
  "./ai": ["AI_INSTALL_COMMAND", "AdapterOptions", "CodeModeToolError", "CodeModeToolSet", "aiTools", "codeModeTools"],
  "./openai": [
    "AdapterOptions", "ChatFunctionTool", "ChatToolCallsMessage", "ChatToolMessage", "FunctionCallOutput", "ResponsesFunctionTool", "ResponsesOutput",
    "chatTools", "responsesTools", "runChatToolCalls", "runResponsesToolCalls",
  ],
  "./anthropic": ["AdapterOptions", "AnthropicTool", "ToolResultBlock", "ToolResultMessage", "ToolUseMessage", "anthropicTools", "runToolUses"],
  "./store": [
    "FILE_STORE_DEFAULTS", "FileStoreOptions", "REDIS_INSTALL_COMMAND", "REDIS_STORE_DEFAULTS", "RedisStoreOptions", "RunStore", "STORE_KEY",
    "StoreSetOptions", "defineStore", "fileStore", "memoryStore", "redisStore",
  ],
  "./testing": ["Script", "ScriptedApi", "ScriptedMessage", "ScriptedModelOptions", "ScriptedModelServer", "ScriptedRequest", "ScriptedToolCall", "ScriptedTurn", "scriptedModelServer"],
}

/** The source file of an export: `./dist/x/index.js` is built from `src/x/index.ts`. */
function sourceOf(target: string): string {
  return path.join(ROOT, target.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"))
}

const exportsField = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { exports: Record<string, { import: string; types: string }> }).exports

describe("the package's exports", () => {
  const entries = Object.entries(exportsField).map(([subpath, target]) => [subpath, sourceOf(target.import)] as const)
  const program = ts.createProgram(entries.map(([, file]) => file), { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true })
  const checker = program.getTypeChecker()
  const names = (file: string): string[] => {
    const source = program.getSourceFile(file)
    const symbol = source && checker.getSymbolAtLocation(source)
    if (!symbol) throw new Error(`${file} is not a module`)
    return checker.getExportsOfModule(symbol).map((s) => s.name).sort()
  }

  it("has exactly the subpaths listed here, each with its types beside its module", () => {
    expect(Object.keys(exportsField).sort()).toEqual(Object.keys(SURFACE).sort())
    for (const target of Object.values(exportsField)) expect(target.types).toBe(target.import.replace(/\.js$/, ".d.ts"))
  })

  for (const [subpath, expected] of Object.entries(SURFACE)) {
    it(`"codemode${subpath === "." ? "" : subpath.slice(1)}" exports exactly its listed names`, () => {
      const entry = entries.find(([s]) => s === subpath)
      expect(entry, subpath).toBeDefined()
      expect(names(entry![1])).toEqual([...expected].sort())
    })
  }

  it("keeps the tuning knobs out of every export", () => {
    for (const list of Object.values(SURFACE)) expect(list.filter((n) => /QUICKJS_DEFAULTS|tunedQuickjs|QuickJSTuning/.test(n))).toEqual([])
  })
})
