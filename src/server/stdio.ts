/**
 * The stdio transport for the codemode MCP server: one session over this process's stdin/stdout.
 * The SDK's transport drops a line it cannot read (it reports it to `onerror` only); JSON-RPC says
 * the sender gets an answer, so a line that is not JSON is answered with -32700 Parse error and one
 * that is JSON but no JSON-RPC message with -32600 Invalid Request (id null: none can be read).
 */
import type { Readable, Writable } from "node:stream"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"
import type { ServerLog } from "./log.js"
import type { CodeModeServer } from "./server.js"

/** Options of {@link serveStdio}. */
export interface StdioOptions {
  /** Default `process.stdin`. */
  stdin?: Readable
  /** Default `process.stdout`. */
  stdout?: Writable
  /** One line per malformed message and transport error. Default: none. */
  log?: ServerLog
}

// JSON-RPC 2.0 error codes.
const PARSE_ERROR = -32700
const INVALID_REQUEST = -32600

/** The JSON-RPC error that answers an unreadable line, or undefined for other transport errors. */
function answerFor(error: Error): { code: number; message: string } | undefined {
  if (error instanceof SyntaxError) return { code: PARSE_ERROR, message: "Parse error" }
  if (error.name === "ZodError") return { code: INVALID_REQUEST, message: "Invalid Request" }
  return undefined
}

/** Serves one session of `server` over stdio; resolves once it is connected. */
export async function serveStdio(server: CodeModeServer, options: StdioOptions = {}): Promise<StdioServerTransport> {
  const transport = new StdioServerTransport(options.stdin, options.stdout)
  // Set before connect: the protocol keeps this handler and calls its own after it.
  transport.onerror = (error) => {
    const answer = answerFor(error)
    if (!answer) return options.log?.("warn", `[codemode] [stdio] ${error.message}`)
    const detail = answer.code === PARSE_ERROR ? `a line on stdin is not JSON (${error.message})` : "a line on stdin is JSON but not a JSON-RPC message"
    options.log?.("warn", `[codemode] [stdio] ${detail}: answered ${answer.code} ${answer.message}`)
    // JSON-RPC's answer to a message without a readable id; the SDK's message type has no id-less error, hence the cast
    const reply = { jsonrpc: "2.0", id: null, error: answer } as unknown as JSONRPCMessage
    transport.send(reply).catch(() => undefined)
  }
  await server.createSession().connect(transport)
  return transport
}
