/**
 * The MCP server face: one codemode instance (sources, sandbox, catalog) shared by any number of
 * client sessions, each a low-level SDK `Server` with the `search` / `execute` tools. Transports
 * (stdio, Streamable HTTP) live in their own files and only call `createSession()`.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { CallToolRequestSchema, ListToolsRequestSchema, SetLevelRequestSchema, type CallToolResult, type RequestId } from "@modelcontextprotocol/sdk/types.js"
import type { ApprovalHandler, BackgroundLoading, CodeModeOptions, SourceChange, SourceStatus } from "../runtime/codemode.js"
import { CodeModeError } from "../errors.js"
import type { CatalogOptions } from "../runtime/catalog.js"
import { createCodeMode, type CodeMode } from "../runtime/codemode.js"
import type { ShapeOptions } from "../runtime/shape.js"
import { DEFAULT_LIMITS, type Executor, type Limits } from "../sandbox/executor.js"
import type { Tool, ToolSource } from "../tools/tool.js"
import type { ServerLog, ServerLogLevel } from "./log.js"
import type { ToolDefinition } from "./definitions.js"
import { answerToolCall, modelToolDefinitions } from "./model-tools.js"
import { createProgress, createRequestLogger, type LogLevelState, type Notify } from "./notify.js"

/** Options of {@link createCodeModeServer}. */
export interface CodeModeServerOptions
  extends CatalogOptions,
    ShapeOptions,
    Pick<CodeModeOptions, "policy" | "runs" | "audit" | "approvalTimeoutMs" | "typecheck" | "search" | "procedures"> {
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

/**
 * Asks the client's user about a call through MCP elicitation: a yes/no form naming the tool, its
 * arguments and the rule. Declined, cancelled or unanswered counts as a no.
 */
function elicitApproval(session: Server, requestId: RequestId): ApprovalHandler {
  return async (request, signal) => {
    let args = JSON.stringify(request.args) ?? ""
    if (args.length > 1_000) args = `${args.slice(0, 999)}…`
    const answer = await session.elicitInput(
      {
        message: `The program wants to call ${request.tool}(${args}). ${request.reason}. Allow it?`,
        requestedSchema: { type: "object", properties: { approve: { type: "boolean", title: "Allow this call", default: false } }, required: ["approve"] },
      },
      // On the stream of the tools/call it belongs to (a client need not open the optional GET stream);
      // bounded by approvalTimeoutMs (the signal), not the SDK's 60 s request default.
      { signal, timeout: 2_147_483_647, relatedRequestId: requestId },
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
  const initialized = new Set<Server>()
  let lastListed: string | undefined
  let cm: CodeMode | undefined
  const listChanged = () => {
    if (!cm) return
    const now = JSON.stringify(definitions())
    if (lastListed !== undefined && now !== lastListed) for (const s of initialized) s.sendToolListChanged().catch(() => undefined)
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
    ...(options.procedures ? { procedures: options.procedures } : {}),
    ...(options.search !== undefined ? { search: options.search } : {}),
  })
  const codemode = cm
  // Load the declarations into the checker now, so that the first `execute` is checked warm.
  const mode = typeof options.typecheck === "string" ? options.typecheck : options.typecheck?.mode
  if (mode !== "off" && codemode.tools().length > 0) void codemode.check("return 0").catch(() => undefined)
  const definitions = () => modelToolDefinitions(codemode)
  lastListed = JSON.stringify(definitions())

  /** Answers one tool call with cancellation, progress and logging (search, execute, resume: model-tools.ts). */
  async function answer(name: string, args: unknown, onApproval: ApprovalHandler | false, signal: AbortSignal, notify: Notify, state: LogLevelState, token?: string | number) {
    const run = new AbortController()
    const cancel = () => run.abort(signal.reason)
    signal.addEventListener("abort", cancel, { once: true })
    const log = createRequestLogger(state, notify)
    const progress = createProgress(notify, { ...(token === undefined ? {} : { token }), ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}) })
    try {
      const answered = await answerToolCall(codemode, name, args, {
        ...options, // the shape options: result and log budgets
        origin: "server",
        signal: run.signal,
        onApproval,
        onCall: (call) => {
          progress.call(call)
          void log.call(call)
        },
      })
      if (answered.result) await log.console(answered.result.logs)
      if (answered.hostFailure) await log.error(answered.hostFailure)
      for (const warning of answered.warnings ?? []) options.log?.("warn", warning)
      return text(answered.text, answered.isError)
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
      const notify: Notify = (n) => extra.sendNotification(n)
      // Approvals by elicitation when the client can answer them; otherwise the run pauses and the model gets `resume`.
      const onApproval = session.getClientCapabilities()?.elicitation?.form ? elicitApproval(session, extra.requestId) : false
      return answer(request.params.name, request.params.arguments, onApproval, extra.signal, notify, state, extra._meta?.progressToken)
    })
    sessions.add(session)
    // Told of tool list changes once initialized (a notification may not come before the initialize result).
    session.oninitialized = () => initialized.add(session)
    session.onclose = () => {
      sessions.delete(session)
      initialized.delete(session)
    }
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
