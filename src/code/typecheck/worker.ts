/**
 * The typecheck process: loads TypeScript once, holds one catalog's declarations at a time and
 * checks programs against them, one at a time. The host bounds its time (it kills the process) and
 * its heap (`--max-old-space-size`): a program whose types make the checker spin or grow costs this
 * process, never the host.
 */
import { createRequire } from "node:module"
import type TsModule from "typescript"
import { loadCatalog, type LoadedCatalog } from "./catalog.js"
import type { LibCache } from "./compiler.js"
import type { HostToWorker, WorkerDiagnostic, WorkerToHost } from "./protocol.js"

// Required, not imported: importing TypeScript's CommonJS bundle as an ES module first scans all of
// it for named exports, which takes longer than loading it (docs/typecheck.md, cold start).
const ts = createRequire(import.meta.url)("typescript") as typeof TsModule

function main(): void {
  const port = process
  if (!port.send) throw new Error("[codemode] [typecheck] worker.ts must run as a child process with an IPC channel")
  const libs: LibCache = new Map()
  let catalog: { version: number; loaded: LoadedCatalog } | undefined
  const send = (msg: WorkerToHost) => port.send!(msg)
  const handle = (msg: HostToWorker) => {
    const started = performance.now()
    const cpu = process.cpuUsage()
    if (msg.t === "catalog") {
      catalog = undefined
      try {
        catalog = { version: msg.version, loaded: loadCatalog(ts, msg.tools, libs) }
        send({ t: "loaded", version: msg.version, ms: performance.now() - started })
      } catch (error) {
        send({ t: "failed", version: msg.version, message: String(error) })
      }
      return
    }
    if (!catalog || catalog.version !== msg.version) {
      send({ t: "failed", id: msg.id, message: `catalog ${msg.version} is not loaded` })
      return
    }
    try {
      const { loaded } = catalog
      const diagnostics = loaded.compiler.check(msg.input).map((d): WorkerDiagnostic => {
        const { tool, ...rest } = d
        const hint = loaded.missingToolHint(d.message)
        if (hint) rest.message = `${rest.message} ${hint}`
        if (!tool) return rest
        const signature = loaded.signature(tool)
        return { ...rest, tool: `${tool.namespace}.${tool.name}`, ...(signature ? { signature } : {}) }
      })
      const used = process.cpuUsage(cpu)
      send({ t: "checked", id: msg.id, diagnostics, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, heapBytes: process.memoryUsage().heapUsed })
    } catch (error) {
      send({ t: "failed", id: msg.id, message: String(error) })
    }
  }
  port.on("message", (msg) => handle(msg as HostToWorker))
  port.on("disconnect", () => process.exit(0)) // the host went away
}

main()
