/**
 * One live MCP session: a started transport (a child process over stdio, or an HTTP session) with an
 * initialized SDK `Client`. Reconnecting means opening a new `Connection`; this module never retries.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js"
import { killTree } from "./kill.js"

/** Starts a local server as a child process speaking MCP over stdin/stdout. */
export interface McpStdioConfig {
  command: string
  /** Default `[]`. */
  args?: string[]
  /** Added to the SDK's safe default environment (HOME, LOGNAME, PATH, SHELL, TERM, USER); the rest of the host env is not inherited. */
  env?: Record<string, string>
  /** Working directory of the child. Default: the host process's cwd. */
  cwd?: string
}

/** Connects to a remote server over HTTP. */
export interface McpHttpConfig {
  url: string
  /** Sent with every request, e.g. `{ Authorization: "Bearer …" }`. Default none. */
  headers?: Record<string, string>
  /** Default: try Streamable HTTP, fall back to legacy SSE when that fails. */
  transport?: "streamable-http" | "sse"
}

export type McpServerConfig = McpStdioConfig | McpHttpConfig

export type McpTransportKind = "stdio" | "streamable-http" | "sse"

/** What happens to a stdio server's stderr. */
export type McpStderr = "capture" | "inherit" | "ignore"

export interface ConnectOptions {
  connectTimeoutMs: number
  stderr: McpStderr
  /** Called when the transport closes without {@link Connection.close} (the server exited or hung up). */
  onClose: () => void
  /** Transport-level trouble (a dropped stream, an unparsable message); not necessarily fatal. */
  onError: (error: Error) => void
  /** The server sent `notifications/tools/list_changed`. */
  onToolsChanged: () => void
  /** Gives up starting (kills a stdio child) when aborted, e.g. when the source is closed. */
  signal?: AbortSignal
}

export interface Connection {
  readonly client: Client
  readonly transport: McpTransportKind
  /** The child's process id (stdio only). */
  readonly pid: number | undefined
  /** True once the transport closed, for whatever reason. */
  readonly closed: boolean
  /** The last few KB the server wrote to stderr (stdio with `stderr: "capture"`), for error messages. */
  stderrTail(): string
  /** Closes the session; `kill` sends SIGKILL to a stdio child first (for a server that stopped answering). Idempotent. */
  close(options?: { kill?: boolean }): Promise<void>
}

const CLIENT_INFO = { name: "codemode", version: "0.1.0" }
const STDERR_TAIL_BYTES = 4_096

/**
 * Opens a session to `config`; rejects (with the SDK's error) when the server cannot be started or
 * initialized in time. The SDK's client and the transport it needs are loaded on the first call.
 */
export async function openConnection(config: McpServerConfig, options: ConnectOptions): Promise<Connection> {
  if ("command" in config) return connectStdio(config, options)
  const url = new URL(config.url)
  const requestInit = config.headers ? { headers: config.headers } : undefined
  const streamable = async () => {
    const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js")
    return connectWith(new StreamableHTTPClientTransport(url, { requestInit }), "streamable-http", options)
  }
  const sse = async () => {
    const { SSEClientTransport } = await import("@modelcontextprotocol/sdk/client/sse.js")
    return connectWith(new SSEClientTransport(url, { requestInit }), "sse", options)
  }
  if (config.transport === "streamable-http") return streamable()
  if (config.transport === "sse") return sse()
  try {
    return await streamable()
  } catch (first) {
    if (first instanceof StartError && first.reason === "timeout") throw first // an unresponsive host will not answer SSE either
    try {
      return await sse()
    } catch (second) {
      const reason = second instanceof StartError ? second.reason : "failed"
      throw new StartError(`Streamable HTTP failed (${messageOf(first)}), then SSE failed (${messageOf(second)})`, reason, "", { cause: second })
    }
  }
}

/** Why a server could not be started or initialized, with what it wrote to stderr meanwhile. */
export class StartError extends Error {
  constructor(
    message: string,
    /** "timeout": no answer to `initialize` in time; "exited": the transport closed first; "failed": anything else. */
    readonly reason: "timeout" | "exited" | "failed",
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = "StartError"
  }
}

async function connectStdio(config: McpStdioConfig, options: ConnectOptions): Promise<Connection> {
  const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js")
  const stderr = options.stderr === "capture" ? "pipe" : options.stderr
  const transport = new StdioClientTransport({
    command: config.command,
    args: config.args ?? [],
    ...(config.env ? { env: config.env } : {}),
    ...(config.cwd ? { cwd: config.cwd } : {}),
    stderr,
  })
  let tail = ""
  // A piped stderr must be drained or a chatty server blocks on a full pipe.
  transport.stderr?.on("data", (chunk: Buffer | string) => {
    tail = (tail + chunk.toString()).slice(-STDERR_TAIL_BYTES)
  })
  // The transport forgets the pid as soon as it starts closing; keep it so a hung child can be killed.
  let pid: number | undefined
  const start = transport.start.bind(transport)
  transport.start = async () => {
    await start()
    pid = transport.pid ?? undefined
  }
  return connectWith(transport, "stdio", options, () => tail, () => pid)
}

async function connectWith(
  transport: Transport,
  kind: McpTransportKind,
  options: ConnectOptions,
  stderrTail: () => string = () => "",
  pid: () => number | undefined = () => undefined,
): Promise<Connection> {
  const [{ Client }, { ToolListChangedNotificationSchema }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ])
  const client = new Client(CLIENT_INFO, { capabilities: {} })
  let closed = false
  let closing: Promise<void> | undefined
  let childPid: number | undefined
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    if (!closed) options.onToolsChanged()
  })
  client.onerror = (error) => {
    if (!closed) options.onError(error)
  }
  client.onclose = () => {
    if (closed) return
    closed = true
    if (!closing) options.onClose()
  }
  const close = (opts: { kill?: boolean } = {}): Promise<void> => {
    // Our own child (and its children), known to have stopped answering: no graceful shutdown.
    const kill = opts.kill && childPid !== undefined && !closed ? killTree(childPid) : Promise.resolve()
    closing ??= kill.then(() => client.close()).catch(() => undefined)
    return closing
  }
  try {
    await client.connect(transport, { timeout: options.connectTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) })
    childPid = pid()
  } catch (error) {
    childPid = pid()
    await close({ kill: true })
    const code = (error as { code?: unknown } | null)?.code
    const reason = code === REQUEST_TIMEOUT ? "timeout" : code === CONNECTION_CLOSED ? "exited" : "failed"
    throw new StartError(messageOf(error), reason, stderrTail(), { cause: error })
  }
  return {
    client,
    transport: kind,
    get pid() {
      return childPid
    },
    get closed() {
      return closed
    },
    stderrTail,
    close,
  }
}

// ErrorCode values of the SDK for its own failures.
const CONNECTION_CLOSED = -32000
const REQUEST_TIMEOUT = -32001

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  // The SDK's HTTP errors carry the status in `code` but not always in the message.
  const status = (error as { code?: unknown } | null)?.code
  return typeof status === "number" && status >= 100 && status < 600 && !message.includes(String(status)) ? `HTTP ${status}: ${message}` : message
}
