/**
 * What every store driver checks the same way: key and prefix syntax, ttl, use after `close()`,
 * and the wrapping of driver failures into `STORE_FAILED`. Drivers import this file, never each
 * other; it holds no state beyond the one guard each driver instance creates.
 */
import { CodeModeError, codemodeError } from "../errors.js"
import { STORE_KEY, type StoreSetOptions } from "./store.js"

export interface StoreGuard {
  /** `store:<name>`, the origin of every error the driver raises. */
  readonly origin: string
  /**
   * Runs one operation: rejects with `CLOSED` after close(), with `CONFIG_INVALID` for a bad key
   * (`key` undefined: no key to check), and wraps anything `fn` throws that is not already a
   * CodeModeError into `STORE_FAILED` naming the operation and the key.
   */
  run<T>(op: string, key: string | undefined, fn: () => Promise<T> | T): Promise<T>
  /** Checks a `keys()` prefix: "" or the start of some valid key; `CONFIG_INVALID` otherwise. */
  prefix(prefix: string): void
  /**
   * Checks the arguments of a write (`CONFIG_INVALID` unless the value is a string and the ttl a
   * finite number > 0); returns the ttl in ms, or undefined for "never expires".
   */
  write(key: string, value: unknown, options: StoreSetOptions | undefined): number | undefined
  /** Marks the store closed; true the first time (idempotent close). */
  close(): boolean
  /** A `STORE_FAILED` error naming the operation and key; CodeModeErrors pass through unchanged. */
  failed(op: string, key: string | undefined, cause: unknown): CodeModeError
}

/** The message of a failure cause, for error texts. */
export function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}

export function createStoreGuard(name: string): StoreGuard {
  const origin = `store:${name}`
  let closed = false
  const invalid = (message: string) => codemodeError("CONFIG_INVALID", origin, message)
  const checkKey = (key: unknown) => {
    if (typeof key !== "string" || !STORE_KEY.test(key)) {
      throw invalid(
        `invalid key ${JSON.stringify(key)}: keys are "/"-separated segments of letters, digits, ".", "_" and "-" (no empty, "." or ".." segment)`,
      )
    }
  }
  const failed = (op: string, key: string | undefined, cause: unknown): CodeModeError =>
    CodeModeError.is(cause)
      ? cause
      : codemodeError("STORE_FAILED", origin, `${op}${key === undefined ? "" : ` "${key}"`} failed: ${describeCause(cause)}`, { cause })
  return {
    origin,
    async run(op, key, fn) {
      if (closed) throw codemodeError("CLOSED", origin, `${op}: the store is closed`)
      if (key !== undefined) checkKey(key)
      try {
        return await fn()
      } catch (err) {
        throw failed(op, key, err)
      }
    },
    prefix(prefix) {
      // A prefix is the start of some valid key exactly when it is "" or prefix + "x" is a valid key.
      if (typeof prefix !== "string" || (prefix !== "" && !STORE_KEY.test(`${prefix}x`))) {
        throw invalid(`invalid key prefix ${JSON.stringify(prefix)}: no valid key starts with it`)
      }
    },
    write(key, value, options) {
      if (typeof value !== "string") throw invalid(`the value of "${key}" must be a string, got ${typeof value}`)
      const ttl = options?.ttlMs
      if (ttl === undefined) return undefined
      if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0) {
        throw invalid(`ttlMs of "${key}" must be a finite number of milliseconds > 0, got ${String(ttl)}`)
      }
      return ttl
    },
    close() {
      if (closed) return false
      closed = true
      return true
    },
    failed,
  }
}
