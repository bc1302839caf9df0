/**
 * The stdio transport for the codemode MCP server: one session over this process's stdin/stdout.
 * The SDK's transport drops a line it cannot read (it reports it to `onerror` only); JSON-RPC says
 * the sender gets an answer, so a line that is not JSON is answered with -32700 Parse error and one
 * that is JSON but no JSON-RPC message with -32600 Invalid Request: with the id it carries, taken out
 * of the input before the SDK's transport sees it (its error does not say which line failed), else
 * with id null.
 */
import { StringDecoder } from "node:string_decoder"
import { Transform, type Readable, type Writable } from "node:stream"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"
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

/** The id of a line that is a JSON object with a string or number `id` but no valid JSON-RPC message. */
function invalidRequestId(line: string): string | number | undefined {
  let message: unknown
  try {
    message = JSON.parse(line)
  } catch {
    return undefined // not JSON: the SDK's transport reports it (-32700)
  }
  const id = (message as { id?: unknown } | null)?.id
  if ((typeof id !== "string" && typeof id !== "number") || JSONRPCMessageSchema.safeParse(message).success) return undefined
  return id
}

/** `input` without the invalid messages that carry an id: those go to `answer` instead. */
function withoutInvalidRequests(input: Readable, answer: (id: string | number) => void): Readable {
  const decoder = new StringDecoder("utf8")
  let partial = ""
  const screen = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const lines = (partial + decoder.write(chunk)).split("\n")
      partial = lines.pop() ?? ""
      let kept = ""
      for (const line of lines) {
        const id = invalidRequestId(line)
        if (id === undefined) kept += `${line}\n`
        else answer(id)
      }
      done(null, kept || undefined)
    },
    flush(done) {
      done(null, partial + decoder.end() || undefined)
    },
  })
  return input.pipe(screen)
}

/** Serves one session of `server` over stdio; resolves once it is connected. */
export async function serveStdio(server: CodeModeServer, options: StdioOptions = {}): Promise<StdioServerTransport> {
  const input = withoutInvalidRequests(options.stdin ?? process.stdin, (id) => {
    options.log?.("warn", `[codemode] [stdio] a line on stdin is JSON but not a JSON-RPC message (id ${JSON.stringify(id)}): answered ${INVALID_REQUEST} Invalid Request`)
    transport.send({ jsonrpc: "2.0", id, error: { code: INVALID_REQUEST, message: "Invalid Request" } }).catch(() => undefined)
  })
  const transport = new StdioServerTransport(input, options.stdout)
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
