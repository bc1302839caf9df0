/**
 * Streamable HTTP transport for the codemode MCP server: one session (SDK transport + protocol
 * server) per client, on 127.0.0.1 by default, optionally behind a bearer token.
 */
import { randomUUID, timingSafeEqual } from "node:crypto"
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js"
import { codemodeError } from "../errors.js"
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
}

/** A listening HTTP endpoint. */
export interface HttpEndpoint {
  /** e.g. `http://127.0.0.1:3000/mcp`. */
  url: string
  port: number
  /** Stops accepting connections and closes every session. Idempotent. Does not close the codemode server. */
  close(): Promise<void>
}

const ORIGIN = "server"
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"])

function jsonRpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }))
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? ""
  const match = /^Bearer\s+(.+)$/i.exec(header)
  if (!match?.[1]) return false
  const given = Buffer.from(match[1].trim())
  const expected = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > maxBytes) throw codemodeError("CONFIG_INVALID", ORIGIN, `request body over ${maxBytes} bytes`)
    chunks.push(chunk as Buffer)
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"))
}

/**
 * Serves `server` over Streamable HTTP. Rejects with `CONFIG_INVALID` when the port cannot be bound
 * (in use, no permission).
 */
export async function listenHttp(server: CodeModeServer, options: HttpOptions): Promise<HttpEndpoint> {
  const host = options.host ?? "127.0.0.1"
  const path = options.path ?? "/mcp"
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024
  const transports = new Map<string, StreamableHTTPServerTransport>()
  let port = options.port

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost")
    if (url.pathname !== path) return jsonRpcError(res, 404, `not found: the MCP endpoint is ${path}`)
    if (options.token !== undefined && !authorized(req, options.token)) {
      return jsonRpcError(res, 401, "unauthorized: send Authorization: Bearer <token>", { "www-authenticate": 'Bearer realm="codemode"' })
    }
    let body: unknown
    if (req.method === "POST") {
      try {
        body = await readJson(req, maxBody)
      } catch (error) {
        return jsonRpcError(res, 400, `invalid request body: ${(error as Error).message}`)
      }
    }
    const sessionId = req.headers["mcp-session-id"]
    const existing = typeof sessionId === "string" ? transports.get(sessionId) : undefined
    if (existing) return existing.handleRequest(req, res, body)
    if (sessionId !== undefined) return jsonRpcError(res, 404, "unknown or expired session: initialize again")
    if (req.method !== "POST" || !isInitializeRequest(body)) return jsonRpcError(res, 400, "no session: start with an initialize request")
    const loopback = LOOPBACK.has(host)
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void transports.set(id, transport),
      // on a loopback bind, refuse Host headers of other names (DNS rebinding from a web page)
      ...(loopback ? { enableDnsRebindingProtection: true, allowedHosts: [...LOOPBACK].flatMap((h) => [h, `${h}:${port}`, `[${h}]:${port}`]) } : {}),
    })
    transport.onclose = () => {
      if (transport.sessionId) transports.delete(transport.sessionId)
    }
    await server.createSession().connect(transport)
    await transport.handleRequest(req, res, body)
  }

  const http: HttpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) jsonRpcError(res, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`)
      else res.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    http.once("error", (error: NodeJS.ErrnoException) =>
      reject(codemodeError("CONFIG_INVALID", ORIGIN, `cannot listen on ${host}:${options.port}: ${error.code ?? error.message}; pick another --http port`, { cause: error })),
    )
    http.listen(options.port, host, () => resolve())
  })
  port = (http.address() as AddressInfo).port
  let closing: Promise<void> | undefined
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}${path}`,
    port,
    close: () =>
      (closing ??= (async () => {
        await Promise.allSettled([...transports.values()].map((t) => t.close()))
        http.closeAllConnections()
        await new Promise<void>((resolve) => http.close(() => resolve()))
      })()),
  }
}
