/**
 * The server face's entry points as `src/index.ts` exports them: each loads its module, and with it
 * the MCP SDK (slow to load, docs/runtime.md#startup), on its first call, so `import "codemode"` does not.
 */
import type { HttpEndpoint, HttpOptions } from "./http.js"
import type { ContextMeasure, MeasureOptions } from "./measure.js"
import type { CodeModeServer, CodeModeServerOptions } from "./server.js"

/** See {@link import("./server.js").createCodeModeServer}. */
export async function createCodeModeServer(options: CodeModeServerOptions): Promise<CodeModeServer> {
  return (await import("./server.js")).createCodeModeServer(options)
}

/** See {@link import("./http.js").listenHttp}. */
export async function listenHttp(server: CodeModeServer, options: HttpOptions): Promise<HttpEndpoint> {
  return (await import("./http.js")).listenHttp(server, options)
}

/** See {@link import("./measure.js").measureContext}. */
export async function measureContext(server: CodeModeServer, options?: MeasureOptions): Promise<ContextMeasure> {
  return (await import("./measure.js")).measureContext(server, options)
}
