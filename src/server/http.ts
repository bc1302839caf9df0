/**
 * Streamable HTTP transport for the codemode MCP server: one session (SDK transport + protocol
 * server) per client, on 127.0.0.1 by default, optionally behind a bearer token. Sessions end when
 * the client deletes them, or after `idleTimeoutMs` without a request; at most `maxSessions` live at
 * once, so clients that initialize and leave cannot grow the server without bound.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto"
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js"
import { codemodeError } from "../errors.js"
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_SESSIONS } from "./defaults.js"
import { throttledLog, type ServerLog } from "./log.js"
import type { CodeModeServer } from "./server.js"

/** Options of {@link listenHttp}. */
export interface HttpOptions {
  /** TCP port; 0 picks a free one. */
  port: number
  /** Interface to bind. Default "127.0.0.1" (this machine only). */
  host?: string
  /** When set, every request needs `Authorization: Bearer <token>`; others get 401. Default: none. */
  token?: string
  /** URL path of the endpoint. Default "/mcp". */
  path?: string
  /** Largest request body accepted, in bytes. Default 4 MiB. */
  maxBodyBytes?: number
  /**
   * A session with no request for this long (and none still open, such as a GET stream) is closed;
   * its id then gets 404 "session expired; initialize again". Default {@link DEFAULT_IDLE_TIMEOUT_MS}.
   */
  idleTimeoutMs?: number
  /** Most sessions open at once; a further `initialize` gets 503 naming the cap. Default {@link DEFAULT_MAX_SESSIONS}. */
  maxSessions?: number
  /** One line per refused request (bad token, session cap; at most 5 per 10 s of each) and expired session. Default: none. */
  log?: ServerLog
}

export { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_SESSIONS }

/** A listening HTTP endpoint. */
export interface HttpEndpoint {
  /** e.g. `http://127.0.0.1:3000/mcp`. */
  url: string
  port: number
  /** Sessions open now. */
  sessions(): number
  /** Stops accepting connections and closes every session. Idempotent. Does not close the codemode server. */
  close(): Promise<void>
}

const ORIGIN = "server"
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"])
/** Expired session ids remembered (to answer "expired" rather than "unknown"), oldest dropped first. */
const MAX_EXPIRED_IDS = 10_000

/** One client's session and when it was last used. */
interface Session {
  transport: StreamableHTTPServerTransport
  lastActive: number
  /** Requests of this session still open (a GET stream stays open while the client listens). */
  open: number
}

/** JSON-RPC's "Parse error": the body is not JSON. Other transport errors use -32000, as the SDK's. */
const PARSE_ERROR = -32700

function jsonRpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}, id: string | number | null = null, code = -32000): void {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id }))
}

/** Why a request is not authorized, or undefined when it is. */
function refusal(req: IncomingMessage, token: string): string | undefined {
  const header = req.headers.authorization ?? ""
  const match = /^Bearer\s+(.+)$/i.exec(header)
  if (!match?.[1]) return header ? "an Authorization header that is not a bearer token" : "no Authorization header"
  // Digests of equal length: the comparison's time says nothing about the token, not even its length.
  const digest = (text: string) => createHash("sha256").update(text).digest()
  return timingSafeEqual(digest(match[1].trim()), digest(token)) ? undefined : "a wrong bearer token"
}

/** A request body over the limit: answered 413, and the connection closed (the rest of the body is not read). */
class BodyTooLarge extends Error {}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  if (Number(req.headers["content-length"]) > maxBytes) throw new BodyTooLarge(`request body over ${maxBytes} bytes`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > maxBytes) throw new BodyTooLarge(`request body over ${maxBytes} bytes`)
    chunks.push(chunk as Buffer)
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"))
}

const duration = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`)

/**
 * Serves `server` over Streamable HTTP. Rejects with `CONFIG_INVALID` when the port cannot be bound
 * (in use, no permission) or an option is out of range.
 */
export async function listenHttp(server: CodeModeServer, options: HttpOptions): Promise<HttpEndpoint> {
  const host = options.host ?? "127.0.0.1"
  const path = options.path ?? "/mcp"
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS
  for (const [name, value] of [["idleTimeoutMs", idleMs], ["maxSessions", maxSessions]] as const) {
    if (!Number.isInteger(value) || value < 1) throw codemodeError("CONFIG_INVALID", ORIGIN, `${name} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  const log = options.log
  const authLog = log && throttledLog(log, "refused requests (authorization)")
  const capLog = log && throttledLog(log, "refused sessions (session cap)")
  const sessions = new Map<string, Session>()
  const expired = new Set<string>()
  let starting = 0
  let port = options.port

  const peer = (req: IncomingMessage) => req.socket.remoteAddress ?? "unknown"

  /** Counts the request as activity of `session` until its response ends. */
  function track(session: Session, res: ServerResponse): void {
    session.open++
    session.lastActive = Date.now()
    res.once("close", () => {
      session.open--
      session.lastActive = Date.now()
    })
  }

  function expire(now: number): void {
    for (const [id, session] of sessions) {
      if (session.open > 0 || now - session.lastActive < idleMs) continue
      sessions.delete(id)
      expired.add(id)
      if (expired.size > MAX_EXPIRED_IDS) expired.delete(expired.values().next().value as string)
      void session.transport.close().catch(() => undefined)
      log?.("debug", `[codemode] [http] session ${id.slice(0, 8)}… expired after ${duration(idleMs)} idle (${sessions.size} open)`)
    }
  }
  const sweeper = setInterval(() => expire(Date.now()), Math.max(10, Math.min(60_000, Math.floor(idleMs / 4))))
  sweeper.unref()

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost")
    if (url.pathname !== path) return jsonRpcError(res, 404, `not found: the MCP endpoint is ${path}`)
    if (options.token !== undefined) {
      const why = refusal(req, options.token)
      if (why) {
        authLog?.("warn", `[codemode] [http] refused ${req.method ?? "a"} request from ${peer(req)}: ${why} (401)`)
        return jsonRpcError(res, 401, "unauthorized: send Authorization: Bearer <token>", { "www-authenticate": 'Bearer realm="codemode"' })
      }
    }
    let body: unknown
    if (req.method === "POST") {
      try {
        body = await readJson(req, maxBody)
      } catch (error) {
        if (error instanceof BodyTooLarge) return jsonRpcError(res, 413, error.message, { connection: "close" })
        return jsonRpcError(res, 400, `invalid request body: ${(error as Error).message}`, {}, null, PARSE_ERROR)
      }
    }
    const sessionId = req.headers["mcp-session-id"]
    const existing = typeof sessionId === "string" ? sessions.get(sessionId) : undefined
    if (existing) {
      track(existing, res)
      return existing.transport.handleRequest(req, res, body)
    }
    if (sessionId !== undefined) {
      const gone = typeof sessionId === "string" && expired.has(sessionId)
      return jsonRpcError(res, 404, gone ? `session expired (idle for more than ${duration(idleMs)}); initialize again` : "unknown or expired session; initialize again")
    }
    if (req.method !== "POST" || !isInitializeRequest(body)) return jsonRpcError(res, 400, "no session: start with an initialize request")
    if (sessions.size + starting >= maxSessions) {
      capLog?.("warn", `[codemode] [http] refused a new session from ${peer(req)}: ${maxSessions} sessions open, the most allowed (503)`)
      const message = `too many sessions: this server keeps at most ${maxSessions} open (maxSessions, --max-sessions); close unused sessions (DELETE) or retry later`
      const id = (body as { id?: unknown }).id
      return jsonRpcError(res, 503, message, { "retry-after": String(Math.max(1, Math.min(60, Math.ceil(idleMs / 1000)))) }, typeof id === "string" || typeof id === "number" ? id : null)
    }
    const loopback = LOOPBACK.has(host)
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, session),
      // on a loopback bind, refuse Host headers of other names (DNS rebinding from a web page)
      ...(loopback ? { enableDnsRebindingProtection: true, allowedHosts: [...LOOPBACK].flatMap((h) => [h, `${h}:${port}`, `[${h}]:${port}`]) } : {}),
    })
    const session: Session = { transport, lastActive: Date.now(), open: 0 }
    transport.onclose = () => {
      if (transport.sessionId && sessions.get(transport.sessionId) === session) sessions.delete(transport.sessionId)
    }
    starting++
    try {
      await server.createSession().connect(transport)
      track(session, res)
      await transport.handleRequest(req, res, body)
    } finally {
      starting--
    }
    // refused before a session began (bad headers, Host): nothing will ever use this transport
    if (transport.sessionId === undefined) await transport.close()
  }

  const http: HttpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) jsonRpcError(res, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`)
      else res.end()
    })
  })
  // half-open connections of vanished clients end (and free their sessions' streams) after keepalive probes
  http.on("connection", (socket) => socket.setKeepAlive(true, 60_000))
  await new Promise<void>((resolve, reject) => {
    http.once("error", (error: NodeJS.ErrnoException) => {
      clearInterval(sweeper)
      reject(codemodeError("CONFIG_INVALID", ORIGIN, `cannot listen on ${host}:${options.port}: ${error.code ?? error.message}; pick another --http port`, { cause: error }))
    })
    http.listen(options.port, host, () => resolve())
  })
  port = (http.address() as AddressInfo).port
  let closing: Promise<void> | undefined
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}${path}`,
    port,
    sessions: () => sessions.size,
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweeper)
        await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()))
        http.closeAllConnections()
        await new Promise<void>((resolve) => http.close(() => resolve()))
      })()),
  }
}
