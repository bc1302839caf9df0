/**
 * The saved procedures as tools of the namespace `procedures`: `codemode.procedures.<name>(input)`
 * runs the newest version's program in a fresh sandbox (see `runProcedure` in codemode.ts), with
 * the declaration and description it was saved with, so search finds it like any tool.
 */
import type { CallContext, Tool, ToolSource } from "../../tools/tool.js"
import type { Procedure, ProcedureStore } from "./store.js"

export const PROCEDURES_NAMESPACE = "procedures"
/** How often the store is asked whether another process changed the procedures, in ms. */
const POLL_MS = 1_000

/**
 * `run(procedure, input, ctx)` runs one call; `transactional(procedure)` says whether every tool the
 * procedure calls is known and keeps its effects in the run (then so does the procedure: see `Tool.transactional`).
 */
export function proceduresSource(
  store: ProcedureStore,
  run: (procedure: Procedure, input: unknown, ctx: CallContext) => Promise<unknown>,
  transactional: (procedure: Procedure) => boolean,
): ToolSource {
  /** Procedures whose `transactional` is being asked (it asks those they call): one met again is a loop, which fails before any effect. */
  const asking = new Set<string>()
  const toTool = (p: Procedure): Tool => ({
    name: p.name,
    namespace: PROCEDURES_NAMESPACE,
    description: `${p.description || `Saved procedure ${p.name}.`} (saved procedure, version ${p.version}${p.tools.length ? `; calls ${p.tools.join(", ")}` : ""})`,
    inputSchema: p.inputSchema,
    origin: { kind: "procedures", originalName: p.name },
    // asked when a run is replayed, by then the tools it calls are loaded
    get transactional() {
      if (asking.has(p.name)) return false
      asking.add(p.name)
      try {
        return transactional(p)
      } finally {
        asking.delete(p.name)
      }
    },
    call: (input, ctx) => run(p, input, ctx),
  })
  let loaded: number | undefined // the store's revision the catalog was loaded at
  return {
    namespace: PROCEDURES_NAMESPACE,
    kind: "procedures",
    load: async () => {
      loaded = await store.revision()
      const names = await store.list()
      const newest = await Promise.all(names.map((s) => store.get(s.name)))
      return newest.flatMap((p) => (p ? [toTool(p)] : []))
    },
    // What another process saved or removed reaches the catalog within a poll.
    onToolsChanged: (listener) => {
      const timer = setInterval(() => {
        store.revision().then((revision) => {
          if (loaded === undefined || revision === loaded) return
          loaded = revision
          listener()
        }, () => undefined) // an unreadable database: the next poll tries again
      }, POLL_MS)
      timer.unref?.()
      return () => clearInterval(timer)
    },
  }
}
