/**
 * What a client hears while `execute` runs: MCP logging notifications (only once the client chose a
 * level with `logging/setLevel`) and progress notifications (only when the request carried a
 * `progressToken`): one per completed tool call, plus a heartbeat while nothing else happens.
 */
import type { LoggingLevel, ServerNotification } from "@modelcontextprotocol/sdk/types.js"
import type { LogLine } from "../sandbox/executor.js"
import type { CallRecord } from "../runtime/codemode.js"

/** MCP log levels, least severe first. */
const SEVERITY: readonly LoggingLevel[] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]

/** Logger name on every notification. */
export const LOGGER = "codemode"

/** Default time between progress heartbeats. */
export const DEFAULT_HEARTBEAT_MS = 5_000

/** Sends one notification about the request being handled. */
export type Notify = (notification: ServerNotification) => Promise<void>

/** The log level a session's client asked for; none means no logging notifications at all. */
export interface LogLevelState {
  level?: LoggingLevel
}

const CONSOLE_LEVELS: Record<LogLine["level"], LoggingLevel> = { log: "info", info: "info", warn: "warning", error: "error", debug: "debug" }

/** Logging notifications for one request, filtered by the session's level. */
export function createRequestLogger(state: LogLevelState, notify: Notify) {
  const send = (level: LoggingLevel, data: string): Promise<void> => {
    const wanted = state.level
    if (wanted === undefined || SEVERITY.indexOf(level) < SEVERITY.indexOf(wanted)) return Promise.resolve()
    return notify({ method: "notifications/message", params: { level, logger: LOGGER, data } }).catch(() => undefined)
  }
  return {
    call: (event: CallRecord) =>
      send(
        event.ok ? "info" : "warning",
        `tool ${event.tool} ${event.ok ? "ok" : `failed: ${event.error?.message ?? ""}`} (${Math.round(event.durationMs)} ms)`,
      ),
    console: (lines: readonly LogLine[]) => Promise.all(lines.map((l) => send(CONSOLE_LEVELS[l.level], `console.${l.level}: ${l.message}`))),
    error: (message: string) => send("error", message),
  }
}

export interface ProgressOptions {
  /** From the request's `_meta.progressToken`; without it nothing is sent. */
  token?: string | number
  /** Time between heartbeats. Default {@link DEFAULT_HEARTBEAT_MS}. */
  heartbeatMs?: number
}

/**
 * Progress of one run. `progress` counts the notifications (it must increase with each one); the
 * message says what happened. Call `stop()` when the run is over.
 */
export function createProgress(notify: Notify, options: ProgressOptions) {
  const token = options.token
  if (token === undefined) return { call: (_event: CallRecord) => undefined, stop: () => undefined }
  const started = performance.now()
  let sent = 0
  let done = 0
  const send = (message: string) => {
    sent++
    notify({ method: "notifications/progress", params: { progressToken: token, progress: sent, message } }).catch(() => undefined)
  }
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`
  const timer = setInterval(() => send(`running for ${elapsed()}, ${done} tool calls done`), options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS)
  timer.unref()
  return {
    call(event: CallRecord) {
      done++
      send(`tool call ${done} ${event.ok ? "done" : "failed"}: ${event.tool} (${Math.round(event.durationMs)} ms)`)
    },
    stop: () => clearInterval(timer),
  }
}
