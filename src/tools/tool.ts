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
  kind: "mcp" | "openapi" | "functions" | "state" | "procedures"
  /** The name the source uses (MCP tool name, operationId, function key) before identifier mangling. */
  originalName: string
  /** OpenAPI only. */
  operationId?: string
  method?: string
  path?: string
  tags?: string[]
}

/**
 * What a durable run's participants record in the same atomic write as its effects, so that a resume
 * after the host stopped between the commit and the journal's "done" finds the run committed (and its
 * result) instead of making its calls again (see {@link ToolSource.committed}).
 */
export interface CommitReceipt {
  runId: string
  /** The run's result (JSON data), as its journal records it once it is done. */
  outcome: unknown
  /** The keys of the run's participants with effects, in commit order: each records this receipt. */
  participants: string[]
  /** When the journal can no longer resume the run (ms since the epoch): the receipt is not needed after it. */
  keepUntil: number
}

/**
 * Something a tool keeps for the rest of its run (a transaction): the runtime ends it with the run.
 * Exactly one of `commit` or `rollback` is called, once.
 */
export interface RunParticipant {
  /**
   * The program finished: make its effects durable. `receipt` (durable runs only): record it with the
   * effects, atomically, if there are any. A rejection fails the run (its message and code reach the caller).
   */
  commit(receipt?: CommitReceipt): void | Promise<void>
  /** Whether `commit` has anything to write. Default: true. */
  hasEffects?(): boolean
  /** The run failed, paused or was stopped: drop its effects. Must not throw. */
  rollback(): void
  /**
   * A view of this participant for a part of the run (a procedure it calls): effects made through
   * `participant` are logged, and `rollback` drops only those (the procedure failed), not what other
   * parts of the run did meanwhile.
   */
  savepoint?(): { participant: RunParticipant; rollback(): void }
}

/** The run a call belongs to (see {@link CallContext.run}). */
export interface RunScope {
  /** The run's id; the same for every attempt of a durable run (so ids derived from it repeat on replay). */
  readonly runId: string
  /** The participant under `key`, made by `create` on its first use in this attempt of the run. */
  join<T extends RunParticipant>(key: string, create: () => T): T
}

/** Per-call context handed to {@link Tool.call}. */
export interface CallContext {
  /** Aborted when the run is cancelled or times out; tools should stop work and reject. */
  signal?: AbortSignal
  /** The run the call is made from, when the runtime makes it (absent for a direct `tool.call`). */
  run?: RunScope
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
   * True when the tool's effects are held in its run's scope until the run commits ({@link RunScope}):
   * calling it again has no outside effect, so a resumed durable run calls it again instead of
   * answering it from the journal (the attempt that made it was rolled back).
   */
  transactional?: boolean
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
  /**
   * Durable runs: the receipt the commit of run `runId` recorded in this source, and the key of the
   * participant that recorded it; undefined when the run committed nothing here. Rejects when the
   * source cannot be read.
   */
  committed?(runId: string): Promise<{ participant: string; receipt: CommitReceipt } | undefined>
  /** Releases connections and child processes. Idempotent. */
  close?(): Promise<void>
}

/** Identity helper for type inference when writing a custom source. */
export function defineSource<T extends ToolSource>(source: T): T {
  return source
}
