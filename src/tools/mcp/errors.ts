/**
 * Mapping what the MCP SDK throws onto codemode's error codes, once, at the edge.
 */
import { CodeModeError, codemodeError, type CodeModeErrorCode } from "../../errors.js"
import { StartError } from "./connection.js"

/** What a failed request means for the connection it was sent on. */
export type FailureKind =
  /** The server answered with an error: the session is fine. */
  | "server"
  /** No answer in time: the session may be hung. */
  | "timeout"
  /** The caller cancelled. */
  | "aborted"
  /** The transport closed or a message could not be sent: the session is gone. */
  | "transport"

export interface MappedFailure {
  kind: FailureKind
  error: CodeModeError
}

// JSON-RPC / MCP codes the SDK uses for its own failures (ErrorCode in the SDK's types).
const CONNECTION_CLOSED = -32000
const REQUEST_TIMEOUT = -32001

/**
 * Classifies an error thrown by `client.callTool` / `listTools` for `what` (e.g. `tool "echo"`).
 * `aborted` says whether the caller's signal fired: the SDK reports an abort as a timeout.
 */
export function mapFailure(
  error: unknown,
  origin: string,
  what: string,
  context: { aborted: boolean; timeoutMs: number; stderr: string },
): MappedFailure {
  if (CodeModeError.is(error)) return { kind: "server", error }
  const cause = error
  const fail = (kind: FailureKind, code: CodeModeErrorCode, message: string): MappedFailure => ({
    kind,
    error: codemodeError(code, origin, message, { cause }),
  })
  if (context.aborted) return fail("aborted", "ABORTED", `${what} was cancelled`)
  if (isMcpError(error)) {
    if (error.code === REQUEST_TIMEOUT) {
      return fail(
        "timeout",
        "TOOL_TIMEOUT",
        `${what} did not finish within ${context.timeoutMs} ms; raise callTimeoutMs if the tool is just slow`,
      )
    }
    if (error.code === CONNECTION_CLOSED) {
      return fail(
        "transport",
        "SOURCE_UNAVAILABLE",
        `the MCP server closed the connection during ${what}${stderrNote(context.stderr)}; it is restarted on the next call`,
      )
    }
    if (/output schema|structured content/i.test(error.message)) {
      return fail("server", "TOOL_OUTPUT_INVALID", `${what} returned a result that does not match its outputSchema: ${error.message}`)
    }
    return fail("server", "TOOL_CALL_FAILED", `${what} failed: ${error.message}`)
  }
  if ((error as { name?: unknown } | null)?.name === "ZodError") {
    return fail("server", "TOOL_CALL_FAILED", `${what}: the server sent a malformed result`)
  }
  return fail(
    "transport",
    "SOURCE_UNAVAILABLE",
    `cannot reach the MCP server for ${what}: ${messageOf(error)}${stderrNote(context.stderr)}; it is reconnected on the next call`,
  )
}

/** A failure to start or initialize the server. */
export function connectFailure(error: unknown, origin: string, target: string, timeoutMs: number): CodeModeError {
  const start = error instanceof StartError ? error : undefined
  const reason =
    start?.reason === "timeout"
      ? `it did not answer "initialize" within ${timeoutMs} ms (raise connectTimeoutMs if it is just slow to start)`
      : start?.reason === "exited"
        ? `it exited before answering "initialize"`
        : messageOf(error)
  return codemodeError(
    "SOURCE_UNAVAILABLE",
    origin,
    `cannot start MCP server ${target}: ${reason}${stderrNote(start?.stderr ?? "")}`,
    { cause: error },
  )
}

/**
 * The SDK's `McpError` (or a subclass), told by its shape rather than `instanceof`, so this module
 * does not load the SDK: an Error with an integer `code` whose message the SDK prefixed with it.
 */
function isMcpError(error: unknown): error is Error & { code: number } {
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && Number.isInteger(code) && error.message.startsWith(`MCP error ${String(code)}:`)
}

/** ` (server stderr: <last lines>)`, or "" when it wrote nothing. */
export function stderrNote(stderr: string): string {
  const lines = stderr.trim().split("\n").slice(-5).join("\n").trim()
  return lines ? ` (server stderr: ${lines})` : ""
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
