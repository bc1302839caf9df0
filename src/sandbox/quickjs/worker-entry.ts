/**
 * Starts a sandbox worker thread from compiled output (`worker.js` next to this file in dist/) or,
 * when running from TypeScript sources (vitest, tsx), from `worker.ts` through tsx's loader.
 */
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from "node:worker_threads"
import { codemodeError } from "../../errors.js"
import { channelMemory } from "./channel.js"
import type { WorkerConfig } from "./protocol.js"

/** A started worker thread and the host's end of its channel (see channel.ts and protocol.ts). */
export interface StartedWorker {
  worker: Worker
  port: MessagePort
  memory: SharedArrayBuffer
}

export function startWorker(config: Omit<WorkerConfig, "port" | "memory">, resourceLimits: ResourceLimits): StartedWorker {
  // A MessageChannel of our own rather than the worker's built-in port: both ends can then be
  // polled with receiveMessageOnPort (channel.ts).
  const { port1, port2 } = new MessageChannel()
  const memory = channelMemory()
  return { worker: spawn({ ...config, port: port2, memory }, resourceLimits), port: port1, memory }
}

function spawn(config: WorkerConfig, resourceLimits: ResourceLimits): Worker {
  const js = new URL("./worker.js", import.meta.url)
  const options = { workerData: config, transferList: [config.port], resourceLimits, stdout: false, stderr: false }
  if (existsSync(fileURLToPath(js))) return new Worker(js, options)
  const ts = new URL("./worker.ts", import.meta.url)
  if (!existsSync(fileURLToPath(ts))) {
    throw codemodeError("SANDBOX_FAILED", "quickjs", `worker entry not found next to ${fileURLToPath(import.meta.url)}`)
  }
  let tsxApi: string
  try {
    // The ESM build (the CJS one cannot register the loader in a worker).
    tsxApi = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href
  } catch (cause) {
    throw codemodeError("SANDBOX_FAILED", "quickjs", "running from TypeScript sources needs the tsx package; run `npm run build` or install tsx", { cause })
  }
  // tsx's loader cannot be passed to a worker with --import on Node 20; register it from inside.
  const code =
    `import(${JSON.stringify(tsxApi)}).then((m) => m.tsImport(${JSON.stringify(ts.href)}, ${JSON.stringify(import.meta.url)}))` +
    `.catch((e) => { setImmediate(() => { throw e }) })`
  return new Worker(code, { ...options, eval: true })
}
