/**
 * The run store contract: where durable runs keep their records, call journals and leases. One
 * small interface (string keys, string values) with one driver per file behind it, as unstorage
 * does: memory (tests, one process), file (the CLI and server default; survives `kill -9`), Redis
 * (several codemode processes share runs: a run paused on one resumes on another).
 *
 * Keys are `/`-separated paths of `[A-Za-z0-9._-]` segments (e.g. `runs/r_abc/calls/000012`).
 * Values are UTF-8 strings (JSON written by the runtime). Every method may reject with a
 * `STORE_FAILED` CodeModeError naming the driver; none of them ever hangs without a timeout.
 */

export interface StoreSetOptions {
  /** The key disappears this many ms after the write (a lease, an expiring run). Default: never. */
  ttlMs?: number
}

export interface RunStore {
  /** Driver name for messages: "memory", "file", "redis". */
  readonly name: string
  /** The value, or undefined when the key is absent or expired. */
  get(key: string): Promise<string | undefined>
  /**
   * Writes the value atomically: a reader sees the old value or the new one, never a mix, also
   * after the writing process is killed (`kill -9`) in the middle. Resolves once the write is
   * visible to every process sharing the store.
   */
  set(key: string, value: string, options?: StoreSetOptions): Promise<void>
  /**
   * Writes only if the key is absent (or expired); true when written. Atomic across processes that
   * share the store: of two concurrent `add`s of one key exactly one gets true. Used for leases.
   */
  add(key: string, value: string, options?: StoreSetOptions): Promise<boolean>
  /** Removes the key; absent keys are fine. */
  delete(key: string): Promise<void>
  /** Every live key that starts with `prefix`, sorted (byte order). */
  keys(prefix: string): Promise<string[]>
  /** Releases connections and timers. Idempotent; other methods reject with `CLOSED` afterwards. */
  close?(): Promise<void>
}

/** Identity helper for type inference when writing a custom store driver. */
export function defineStore<T extends RunStore>(store: T): T {
  return store
}

/** Valid key: `/`-separated segments of letters, digits, `.`, `_` and `-` (no `..`, no empty segment). */
export const STORE_KEY = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/
