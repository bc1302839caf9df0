/**
 * `npm run bench:sessions -- [<ref | dist dir>…]`: what many clients that only send `initialize` do
 * to the RSS of `codemode serve --http` (a real subprocess, `--demo` tools), read from /proc (Linux).
 *
 * For the current build (`dist`, always measured) three settings: sessions never expire and are not
 * capped (the behaviour before idle timeouts: `--idle-timeout 24h --max-sessions 100000`), the
 * defaults (30 min idle, at most 1,000 sessions), and a short idle timeout (5 s) to see the memory of
 * expired sessions reused. Other builds given on the command line (e.g. `main`, built into
 * .tmp/ab/) run with their own defaults. Per setting: RSS after start and one warm-up session, then
 * WAVES waves of CLIENTS initialize-only clients (CONCURRENCY at a time), each followed by WAIT_MS of
 * quiet (time for sessions to expire): RSS after each wave and each wait, and the answers by status.
 * V8 keeps the pages of freed objects, so RSS does not fall after expiry: what shows whether sessions
 * are freed is whether it stays flat over the later waves — or, definitively, the heap after a full
 * GC: the last part runs the server of these sources in this process (the script runs with
 * --expose-gc) with a 2 s idle timeout and reads `heapUsed` after `gc()` before and after each wave
 * and after its sessions expired. Writes bench/results/http-sessions-<date>.json.
 *   npm run build && npm run bench:sessions -- main
 */
import { spawn, type ChildProcess } from "node:child_process"
import { once } from "node:events"
import { existsSync, readFileSync } from "node:fs"
import { mkdir, writeFile } from "node:fs/promises"
import path from "node:path"
import { demoSource } from "../src/tools/demo.js"
import { listenHttp } from "../src/server/http.js"
import { createCodeModeServer } from "../src/server/server.js"
import { buildFor, ROOT } from "./builds.js"

const CLIENTS = Number(process.env.SESSIONS_CLIENTS ?? 3_000)
const CONCURRENCY = Number(process.env.SESSIONS_CONCURRENCY ?? 32)
const WAVES = Number(process.env.SESSIONS_WAVES ?? 3)
const SHORT_IDLE_MS = 5_000
const WAIT_MS = SHORT_IDLE_MS + 5_000
const MiB = 1024 * 1024

interface Setting {
  build: string
  label: string
  flags: string[]
}

interface Figures {
  build: string
  setting: string
  rssStartMiB: number
  /** Per wave: RSS right after its clients, and after the quiet that follows. */
  waves: Array<{ afterClientsMiB: number; afterWaitMiB: number }>
  peakRssMiB: number
  statuses: Record<string, number>
  /** What the first client's session id gets after the wait (404 "session expired …" once it expired). */
  firstSessionAfterWait: string
}

const INITIALIZE = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "0" } } })
const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" }

/** VmRSS and VmHWM of a process, in MiB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN)
  return { rss: Math.round((kib("VmRSS") * 1024 * 10) / MiB) / 10, peak: Math.round((kib("VmHWM") * 1024 * 10) / MiB) / 10 }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function start(dist: string, flags: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(dist, "cli/main.js"), "serve", "--demo", "--http", "0", ...flags], {
    cwd: ROOT,
    env: { ...process.env, CODEMODE_TOKEN: "" },
    stdio: ["ignore", "ignore", "pipe"],
  })
  let stderr = ""
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()))
  const deadline = Date.now() + 60_000
  for (;;) {
    const url = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr)?.[1]
    if (url) return { child, url }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`codemode serve did not start: ${stderr}`)
    await sleep(50)
  }
}

async function initialize(url: string): Promise<{ status: number; session?: string }> {
  const res = await fetch(url, { method: "POST", headers: HEADERS, body: INITIALIZE })
  await res.arrayBuffer()
  const session = res.headers.get("mcp-session-id") ?? undefined
  return { status: res.status, ...(session ? { session } : {}) }
}

/** CLIENTS initialize-only clients, CONCURRENCY at a time; the answers by status; the first session id. */
async function wave(url: string, statuses: Record<string, number>): Promise<string | undefined> {
  let first: string | undefined
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CLIENTS) {
        next++
        const { status, session } = await initialize(url)
        statuses[status] = (statuses[status] ?? 0) + 1
        first ??= session
      }
    }),
  )
  return first
}

async function measure(setting: Setting): Promise<Figures> {
  const { child, url } = await start(setting.build, setting.flags)
  const pid = child.pid as number
  try {
    await initialize(url)
    await sleep(2_000)
    const rssStart = memory(pid).rss
    const statuses: Record<string, number> = {}
    const waves: Figures["waves"] = []
    let first: string | undefined
    for (let n = 0; n < WAVES; n++) {
      const session = await wave(url, statuses)
      first ??= session
      const afterClientsMiB = memory(pid).rss
      await sleep(WAIT_MS)
      waves.push({ afterClientsMiB, afterWaitMiB: memory(pid).rss })
    }
    const after = await fetch(url, { method: "POST", headers: { ...HEADERS, "mcp-session-id": first ?? "", "mcp-protocol-version": "2025-06-18" }, body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }) })
    const text = await after.text()
    const answer = after.status === 404 ? `404 ${(JSON.parse(text) as { error?: { message?: string } }).error?.message ?? ""}` : String(after.status)
    return {
      build: path.relative(ROOT, setting.build) || setting.build,
      setting: setting.label,
      rssStartMiB: rssStart,
      waves,
      peakRssMiB: memory(pid).peak,
      statuses,
      firstSessionAfterWait: answer,
    }
  } finally {
    child.kill("SIGTERM")
    if (child.exitCode === null) await once(child, "exit")
  }
}

/** Heap after a full GC, in MiB, of a server in this process: at start, then per wave after its clients and after expiry. */
async function heapInProcess(): Promise<{ startMiB: number; waves: Array<{ afterClientsMiB: number; sessions: number; afterExpiryMiB: number }> }> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error("run with node --expose-gc (npm run bench:sessions does)")
  const heap = () => {
    gc()
    gc()
    return Math.round((process.memoryUsage().heapUsed * 10) / MiB) / 10
  }
  const server = await createCodeModeServer({ sources: [demoSource()] })
  const endpoint = await listenHttp(server, { port: 0, idleTimeoutMs: 2_000, maxSessions: 100_000 })
  try {
    await wave(endpoint.url, {})
    await sleep(3_000)
    const startMiB = heap()
    const waves = []
    for (let i = 0; i < WAVES; i++) {
      await wave(endpoint.url, {})
      const afterClientsMiB = heap()
      const sessions = endpoint.sessions()
      await sleep(3_000)
      waves.push({ afterClientsMiB, sessions, afterExpiryMiB: heap() })
    }
    return { startMiB, waves }
  } finally {
    await endpoint.close()
    await server.close()
  }
}

const current = path.join(ROOT, "dist")
if (!existsSync(path.join(current, "cli/main.js"))) {
  process.stderr.write("no build in dist/: run `npm run build` first\n")
  process.exit(2)
}
const settings: Setting[] = [
  ...process.argv.slice(2).map((arg): Setting => ({ build: buildFor(arg), label: `${arg} (its defaults)`, flags: [] })),
  { build: current, label: "no expiry, no cap (--idle-timeout 24h --max-sessions 100000)", flags: ["--idle-timeout", "24h", "--max-sessions", "100000"] },
  { build: current, label: "defaults (30 min idle, 1,000 sessions)", flags: [] },
  { build: current, label: `idle timeout ${SHORT_IDLE_MS / 1000} s, no cap`, flags: ["--idle-timeout", `${SHORT_IDLE_MS}ms`, "--max-sessions", "100000"] },
]
const rows: Figures[] = []
for (const setting of settings) {
  process.stderr.write(`${setting.label}: ${CLIENTS} initialize-only clients …\n`)
  rows.push(await measure(setting))
}
process.stdout.write(`${WAVES} waves of ${CLIENTS} initialize-only clients, ${CONCURRENCY} at a time, ${WAIT_MS / 1000} s apart; RSS in MiB (after a wave's clients / after its quiet)\n`)
for (const r of rows) {
  const statuses = Object.entries(r.statuses).map(([s, n]) => `${n}×${s}`).join(" ")
  const waves = r.waves.map((w) => `${w.afterClientsMiB}/${w.afterWaitMiB}`).join("  ")
  process.stdout.write(`${r.setting}\n  start ${r.rssStartMiB}  waves ${waves}  peak ${r.peakRssMiB}  [${statuses}]  first session at the end: ${r.firstSessionAfterWait}\n`)
}
process.stderr.write("heap of a server in this process (2 s idle timeout) …\n")
const heap = await heapInProcess()
const heapWaves = heap.waves.map((w) => `${w.afterClientsMiB} (${w.sessions} open)/${w.afterExpiryMiB}`).join("  ")
process.stdout.write(`heap after GC, MiB, server in this process, idle timeout 2 s: start ${heap.startMiB}  waves (after clients/after expiry) ${heapWaves}\n`)
const file = path.join(ROOT, "bench/results", `http-sessions-${new Date().toISOString().slice(0, 10)}.json`)
await mkdir(path.dirname(file), { recursive: true })
await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, clients: CLIENTS, waves: WAVES, concurrency: CONCURRENCY, waitMs: WAIT_MS, rows, heap }, null, 2)}\n`)
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`)
