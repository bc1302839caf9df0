/** Defaults of the Streamable HTTP endpoint (http.ts), in a module of their own: importing them does not load the MCP SDK. */

/** Default idle timeout of a session: 30 minutes. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000
/** Default cap on open sessions. */
export const DEFAULT_MAX_SESSIONS = 1_000
