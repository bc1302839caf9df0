/**
 * The MCP server face: one codemode instance (sources, sandbox, catalog) shared by any number of
 * client sessions, each a low-level SDK `Server` with the `search` / `execute` tools. Transports
 * (stdio, Streamable HTTP) live in their own files and only call `createSession()`.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { CallToolRequestSchema, ListToolsRequestSchema, SetLevelRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { ApprovalHandler, BackgroundLoading, CallRecord, CodeModeOptions, ExecuteResult, SourceChange, SourceStatus } from "../runtime/codemode.js"
import type { z } from "zod"
import { CodeModeError } from "../errors.js"
import type { CatalogOptions } from "../runtime/catalog.js"
import { createCodeMode, type CodeMode } from "../runtime/codemode.js"
import { formatExecuteResult, type ShapeOptions } from "../runtime/shape.js"
import { DEFAULT_LIMITS, type Executor, type Limits } from "../sandbox/executor.js"
import type { Tool, ToolSource } from "../tools/tool.js"
import type { ServerLog, ServerLogLevel } from "./log.js"
import { argsSchemas, toolDefinitions, type ToolDefinition } from "./definitions.js"
import { createProgress, createRequestLogger, type LogLevelState, type Notify } from "./notify.js"
import { searchText } from "./search-text.js"
import { codeSearchText } from "./code-search-text.js"

/** Options of {@link createCodeModeServer}. */
export interface CodeModeServerOptions
  extends CatalogOptions,
    ShapeOptions,
    Pick<CodeModeOptions, "policy" | "runs" | "audit" | "approvalTimeoutMs" | "typecheck" | "search"> {
  /** Where the tools come from. A source that fails to load is reported to `onError` and skipped. */
  sources: ToolSource[]
  /** The sandbox backend. Default: `quickjs()`. Owned (disposed) by the server. */
  executor?: Executor
  /** Limits of every run, over `DEFAULT_LIMITS`. */
  limits?: Partial<Limits>
  /** Time between progress heartbeats of a running `execute`. Default 5,000 ms. */
  heartbeatMs?: number
  /** Name and version the server reports in `initialize`. Default "codemode", "0.0.0". */
  name?: string
  version?: string
  /** Failures with no request to answer: sources that did not load (once per change) or reload. Default: ignored. */
  onError?: (error: CodeModeError) => void
  /**
   * The server answers with the sources that loaded within `graceMs` (default 2,000 ms) and loads
   * the rest in the background, telling every session when the tool list changes; failed sources are
   * retried with backoff (`retryMinMs` 1,000 doubling to `retryMaxMs` 60,000, with jitter).
   */
  sourceLoading?: BackgroundLoading
  /** One line per event: sources loaded late, failed (once per change) or back; upstream exits and restarts. Default: none. */
  log?: ServerLog
}

/** A running codemode MCP server. */
export interface CodeModeServer {
  /** A fresh MCP protocol server for one client connection; connect it to a transport. */
  createSession(): Server
  /** The tools `tools/list` returns now. */
  definitions(): ToolDefinition[]
  /** The loaded tools. */
  tools(): Tool[]
  /** Where every source stands: loading, ready, or failed (why, and when it is retried). */
  sources(): SourceStatus[]
  /** Closes every session, then the upstream sources and the sandbox. Idempotent. */
  close(): Promise<void>
}

const text = (value: string, isError = false): CallToolResult => ({ content: [{ type: "text", text: value }], ...(isError ? { isError } : {}) })

function invalidArgs(tool: string, error: z.ZodError): CallToolResult {
  const issues = error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ")
  return text(`[codemode] [server] invalid arguments for ${tool}: ${issues}`, true)
}

/**
 * Asks the client's user about a call through MCP elicitation: a yes/no form naming the tool, its
 * arguments and the rule. Declined, cancelled or unanswered counts as a no.
 */
function elicitApproval(session: Server): ApprovalHandler {
  return async (request, signal) => {
    let args = JSON.stringify(request.args) ?? ""
    if (args.length > 1_000) args = `${args.slice(0, 999)}…`
    const answer = await session.elicitInput(
      {
        message: `The program wants to call ${request.tool}(${args}). ${request.reason}. Allow it?`,
        requestedSchema: { type: "object", properties: { approve: { type: "boolean", title: "Allow this call", default: false } }, required: ["approve"] },
      },
      { signal, timeout: 2_147_483_647 }, // bounded by approvalTimeoutMs (the signal), not the SDK's 60 s request default
    )
    return answer.action === "accept" && answer.content?.approve === true ? "approve" : "deny"
  }
}

/** How loud each kind of source change is in the log. */
const CHANGE_LEVEL: Record<SourceChange["type"], ServerLogLevel> = {
  loaded: "info",
  reloaded: "info",
  restarted: "info",
  failed: "warn",
  "reload-failed": "warn",
  disconnected: "warn",
  killed: "warn",
  "retry-failed": "debug",
}

/**
 * Loads the sources and returns the server once they are all loaded or failed, or after the grace
 * period (`sourceLoading.graceMs`); the others keep loading in the background. Never rejects because
 * of a source: one that fails is reported to `onError` and `log`, retried with backoff, and the others
 * are served. Rejects on invalid options (`CONFIG_INVALID`).
 */
export async function createCodeModeServer(options: CodeModeServerOptions): Promise<CodeModeServer> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits }
  const sessions = new Set<Server>()
  let lastListed: string | undefined
  let cm: CodeMode | undefined
  const listChanged = () => {
    if (!cm) return
    const now = JSON.stringify(definitions())
    if (lastListed !== undefined && now !== lastListed) for (const s of sessions) s.sendToolListChanged().catch(() => undefined)
    lastListed = now
  }
  cm = await createCodeMode({
    sources: options.sources,
    ...(options.executor ? { executor: options.executor } : {}),
    limits,
    background: options.sourceLoading ?? true,
    onSourceChange: (change) => {
      options.log?.(CHANGE_LEVEL[change.type], change.message)
      listChanged()
    },
    catalog: options, // the server options carry the catalog options (token budget, hit docs)
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.policy !== undefined ? { policy: options.policy } : {}),
    ...(options.runs ? { runs: options.runs } : {}),
    ...(options.audit ? { audit: options.audit } : {}),
    ...(options.approvalTimeoutMs ? { approvalTimeoutMs: options.approvalTimeoutMs } : {}),
    ...(options.typecheck !== undefined ? { typecheck: options.typecheck } : {}),
    ...(options.search !== undefined ? { search: options.search } : {}),
  })
  const codemode = cm
  // Load the declarations into the checker now, so that the first `execute` is checked warm.
  const mode = typeof options.typecheck === "string" ? options.typecheck : options.typecheck?.mode
  if (mode !== "off" && codemode.tools().length > 0) void codemode.check("return 0").catch(() => undefined)
  const definitions = () => toolDefinitions(codemode.catalog(), limits, { resume: codemode.durable, sources: codemode.sources() })
  lastListed = JSON.stringify(definitions())

  /** Runs `start` (an execute or a resume) with cancellation, progress, logging; formats what it returns. */
  async function runTool(
    start: (signal: AbortSignal, onCall: (call: CallRecord) => void) => Promise<ExecuteResult>,
    signal: AbortSignal,
    notify: Notify,
    state: LogLevelState,
    token?: string | number,
  ) {
    const run = new AbortController()
    const cancel = () => run.abort(signal.reason)
    signal.addEventListener("abort", cancel, { once: true })
    const log = createRequestLogger(state, notify)
    const progress = createProgress(notify, { ...(token === undefined ? {} : { token }), ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}) })
    try {
      const result = await start(run.signal, (call) => {
        progress.call(call)
        void log.call(call)
      })
      await log.console(result.logs)
      const formatted = formatExecuteResult(result, options)
      return text(formatted.text, formatted.isError)
    } catch (error) {
      // A bad resume token or a busy run is the model's to fix; other host failures only a retry may fix.
      if (CodeModeError.is(error, "RESUME_INVALID") || CodeModeError.is(error, "RUN_BUSY") || CodeModeError.is(error, "CONFIG_INVALID")) return text(error.message, true)
      const message = error instanceof Error ? error.message : String(error)
      await log.error(message)
      return text(`${message}\nThis is a failure of the codemode host, not of your code; retry later.`, true)
    } finally {
      progress.stop()
      signal.removeEventListener("abort", cancel)
    }
  }

  function createSession(): Server {
    const session = new Server(
      { name: options.name ?? "codemode", version: options.version ?? "0.0.0" },
      { capabilities: { tools: { listChanged: true }, logging: {} } },
    )
    const state: LogLevelState = {}
    session.setRequestHandler(SetLevelRequestSchema, async (request) => {
      state.level = request.params.level
      return {}
    })
    session.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: definitions() }))
    session.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { name, arguments: args } = request.params
      const { SearchArgsSchema, ExecuteArgsSchema, ResumeArgsSchema } = argsSchemas()
      const notify: Notify = (n) => extra.sendNotification(n)
      if (name === "search") {
        const parsed = SearchArgsSchema.safeParse(args ?? {})
        if (!parsed.success) return invalidArgs(name, parsed.error)
        const { query, code, ...rest } = parsed.data
        if (query === undefined && rest.namespace !== undefined) return text("namespace applies to a query; in code, filter t.namespace yourself.", true)
        try {
          const found = await codemode.search(query !== undefined ? { ...rest, query } : { ...rest, code: code as string }, { signal: extra.signal })
          for (const warning of found.ok ? (found.warnings ?? []) : []) options.log?.("warn", warning)
          if (query !== undefined) return text(searchText(codemode.catalog(), { ...rest, query }, found.ok ? found.hits : undefined))
          const answer = codeSearchText(found, options)
          return text(answer.text, answer.isError)
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error)
          return text(`${message}\nThis is a failure of the codemode host, not of your code; retry later.`, true)
        }
      }
      // Approvals by elicitation when the client can answer them; otherwise the run pauses and the model gets `resume`.
      const onApproval = session.getClientCapabilities()?.elicitation?.form ? elicitApproval(session) : false
      if (name === "execute") {
        const parsed = ExecuteArgsSchema.safeParse(args ?? {})
        if (!parsed.success) return invalidArgs(name, parsed.error)
        return runTool((runSignal, onCall) => codemode.execute(parsed.data.code, { signal: runSignal, onCall, onApproval }), extra.signal, notify, state, extra._meta?.progressToken)
      }
      if (name === "resume" && codemode.durable) {
        const parsed = ResumeArgsSchema.safeParse(args ?? {})
        if (!parsed.success) return invalidArgs(name, parsed.error)
        const { token, decision, decisions } = parsed.data
        return runTool(
          (runSignal, onCall) => codemode.resume(token, decision ?? decisions ?? {}, { signal: runSignal, onCall, onApproval }),
          extra.signal,
          notify,
          state,
          extra._meta?.progressToken,
        )
      }
      return text(`[codemode] [server] unknown tool "${name}": this server has ${definitions().map((d) => d.name).join(" and ")}`, true)
    })
    sessions.add(session)
    session.onclose = () => sessions.delete(session)
    return session
  }

  let closing: Promise<void> | undefined
  return {
    createSession,
    definitions,
    tools: () => codemode.tools(),
    sources: () => codemode.sources(),
    close: () =>
      (closing ??= (async () => {
        await Promise.allSettled([...sessions].map((s) => s.close()))
        await codemode.close()
      })()),
  }
}
