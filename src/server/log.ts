/**
 * The server's log: one line per event (a source that failed or came back, an upstream restart, a
 * refused request), levelled. Where lines go is the caller's choice (the CLI writes them to stderr);
 * the library itself never writes to the console.
 */

export type ServerLogLevel = "debug" | "info" | "warn" | "error"

/** Receives one log line (no newline in `message`). Must not throw. */
export type ServerLog = (level: ServerLogLevel, message: string) => void

export const LOG_LEVELS: readonly ServerLogLevel[] = ["debug", "info", "warn", "error"]

/** A log that drops lines below `min`. */
export function filterLog(log: ServerLog, min: ServerLogLevel): ServerLog {
  const floor = LOG_LEVELS.indexOf(min)
  return (level, message) => {
    if (LOG_LEVELS.indexOf(level) >= floor) log(level, message)
  }
}

/**
 * At most `burst` lines per `windowMs` through `log` (for events a client can cause at will, e.g.
 * refused requests); the lines held back are counted in one summary line when the window ends.
 */
export function throttledLog(log: ServerLog, what: string, burst = 5, windowMs = 10_000): ServerLog {
  let windowStart = 0
  let sent = 0
  let held = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  return (level, message) => {
    const now = Date.now()
    if (now - windowStart >= windowMs) {
      windowStart = now
      sent = 0
    }
    if (sent < burst) {
      sent++
      return log(level, message)
    }
    held++
    timer ??= setTimeout(() => {
      timer = undefined
      log(level, `${held} more ${what} in the last ${Math.round(windowMs / 1000)} s (not logged one by one)`)
      held = 0
    }, windowMs - (now - windowStart))
    timer.unref?.()
  }
}
