/**
 * A test double of the Executor contract (tests only, never in src/): runs the body with
 * `AsyncFunction` on the host, no isolation. It lets the runtime's own logic be tested in isolation
 * and records what it was given.
 */
import type { Bindings, Executor, Limits, LogLine, RunOutcome } from "../../src/sandbox/executor.js"

export interface HostExecutor extends Executor {
  runs: { js: string; limits: Limits; signal?: AbortSignal }[]
  disposed: number
}

type AsyncFn = (codemode: unknown, console: unknown) => Promise<unknown>
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => AsyncFn

function namespaced(bindings: Bindings): Record<string, Record<string, unknown>> {
  const root: Record<string, Record<string, unknown>> = {}
  for (const [key, fn] of Object.entries(bindings)) {
    const [ns, name] = key.split(".") as [string, string]
    root[ns] ??= {}
    ;(root[ns] as Record<string, unknown>)[name] = (args: unknown) => fn(structuredClone(args))
  }
  return root
}

/** Line of the body from a V8 stack (`<anonymous>:LINE:COL`, the function header takes 2 lines). */
function lineOf(error: unknown): { line?: number; column?: number } {
  const m = /<anonymous>:(\d+):(\d+)/.exec((error as Error)?.stack ?? "")
  return m ? { line: Number(m[1]) - 2, column: Number(m[2]) } : {}
}

export function hostExecutor(): HostExecutor {
  const self: HostExecutor = {
    name: "host-double",
    runs: [],
    disposed: 0,
    async run(js, bindings, limits, signal): Promise<RunOutcome> {
      self.runs.push({ js, limits, ...(signal ? { signal } : {}) })
      const started = performance.now()
      const logs: LogLine[] = []
      let toolCalls = 0
      const counting: Bindings = Object.fromEntries(
        Object.entries(bindings).map(([k, fn]) => [k, (a: unknown) => (toolCalls++, fn(a))]),
      )
      const log = (level: LogLine["level"]) => (...args: unknown[]) => logs.push({ level, message: args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ") })
      const console = { log: log("log"), info: log("info"), warn: log("warn"), error: log("error") }
      const stats = () => ({ durationMs: performance.now() - started, toolCalls })
      try {
        const aborted = new Promise<never>((_, reject) => {
          if (signal?.aborted) reject(new Error("aborted"))
          signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true })
        })
        const value = await Promise.race([new AsyncFunction("codemode", "console", js)(namespaced(counting), console), aborted])
        return { ok: true, value: structuredClone(value), logs, stats: stats() }
      } catch (error) {
        if (signal?.aborted) return { ok: false, error: { kind: "aborted", message: "aborted" }, logs, stats: stats() }
        const message = `${(error as Error).name}: ${(error as Error).message}`
        return { ok: false, error: { kind: "runtime", message, ...lineOf(error) }, logs, stats: stats() }
      }
    },
    async dispose() {
      self.disposed++
    },
  }
  return self
}
