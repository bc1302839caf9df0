/**
 * Starts the checker's process: `worker.js` next to this file in dist/, or `worker.ts` through tsx
 * when running from sources (vitest, tsx). A child process rather than a worker thread: V8 aborts
 * the whole process when one allocation overshoots a worker thread's heap limit (seen with the
 * checker growing a huge Map), so only a process of its own keeps the host alive on any payload.
 */
import { fork, type ChildProcess } from "node:child_process"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import { codemodeError } from "../../errors.js"

export function forkChecker(memoryMb: number): ChildProcess {
  const execArgv = [`--max-old-space-size=${memoryMb}`]
  const options = { serialization: "advanced" as const, stdio: ["ignore", "ignore", "ignore", "ipc"] as ("ignore" | "ipc")[], env: {} }
  const js = fileURLToPath(new URL("./worker.js", import.meta.url))
  if (existsSync(js)) return fork(js, [], { ...options, execArgv })
  const ts = fileURLToPath(new URL("./worker.ts", import.meta.url))
  if (!existsSync(ts)) throw codemodeError("TYPECHECK_FAILED", "typecheck", `checker entry not found next to ${fileURLToPath(import.meta.url)}`)
  let tsx: string
  try {
    tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm").replace(/\.cjs$/, ".mjs")).href
  } catch (cause) {
    throw codemodeError("TYPECHECK_FAILED", "typecheck", "running from TypeScript sources needs the tsx package; run `npm run build` or install tsx", { cause })
  }
  return fork(ts, [], { ...options, execArgv: [...execArgv, "--import", tsx] })
}
