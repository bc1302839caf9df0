/**
 * Every host-side failure codemode raises is a {@link CodeModeError} with a stable `code` from this list.
 * Sandbox outcomes are values (`RunOutcome`), never throws.
 */
export const ERROR_CODES = [
  /** Options, config file or flags are wrong; the message names the option and what to do. */
  "CONFIG_INVALID",
  /** An OpenAPI / JSON Schema document could not be read or understood. */
  "SPEC_INVALID",
  /** A tool source (MCP server, spec URL) cannot be reached or died. */
  "SOURCE_UNAVAILABLE",
  /** Code called a tool that does not exist. */
  "TOOL_NOT_FOUND",
  /** Tool arguments failed validation against the input schema. */
  "TOOL_INPUT_INVALID",
  /** A tool returned a value that does not match its declared output schema. */
  "TOOL_OUTPUT_INVALID",
  /** The tool itself failed (threw, returned an MCP error, non-2xx HTTP status). */
  "TOOL_CALL_FAILED",
  /** A tool call did not finish in time. */
  "TOOL_TIMEOUT",
  /** The model's code does not parse. */
  "CODE_INVALID",
  /** The model's code does not typecheck against the declarations. */
  "TYPECHECK_FAILED",
  /** The sandbox backend itself failed (not the code it ran). */
  "SANDBOX_FAILED",
  /** A value cannot cross the sandbox boundary (not JSON-compatible, too deep, too big). */
  "VALUE_NOT_TRANSFERABLE",
  /** The operation was cancelled with an AbortSignal. */
  "ABORTED",
  /** The object was used after close()/dispose(). */
  "CLOSED",
  /** The policy denied a tool call (thrown inside the program; the code may catch it). */
  "POLICY_DENIED",
  /** A call needed approval and was denied, or its approval timed out. */
  "APPROVAL_DENIED",
  /** A per-run or per-tool call quota of the policy was exceeded. */
  "QUOTA_EXCEEDED",
  /** A per-tool rate limit of the policy was exceeded. */
  "RATE_LIMITED",
  /** A resumed run made a different call than its journal holds at that position. */
  "RUN_DIVERGED",
  /** A call was in flight when its host died; it is not sent again (at-most-once). */
  "CALL_INTERRUPTED",
  /** A resume token is malformed, forged, tampered with, expired, or for another program or catalog. */
  "RESUME_INVALID",
  /** The run is being executed or resumed by another process right now. */
  "RUN_BUSY",
  /** The run store (file system, Redis) failed. */
  "STORE_FAILED",
  /** The model endpoint failed: an HTTP error after the retries, a stream cut mid-way, an answer that is not a completion. */
  "MODEL_FAILED",
] as const

export type CodeModeErrorCode = (typeof ERROR_CODES)[number]

export interface CodeModeErrorOptions extends ErrorOptions {
  /** Extra machine-readable detail (HTTP status, JSON path, limit value …). */
  data?: Record<string, unknown>
}

/** A typed codemode error. Check with {@link CodeModeError.is}, not `instanceof` (copies differ across bundles). */
export class CodeModeError extends Error {
  readonly code: CodeModeErrorCode
  readonly data?: Record<string, unknown>

  constructor(code: CodeModeErrorCode, message: string, options: CodeModeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    if (options.data) this.data = options.data
  }

  static is(err: unknown, code?: CodeModeErrorCode): err is CodeModeError {
    const c = (err as { code?: unknown } | null | undefined)?.code
    return (ERROR_CODES as readonly unknown[]).includes(c) && (code === undefined || c === code)
  }
}

/** Builds a `[codemode] [<origin>] message` error; `origin` is the source, backend or face that failed. */
export function codemodeError(
  code: CodeModeErrorCode,
  origin: string,
  message: string,
  options?: CodeModeErrorOptions,
): CodeModeError {
  return new CodeModeError(code, `[codemode] [${origin}] ${message}`, options)
}
