/**
 * The tool model: what every source (MCP, OpenAPI, functions) produces and what the runtime calls.
 * Knows nothing of sandboxes.
 */

/** A JSON Schema document (draft 2020-12 / OpenAPI 3.1 flavoured; OpenAPI 3.0 `nullable` tolerated). */
export type JSONSchema = { [key: string]: unknown } | boolean

/** MCP tool annotations (hints, never guarantees). */
export interface ToolAnnotations {
  title?: string
  readOnlyHint?: boolean
  destructiveHint?: boolean
  idempotentHint?: boolean
  openWorldHint?: boolean
}

/** Where a tool comes from: the source's own name for it and hints for search. */
export interface ToolOrigin {
  kind: "mcp" | "openapi" | "functions"
  /** The name the source uses (MCP tool name, operationId, function key) before identifier mangling. */
  originalName: string
  /** OpenAPI only. */
  operationId?: string
  method?: string
  path?: string
  tags?: string[]
}

/** Per-call context handed to {@link Tool.call}. */
export interface CallContext {
  /** Aborted when the run is cancelled or times out; tools should stop work and reject. */
  signal?: AbortSignal
}

export interface Tool {
  /** A valid JS identifier, unique in its namespace. */
  name: string
  /** A valid JS identifier, e.g. "github", "memory". */
  namespace: string
  description?: string
  /** An object schema describing the single argument. */
  inputSchema: JSONSchema
  /** The result's schema (MCP outputSchema, OpenAPI 2xx response); absent means unknown. */
  outputSchema?: JSONSchema
  annotations?: ToolAnnotations
  origin?: ToolOrigin
  /**
   * The tool's own approval requirement (as an AI SDK tool's `needsApproval`): a call it answers
   * `true` for needs approval where the policy would allow it; a policy "deny" still denies, and a
   * function that throws counts as `true`. Default: the policy alone decides.
   */
  needsApproval?: boolean | ((args: unknown) => boolean | Promise<boolean>)
  /** Runs the tool on the host. Rejects with a `CodeModeError` (`TOOL_*` codes) on failure. */
  call(args: unknown, ctx: CallContext): Promise<unknown>
}

/** Something that happened to a source's upstream after it loaded, for logs. */
export interface SourceEvent {
  /**
   * "disconnected": the upstream closed or exited on its own; "killed": it stopped answering and
   * was killed; "restarted": a new connection replaced a lost one.
   */
  type: "disconnected" | "killed" | "restarted"
  /** One line for a log, e.g. `the MCP server exited (server stderr: …); it is restarted on the next call`. */
  message: string
}

/**
 * A set of tools under one namespace. `load` may be called more than once (e.g. after a
 * list-changed notification); `close` is idempotent.
 */
export interface ToolSource {
  readonly namespace: string
  /** "mcp" | "openapi" | "functions" or a custom kind, for messages. */
  readonly kind: string
  /** Connects if needed and returns the current tools. */
  load(): Promise<Tool[]>
  /** Registers a listener called when the tool list changes; returns an unsubscribe function. */
  onToolsChanged?(listener: () => void): () => void
  /** Registers a listener for what happens to the upstream (see {@link SourceEvent}); returns an unsubscribe function. */
  onEvent?(listener: (event: SourceEvent) => void): () => void
  /**
   * Credential values this source sends upstream (tokens, API keys, passwords), so the runtime can
   * redact them if an upstream echoes them back; resolved on the host, never shown to the sandbox.
   * May be called before `load()` and more than once (a rotating token is covered as of the last call).
   * Does not reject for a credential that cannot be resolved: it is never sent, so it is left out.
   */
  secrets?(): Promise<string[]>
  /**
   * OpenAPI sources: the spec their tools are read from (a file path, an http(s) URL or a parsed
   * document), so a report can count what serving each operation as its own MCP tool would cost
   * (`codemode tokens`); `filtered` when the source serves only some of the spec's operations.
   */
  readonly spec?: { readonly location: string | object; readonly filtered: boolean }
  /** Releases connections and child processes. Idempotent. */
  close?(): Promise<void>
}

/** Identity helper for type inference when writing a custom source. */
export function defineSource<T extends ToolSource>(source: T): T {
  return source
}
