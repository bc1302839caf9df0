/**
 * `mcp(namespace, config)`: an MCP server's tools as a {@link ToolSource}. Connects lazily, follows
 * `tools/list_changed`, restarts a server that died or hung on the next call.
 */
import type { CallToolResult, Tool as McpTool } from "@modelcontextprotocol/sdk/types.js"
import { codemodeError, type CodeModeError } from "../../errors.js"
import { isIdentifier, uniqueIdentifiers } from "../identifiers.js"
import type { CallContext, SourceEvent, Tool, ToolAnnotations, ToolSource } from "../tool.js"
import { openConnection, type Connection, type McpServerConfig, type McpStderr, type McpTransportKind } from "./connection.js"
import { connectFailure, mapFailure, stderrNote } from "./errors.js"
import { createOutputCheck } from "./output.js"
import { errorText, resultValue } from "./results.js"
import { validateServerConfig } from "./validate.js"

export interface McpOptions {
  /** Longest a single `tools/call` (and `tools/list`) may take; then it fails with `TOOL_TIMEOUT`. Default 60_000. */
  callTimeoutMs?: number
  /** Longest starting the server and the `initialize` handshake may take. Default 30_000. */
  connectTimeoutMs?: number
  /**
   * After a timeout or a transport error the server is pinged; no answer within this time means it
   * hung, so it is killed (stdio) or dropped (HTTP) and the next call starts a fresh one. Default 5_000.
   */
  pingTimeoutMs?: number
  /** A stdio server's stderr: kept (last 4 KB, quoted in errors), passed to the host's stderr, or dropped. Default "capture". */
  stderr?: McpStderr
}

export const DEFAULT_MCP_OPTIONS: Required<McpOptions> = {
  callTimeoutMs: 60_000,
  connectTimeoutMs: 30_000,
  pingTimeoutMs: 5_000,
  stderr: "capture",
}

/** A snapshot of an MCP source's connection, for diagnostics and status displays. */
export interface McpStatus {
  state: "idle" | "connecting" | "connected" | "closed"
  transport?: McpTransportKind
  /** The stdio child's process id while connected. */
  pid?: number
  /** Successful connections so far; more than 1 means the server was restarted or reconnected. */
  connects: number
}

/** An MCP tool source; unlike a bare {@link ToolSource}, list-change and event listeners and `close` are always there. */
export interface McpSource extends ToolSource {
  readonly kind: "mcp"
  onToolsChanged(listener: () => void): () => void
  /** The server exited or hung up on its own ("disconnected"), stopped answering and was killed ("killed"), was started again ("restarted"). */
  onEvent(listener: (event: SourceEvent) => void): () => void
  /**
   * The config's credential-bearing values: every stdio `env` value of at least 6 characters (which of
   * them are credentials cannot be known, so all are taken; shorter ones would only redact ordinary
   * words) and every HTTP `headers` value. Never rejects.
   */
  secrets(): Promise<string[]>
  /**
   * Closes the session; a stdio child gets stdin closed, then SIGTERM, then SIGKILL (2 s apart, by the
   * SDK). A server still starting is given up at once (a stdio child is killed). Idempotent.
   */
  close(): Promise<void>
  status(): McpStatus
}

// Shorter env values (ports, flags, "true") are not credentials worth redacting.
const MIN_ENV_SECRET_LENGTH = 6

/** Credentials a URL carries: its password and its query values (`?api_key=…`), long enough to be one. */
function urlSecrets(url: string | URL): string[] {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return []
  }
  return [decodeURIComponent(parsed.password), ...parsed.searchParams.values()].filter((v) => v.length >= MIN_ENV_SECRET_LENGTH)
}

// A server that keeps sending cursors is broken; stop rather than loop forever.
const MAX_PAGES = 1_000

/**
 * An MCP server as a tool source. Nothing starts until {@link ToolSource.load} or a call.
 *
 * @param namespace A JS identifier, the `codemode.<namespace>` the tools appear under.
 * @param config `{ command, args?, env?, cwd? }` (stdio) or `{ url, headers?, transport? }` (HTTP), plus {@link McpOptions}.
 * @throws CodeModeError `CONFIG_INVALID` when the namespace or config is malformed.
 * @example
 * const memory = mcp("memory", { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] })
 * const tools = await memory.load() // [{ name: "create_entities", … }, …]
 */
export function mcp(namespace: string, config: McpServerConfig & McpOptions): McpSource {
  const origin = `mcp:${namespace}`
  if (!isIdentifier(namespace)) {
    throw codemodeError("CONFIG_INVALID", origin, `namespace ${JSON.stringify(namespace)} is not a JS identifier; use e.g. toIdentifier(name)`)
  }
  const server = validateServerConfig(config, origin)
  const opts: Required<McpOptions> = {
    callTimeoutMs: config.callTimeoutMs ?? DEFAULT_MCP_OPTIONS.callTimeoutMs,
    connectTimeoutMs: config.connectTimeoutMs ?? DEFAULT_MCP_OPTIONS.connectTimeoutMs,
    pingTimeoutMs: config.pingTimeoutMs ?? DEFAULT_MCP_OPTIONS.pingTimeoutMs,
    stderr: config.stderr ?? DEFAULT_MCP_OPTIONS.stderr,
  }
  const target = "command" in server ? JSON.stringify([server.command, ...(server.args ?? [])].join(" ")) : server.url

  let live: Connection | undefined
  let pending: Promise<Connection> | undefined
  let checking: Promise<void> | undefined
  let refreshing: Promise<void> | undefined
  let tools: Tool[] = []
  let connects = 0
  let closing: Promise<void> | undefined
  const retiring = new Set<Promise<void>>()
  const listeners = new Set<() => void>()
  const eventListeners = new Set<(event: SourceEvent) => void>()
  /** Connections whose loss was reported (a crash shows up as a failed call and as a close). */
  const lost = new WeakSet<Connection>()
  /** Aborted by close(): a server still starting is given up. */
  const stopping = new AbortController()
  const checkOutput = createOutputCheck()

  const closedError = () => codemodeError("CLOSED", origin, "this MCP source was closed; create a new one with mcp()")

  /** The live connection, (re)starting the server when there is none. Concurrent callers share one start. */
  async function connection(): Promise<Connection> {
    if (closing) throw closedError()
    if (checking) await checking
    if (live && !live.closed) return live
    pending ??= start().finally(() => {
      pending = undefined
    })
    return pending
  }

  async function start(): Promise<Connection> {
    if (live) retire(live)
    let conn: Connection | undefined
    try {
      conn = await openConnection(server, {
        connectTimeoutMs: opts.connectTimeoutMs,
        stderr: opts.stderr,
        onClose: () => {
          if (!conn || live !== conn) return
          live = undefined // the next call restarts the server
          reportLoss(conn, "disconnected", `the MCP server ${target} exited or closed the connection${stderrNote(conn.stderrTail())}; it is restarted on the next call`)
        },
        onError: () => {
          if (conn) healthCheck(conn)
        },
        onToolsChanged: () => toolsChanged(),
        signal: stopping.signal,
      })
    } catch (error) {
      throw connectFailure(error, origin, target, opts.connectTimeoutMs)
    }
    if (closing) {
      await conn.close()
      throw closedError()
    }
    const before = tools.map((t) => t.origin?.originalName).join("\n")
    try {
      tools = buildTools(await listAll(conn))
    } catch (error) {
      retire(conn, true) // it connected but cannot list its tools: not worth a graceful goodbye
      throw error
    }
    live = conn
    connects++
    if (connects > 1) emit({ type: "restarted", message: `connected to the MCP server ${target} again (connection ${connects}${conn.pid ? `, pid ${conn.pid}` : ""})` })
    // A restarted server may offer other tools: tell listeners, as a list_changed would.
    if (connects > 1 && tools.map((t) => t.origin?.originalName).join("\n") !== before) notify()
    return conn
  }

  /** Closes a connection in the background; `close()` waits for it. */
  function retire(conn: Connection, kill = false): void {
    if (live === conn) live = undefined
    const done = conn.close({ kill }).finally(() => retiring.delete(done))
    retiring.add(done)
  }

  /** Pings a connection that timed out or reported trouble; no answer in time → kill it. */
  function healthCheck(conn: Connection): void {
    if (checking || conn.closed || live !== conn) return
    checking = conn.client
      .ping({ timeout: opts.pingTimeoutMs })
      .then(
        () => undefined,
        () => {
          reportLoss(conn, "killed", `the MCP server ${target} did not answer a ping within ${opts.pingTimeoutMs} ms: killed it; it is restarted on the next call`)
          retire(conn, true)
        },
      )
      .finally(() => {
        checking = undefined
      })
  }

  async function listAll(conn: Connection): Promise<McpTool[]> {
    if (!conn.client.getServerCapabilities()?.tools) return [] // a prompts- or resources-only server
    const byName = new Map<string, McpTool>()
    const seen = new Set<string>()
    let cursor: string | undefined
    for (let page = 0; page < MAX_PAGES; page++) {
      let result
      try {
        result = await conn.client.listTools(cursor === undefined ? undefined : { cursor }, { timeout: opts.callTimeoutMs })
      } catch (error) {
        throw mapFailure(error, origin, "tools/list", { aborted: false, timeoutMs: opts.callTimeoutMs, stderr: conn.stderrTail() }).error
      }
      for (const tool of result.tools) if (!byName.has(tool.name)) byName.set(tool.name, tool)
      cursor = result.nextCursor
      if (cursor === undefined || cursor === "") return [...byName.values()]
      if (seen.has(cursor)) break
      seen.add(cursor)
    }
    throw codemodeError("SOURCE_UNAVAILABLE", origin, `the server's tools/list pagination does not end (cursor repeated or more than ${MAX_PAGES} pages)`)
  }

  function buildTools(list: McpTool[]): Tool[] {
    const names = uniqueIdentifiers(list.map((t) => t.name))
    return list.map((t, i): Tool => {
      const name = names[i] ?? t.name
      const annotations: ToolAnnotations | undefined =
        t.annotations || t.title ? { ...t.annotations, ...(t.title && !t.annotations?.title ? { title: t.title } : {}) } : undefined
      return {
        name,
        namespace,
        ...(t.description ? { description: t.description } : {}),
        inputSchema: t.inputSchema,
        ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}),
        ...(annotations ? { annotations } : {}),
        origin: { kind: "mcp", originalName: t.name },
        call: (args, ctx) => callTool(t, name, args, ctx),
      }
    })
  }

  async function callTool(def: McpTool, name: string, args: unknown, ctx: CallContext, retried = false): Promise<unknown> {
    const originalName = def.name
    const what = `tool "${namespace}.${name}"${name === originalName ? "" : ` (MCP name "${originalName}")`}`
    if (args !== undefined && args !== null && (typeof args !== "object" || Array.isArray(args))) {
      throw codemodeError("TOOL_INPUT_INVALID", origin, `${what} takes one object argument, got ${Array.isArray(args) ? "an array" : typeof args}`)
    }
    const signal = ctx.signal
    if (signal?.aborted) throw codemodeError("ABORTED", origin, `${what} was cancelled before it started`)
    const conn = await untilAborted(connection(), signal, () => codemodeError("ABORTED", origin, `${what} was cancelled while the server started`))
    // The SDK never removes its abort listener; give it a per-call signal so a run-long signal
    // does not collect one listener per call.
    const perCall = new AbortController()
    const forward = () => perCall.abort(signal?.reason)
    signal?.addEventListener("abort", forward, { once: true })
    let result: CallToolResult
    try {
      result = (await conn.client.callTool(
        { name: originalName, arguments: (args ?? {}) as Record<string, unknown> },
        undefined,
        { signal: perCall.signal, timeout: opts.callTimeoutMs },
      )) as CallToolResult
    } catch (error) {
      if (closing) throw codemodeError("CLOSED", origin, `${what} was interrupted by close()`, { cause: error })
      const failure = mapFailure(error, origin, what, { aborted: signal?.aborted ?? false, timeoutMs: opts.callTimeoutMs, stderr: conn.stderrTail() })
      if (failure.kind === "timeout") healthCheck(conn)
      if (failure.kind === "transport") {
        reportLoss(conn, "disconnected", failure.error.message.replace(/^\[codemode\] \[[^\]]*\] /, ""))
        retire(conn)
        // An HTTP server that forgot our session answers 404 before running anything: safe to retry once.
        if (!retried && (error as { code?: unknown } | null)?.code === 404) return callTool(def, name, args, ctx, true)
      }
      throw failure.error
    } finally {
      signal?.removeEventListener("abort", forward)
    }
    if (result.isError) {
      throw codemodeError("TOOL_CALL_FAILED", origin, `${what} failed: ${errorText(result)}`, { data: { tool: `${namespace}.${name}` } })
    }
    const broken = await checkOutput(def, result)
    if (broken !== undefined) {
      throw codemodeError("TOOL_OUTPUT_INVALID", origin, `${what} returned a result that does not match its outputSchema: ${broken}`, {
        data: { tool: `${namespace}.${name}` },
      })
    }
    return resultValue(result)
  }

  function toolsChanged(): void {
    const run = async () => {
      if (pending) await pending.catch(() => undefined)
      const conn = live
      if (!conn) return
      try {
        tools = buildTools(await listAll(conn))
      } catch {
        // keep the previous list; the failure surfaces on the next call
      }
    }
    const previous = refreshing ?? Promise.resolve()
    const current: Promise<void> = previous.then(run).finally(() => {
      if (refreshing === current) refreshing = undefined
      notify()
    })
    refreshing = current
  }

  function emit(event: SourceEvent): void {
    for (const listener of [...eventListeners]) {
      try {
        listener(event)
      } catch {
        // as for notify()
      }
    }
  }

  function reportLoss(conn: Connection, type: "disconnected" | "killed", message: string): void {
    if (closing || lost.has(conn)) return
    lost.add(conn)
    emit({ type, message })
  }

  function notify(): void {
    for (const listener of [...listeners]) {
      try {
        listener()
      } catch {
        // a listener's failure is its own; the others still hear about the change
      }
    }
  }

  return {
    namespace,
    kind: "mcp",
    async load() {
      await connection()
      if (refreshing) await refreshing
      return [...tools]
    },
    onToolsChanged(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    onEvent(listener) {
      eventListeners.add(listener)
      return () => void eventListeners.delete(listener)
    },
    async secrets() {
      if ("command" in server) return Object.values(server.env ?? {}).filter((v) => v.length >= MIN_ENV_SECRET_LENGTH)
      return [...Object.values(server.headers ?? {}), ...urlSecrets(server.url)]
    },
    status() {
      const state = closing ? "closed" : live && !live.closed ? "connected" : pending ? "connecting" : "idle"
      return {
        state,
        connects,
        ...(state === "connected" && live ? { transport: live.transport, ...(live.pid ? { pid: live.pid } : {}) } : {}),
      }
    },
    close() {
      closing ??= (async () => {
        listeners.clear()
        eventListeners.clear()
        stopping.abort()
        await pending?.catch(() => undefined)
        if (live) retire(live)
        await Promise.all([...retiring])
      })()
      return closing
    },
  }
}

/** Waits for `promise`, or rejects with `onAbort()` as soon as `signal` fires (the promise keeps running for others). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort: () => CodeModeError): Promise<T> {
  if (!signal) return promise
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort())
    signal.addEventListener("abort", abort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort))
  })
}
