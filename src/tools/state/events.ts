/**
 * Change events of a state database for another process (a UI, a worker): every commit logs
 * (collection, operation, ids) in the database, and `watchState` polls that log. In the process
 * that commits, `StateSource.subscribe` gets them without polling.
 */
import { openSqlite, type LoggedChange, type StateDatabase } from "./database.js"

export interface WatchStateOptions {
  /** How often the log is read, in ms. Default {@link DEFAULT_WATCH_INTERVAL_MS}. */
  intervalMs?: number
  /** Deliver changes committed after this seq (e.g. the last one seen before a restart). Default: only new ones. */
  since?: number
  /** A failure to read the log (the watch goes on). Default: ignored. */
  onError?: (error: unknown) => void
}

export interface StateWatch {
  /** Stops polling and closes the database connection. Idempotent. */
  close(): void
}

export const DEFAULT_WATCH_INTERVAL_MS = 250

/**
 * Calls `listener` with each change committed to the state database `file` by any process, in
 * commit order. Resolves once the watch has started.
 *
 * @example
 * const watch = await watchState("app.db", (c) => console.log(c.collection, c.operation, c.ids))
 */
export async function watchState(file: string, listener: (change: LoggedChange) => void, options: WatchStateOptions = {}): Promise<StateWatch> {
  const db: StateDatabase = await openSqlite(file)
  let seen = options.since ?? db.lastChange()
  const poll = () => {
    try {
      for (const change of db.changesSince(seen)) {
        seen = change.seq
        listener(change)
      }
    } catch (error) {
      options.onError?.(error)
    }
  }
  const timer = setInterval(poll, options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS)
  timer.unref?.()
  let closed = false
  return {
    close: () => {
      if (closed) return
      closed = true
      clearInterval(timer)
      db.close()
    },
  }
}
