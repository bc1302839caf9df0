/**
 * `npm run bench -- startup`: how fast codemode starts, measured against the build (`npm run build`
 * first), as separate `node` processes.
 * - Cold start: `node -e 0` (the floor), `node -e 'await import("codemode")'` and
 *   `node dist/cli/main.js --help`, and for reference the import of an empty ES module (what any
 *   `import()` costs: starting Node's ES module loader), run in turns (floor, empty import, import,
 *   help, floor, …) so all see the same machine; medians of `repetitions` runs each. Each runs under `sh -c '…; times'`, which
 *   also gives the CPU time (user + system, 10 ms ticks) the node process used: on a shared
 *   machine wall time follows the load, CPU time much less.
 * - A large spec: the Graph-like spec of test/fixtures/openapi/graph-like.ts (11,422 operations),
 *   written to a temporary file. `codemode serve --openapi` until its first `tools/list` answer (wall
 *   time from spawn, peak RSS of the server process), and `codemode tokens --openapi --json` (wall
 *   time, peak RSS, what it reported, or how it died).
 * Peak RSS is VmHWM from /proc (Linux only; null elsewhere).
 */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { renderTable, type Cell } from "../src/runtime/text-table.js"
import { graphLikeSpec } from "../test/fixtures/openapi/graph-like.js"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const MAIN = path.join(ROOT, "dist", "cli", "main.js")
const INDEX = path.join(ROOT, "dist", "index.js")

export interface StartupBenchOptions {
  /** Runs of each cold-start command. Default 20. */
  repetitions?: number
  /** Runs of `serve` on the large spec. Default 3. */
  serveRuns?: number
  /** `serve` and `tokens` on the large spec are given up after this long. Default 300,000 ms. */
  timeoutMs?: number
}

export interface Timing {
  command: string
  runs: number
  medianMs: number
  minMs: number
  maxMs: number
  /** Median CPU time (user + system) of the node process. */
  cpuMedianMs: number
}

export interface LargeSpecFigures {
  operations: number
  schemas: number
  specBytes: number
  /** `serve` until the first tools/list answer, per run (`error` when it did not answer in time). */
  serve: Array<{ ms: number; peakRssMb: number | null; tools: string[]; error?: string }>
  tokens: { ms: number; peakRssMb: number | null; exit: string; report?: unknown; stderr: string }
}

export interface StartupBenchResult {
  floor: Timing
  /** `await import()` of an empty ES module: the ES module loader's own start-up. */
  emptyImport: Timing
  importLibrary: Timing
  help: Timing
  largeSpec: LargeSpecFigures
  machine: { node: string; cpu: string; cores: number; loadAverage1mBefore: number; loadAverage1mAfter: number }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}
const round = (n: number) => Math.round(n * 10) / 10

/** Peak resident set of a live process in MB (VmHWM), or null where /proc is not there. */
function peakRssMb(pid: number | undefined | null): number | null {
  if (!pid) return null
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]
    return kb === undefined ? null : round(Number(kb) / 1024)
  } catch {
    return null
  }
}

interface Spawned {
  ms: number
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  peakRssMb: number | null
}

/** Runs `node <args>` to its end (killed after `timeoutMs`), polling its peak RSS. */
function runNode(args: string[], timeoutMs = 60_000): Promise<Spawned> {
  return runProcess(process.execPath, args, timeoutMs)
}

function runProcess(command: string, args: string[], timeoutMs: number): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    let peak: number | null = null
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    const poll = setInterval(() => (peak = peakRssMb(child.pid) ?? peak), 25)
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("error", reject)
    child.on("exit", (code, signal) => {
      const ms = performance.now() - start
      clearInterval(poll)
      clearTimeout(timer)
      child.on("close", () => resolve({ ms, code, signal, stdout, stderr, peakRssMb: peak }))
    })
  })
}

/** `node <args>` under `sh -c '…; times'`: wall time of the whole, CPU time of the node child. */
async function timedNode(args: string[]): Promise<{ ms: number; cpuMs: number }> {
  const run = await runShell(["-c", '"$0" "$@" >/dev/null 2>&1 || exit 1; times', process.execPath, ...args])
  if (run.code !== 0) throw new Error(`node ${args.join(" ")} failed`)
  // times: the shell's own user/system time, then its children's, e.g. "0m0.070000s 0m0.030000s"
  const children = run.stdout.trim().split("\n")[1] ?? ""
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0)
  return { ms: run.ms, cpuMs: seconds * 1000 }
}

function runShell(args: string[]): Promise<Spawned> {
  return runProcess("sh", args, 60_000)
}

/** The cold-start commands in turns, `repetitions` rounds. */
async function coldStart(repetitions: number): Promise<Pick<StartupBenchResult, "floor" | "emptyImport" | "importLibrary" | "help">> {
  const importCode = `await import(${JSON.stringify(pathToFileURL(INDEX).href)})`
  const cases = [
    { command: "node -e 0", args: ["-e", "0"] },
    { command: `node -e 'await import("data:text/javascript,")'`, args: ["--input-type=module", "-e", `await import("data:text/javascript,")`] },
    { command: `node -e 'await import("codemode")' (dist/index.js)`, args: ["--input-type=module", "-e", importCode] },
    { command: "node dist/cli/main.js --help", args: [MAIN, "--help"] },
  ]
  const times = cases.map(() => [] as number[])
  const cpu = cases.map(() => [] as number[])
  for (const c of cases) await timedNode(c.args) // warm the file cache
  for (let r = 0; r < repetitions; r++) {
    for (const [i, c] of cases.entries()) {
      const run = await timedNode(c.args)
      times[i]?.push(run.ms)
      cpu[i]?.push(run.cpuMs)
    }
  }
  const timing = (i: number): Timing => {
    const xs = times[i] as number[]
    return {
      command: (cases[i] as { command: string }).command,
      runs: xs.length,
      medianMs: round(median(xs)),
      minMs: round(Math.min(...xs)),
      maxMs: round(Math.max(...xs)),
      cpuMedianMs: round(median(cpu[i] as number[])),
    }
  }
  return { floor: timing(0), emptyImport: timing(1), importLibrary: timing(2), help: timing(3) }
}

/** `codemode serve --openapi <spec>` over stdio until the first tools/list answer. */
async function serveOnce(spec: string, timeoutMs: number): Promise<LargeSpecFigures["serve"][number]> {
  const start = performance.now()
  const transport = new StdioClientTransport({ command: process.execPath, args: [MAIN, "serve", "--openapi", spec, "--namespace", "graph"], stderr: "ignore" })
  const client = new Client({ name: "bench-startup", version: "0" })
  let peak: number | null = null
  const poll = setInterval(() => (peak = peakRssMb(transport.pid) ?? peak), 25)
  try {
    await client.connect(transport, { timeout: timeoutMs })
    const { tools } = await client.listTools(undefined, { timeout: timeoutMs })
    const ms = performance.now() - start
    return { ms: round(ms), peakRssMb: peakRssMb(transport.pid), tools: tools.map((t) => t.name) }
  } catch (error) {
    return { ms: round(performance.now() - start), peakRssMb: peak, tools: [], error: error instanceof Error ? error.message : String(error) }
  } finally {
    clearInterval(poll)
    await client.close()
  }
}

async function largeSpec(serveRuns: number, timeoutMs: number): Promise<LargeSpecFigures> {
  const doc = graphLikeSpec()
  const dir = mkdtempSync(path.join(tmpdir(), "codemode-bench-"))
  const file = path.join(dir, "graph-like.json")
  const text = JSON.stringify(doc)
  writeFileSync(file, text)
  try {
    const serve = []
    for (let i = 0; i < serveRuns; i++) serve.push(await serveOnce(file, timeoutMs))
    const run = await runNode([MAIN, "tokens", "--openapi", file, "--namespace", "graph", "--json"], timeoutMs)
    const exit = run.code === 0 ? "ok" : run.signal === "SIGKILL" ? `killed after ${timeoutMs} ms` : run.signal ? `signal ${run.signal}` : `exit code ${run.code}`
    let report: unknown
    try {
      report = run.code === 0 ? JSON.parse(run.stdout) : undefined
    } catch {
      report = undefined
    }
    const paths = doc.paths as Record<string, Record<string, unknown>>
    return {
      operations: Object.values(paths).reduce((n, item) => n + ["get", "put", "post", "delete", "patch"].filter((m) => item[m]).length, 0),
      schemas: Object.keys((doc.components as { schemas: object }).schemas).length,
      specBytes: text.length,
      serve,
      tokens: { ms: round(run.ms), peakRssMb: run.peakRssMb, exit, ...(report === undefined ? {} : { report }), stderr: run.stderr.trim().split("\n").slice(-3).join("\n") },
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function benchStartup(options: StartupBenchOptions = {}): Promise<StartupBenchResult> {
  if (!existsSync(MAIN)) throw new Error("dist/ is missing: run `npm run build` first")
  const loadBefore = loadavg()[0] ?? 0
  const cold = await coldStart(options.repetitions ?? 20)
  const large = await largeSpec(options.serveRuns ?? 3, options.timeoutMs ?? 300_000)
  return {
    ...cold,
    largeSpec: large,
    machine: { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: availableParallelism(), loadAverage1mBefore: round(loadBefore), loadAverage1mAfter: round(loadavg()[0] ?? 0) },
  }
}

export function startupTable(r: StartupBenchResult): string {
  const ms = (n: number) => `${n.toFixed(0)} ms`
  const cold: Cell[][] = [r.floor, r.emptyImport, r.importLibrary, r.help].map((t) => [
    t.command,
    ms(t.medianMs),
    ms(t.minMs),
    ms(t.maxMs),
    ms(t.medianMs - r.floor.medianMs),
    ms(t.cpuMedianMs),
    ms(t.cpuMedianMs - r.floor.cpuMedianMs),
  ])
  const l = r.largeSpec
  const mb = (n: number | null) => (n === null ? "n/a" : `${n.toFixed(0)} MB`)
  const tokens = l.tokens.report as { naiveTokens?: number | null; naiveTooLarge?: unknown[] } | undefined
  const naive = tokens?.naiveTooLarge ? "naive list: not representable" : `naive list: ${tokens?.naiveTokens?.toLocaleString("en-US")} tokens`
  const big: Cell[][] = [
    ...l.serve.map((s, i): Cell[] => [`serve → first tools/list (run ${i + 1})`, ms(s.ms), mb(s.peakRssMb), s.error ?? s.tools.join(" + ")]),
    ["tokens --json", ms(l.tokens.ms), mb(l.tokens.peakRssMb), l.tokens.exit === "ok" ? naive : `${l.tokens.exit}: ${l.tokens.stderr.split("\n").pop()}`],
  ]
  const m = r.machine
  return [
    renderTable(["command", "wall median", "min", "max", "over floor", "CPU median", "CPU over floor"], cold),
    `${r.floor.runs} runs each, in turns, each under sh -c '…; times'. Targets (wall): import <= 150 ms, --help <= 250 ms.`,
    "",
    `Graph-like spec: ${l.operations.toLocaleString("en-US")} operations, ${l.schemas.toLocaleString("en-US")} schemas, ${(l.specBytes / 1e6).toFixed(1)} MB JSON`,
    renderTable(["step", "time", "peak RSS", "result"], big),
    "Targets: serve's first tools/list < 5 s and < 600 MB; tokens must not crash.",
    `node ${m.node}, ${m.cpu}, ${m.cores} cores, load average ${m.loadAverage1mBefore} before, ${m.loadAverage1mAfter} after`,
  ].join("\n")
}
