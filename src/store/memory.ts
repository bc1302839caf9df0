/**
 * `memoryStore()`: a run store in a `Map` inside the closure, for tests and single-process use.
 * Nothing survives the process. Expired entries are dropped when `get`, `add` or `keys` meets them,
 * and by a sweep that each `set` and `add` advance by a few entries (a cursor that goes round the
 * map), so entries nobody reads again go too, at a small fixed cost per write; no timers run.
 */
import { createStoreGuard } from "./guard.js"
import { defineStore, type RunStore } from "./store.js"

const NAME = "memory"

/** Entries the sweep looks at per write: more than one, so it keeps up with the entries writes add. */
const SWEEP_PER_WRITE = 4

/** A memory store; `size()` counts the entries held, expired ones not yet dropped included. */
export type MemoryStore = RunStore & { size(): number }

interface Entry {
  value: string
  /** `Date.now()` at which the entry expires; undefined: never. */
  expiresAt: number | undefined
}

/** A run store held in this process's memory. Every method resolves on a later microtask; none can fail except for bad arguments or use after close. */
export function memoryStore(): MemoryStore {
  const guard = createStoreGuard(NAME)
  const entries = new Map<string, Entry>()

  /** The live entry of `key`, dropping it when expired. */
  const live = (key: string, now = Date.now()): Entry | undefined => {
    const entry = entries.get(key)
    if (entry?.expiresAt !== undefined && entry.expiresAt <= now) {
      entries.delete(key)
      return undefined
    }
    return entry
  }
  let cursor = entries.keys() // Map iterators survive deletes and see later inserts
  const put = (key: string, value: string, ttlMs: number | undefined) => {
    const now = Date.now()
    for (let i = 0; i < SWEEP_PER_WRITE; i++) {
      let next = cursor.next()
      if (next.done) next = (cursor = entries.keys()).next()
      if (next.done) break
      live(next.value, now)
    }
    entries.set(key, { value, expiresAt: ttlMs === undefined ? undefined : now + ttlMs })
  }

  return defineStore({
    name: NAME,
    get: (key) => guard.run("get", key, () => live(key)?.value),
    set: (key, value, options) =>
      guard.run("set", key, () => {
        put(key, value, guard.write(key, value, options))
      }),
    add: (key, value, options) =>
      guard.run("add", key, () => {
        const ttlMs = guard.write(key, value, options)
        if (live(key)) return false
        put(key, value, ttlMs)
        return true
      }),
    delete: (key) =>
      guard.run("delete", key, () => {
        entries.delete(key)
      }),
    keys: (prefix) =>
      guard.run("keys", undefined, () => {
        guard.prefix(prefix)
        const now = Date.now()
        // Keys are ASCII, so the default UTF-16 sort is byte order.
        return [...entries.keys()].filter((key) => key.startsWith(prefix) && live(key, now)).sort()
      }),
    close: async () => {
      if (guard.close()) entries.clear()
    },
    size: () => entries.size,
  })
}
