/**
 * `npm run bench:ab -- <ref|dist> [<ref|dist>…]`: compares the sandbox of two or more builds side by
 * side, in ONE process, taking turns — on a shared VM two separate benchmark runs differ by more than
 * most changes do (the same build read 27–41 µs per tool call in consecutive runs).
 *
 * Each argument is a git ref (built into .tmp/ab/<commit>/ with `tsc`, reusing this checkout's
 * node_modules) or a directory holding a build (`dist`), optionally followed by a JSON object of
 * `quickjs()` options for that candidate, to compare settings of one build:
 * `'dist{"workerNice":10}'`. The current checkout's `dist` with default options is always the last
 * candidate unless given. Per build, one executor (poolSize 1); each round runs one
 * 1,000-call tool loop on every build (the order rotates), after 10 warm-up loops; then cold runs
 * 3 ms apart, rotating the same way. Prints medians and writes bench/results/ab-sandbox-<date>.json.
 *   npm run build && npm run bench:ab -- HEAD~1
 *   npm run build && npm run bench:ab -- 'dist{"workerNice":10}'
 */
import { existsSync } from "node:fs"
import { mkdir, writeFile } from "node:fs/promises"
import path from "node:path"
import { pathToFileURL } from "node:url"
import { COLD_PROGRAM, echo, toolLoop } from "../src/bench/sandbox.js"
import type { Executor } from "../src/sandbox/executor.js"
import type { TunedQuickJSOptions as QuickJSOptions } from "../src/internal.js"
import { DEFAULT_LIMITS } from "../src/sandbox/executor.js"
import { buildFor, ROOT } from "./builds.js"

const ROUNDS = Number(process.env.AB_ROUNDS ?? 24)
const COLD_ROUNDS = Number(process.env.AB_COLD_ROUNDS ?? 200)
const CALLS = 1000
const limits = { ...DEFAULT_LIMITS, timeMs: 60_000, maxToolCalls: CALLS + 10 }
const LOOP = toolLoop(CALLS)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

/** One build, with the options its executor gets. */
interface Candidate {
  dir: string
  options?: QuickJSOptions
  label: string
}

/** `<ref | dir>` or `<ref | dir>{…options as JSON…}`. */
function candidateFor(arg: string): Candidate {
  const brace = arg.indexOf("{")
  const target = brace < 0 ? arg : arg.slice(0, brace)
  const dir = buildFor(target)
  const label = path.relative(ROOT, dir) || dir
  if (brace < 0) return { dir, label }
  let options: QuickJSOptions
  try {
    options = JSON.parse(arg.slice(brace)) as QuickJSOptions
  } catch (err) {
    process.stderr.write(`bad options in ${JSON.stringify(arg)}: ${(err as Error).message} (expected JSON, e.g. 'dist{"workerNice":10}')\n`)
    process.exit(2)
  }
  return { dir, options, label: `${label} ${JSON.stringify(options)}` }
}

const args = process.argv.slice(2)
if (args.length === 0) {
  process.stderr.write("usage: npm run bench:ab -- <git ref | dist dir>[{options as JSON}] [more…]   (the current dist is added last)\n")
  process.exit(2)
}
const current = path.join(ROOT, "dist")
const candidates = args.map(candidateFor)
if (!candidates.some((c) => c.dir === current && !c.options)) {
  if (!existsSync(path.join(current, "sandbox/quickjs/index.js"))) {
    process.stderr.write("no build in dist/: run `npm run build` first\n")
    process.exit(2)
  }
  candidates.push({ dir: current, label: "dist" })
}
const executors: Executor[] = []
for (const c of candidates) {
  const mod = (await import(pathToFileURL(path.join(c.dir, "sandbox/quickjs/index.js")).href)) as typeof import("../src/sandbox/quickjs/index.js")
  executors.push(mod.tunedQuickjs({ poolSize: 1, ...c.options }))
}
const loopUs = candidates.map((): number[] => [])
const coldUs = candidates.map((): number[] => [])
try {
  for (const ex of executors) for (let i = 0; i < 10; i++) await ex.run(LOOP, echo, limits)
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < executors.length; j++) {
      const k = (j + r) % executors.length
      const out = await (executors[k] as Executor).run(LOOP, echo, limits)
      if (!out.ok) throw new Error(`tool loop failed in ${candidates[k]?.label}: ${out.error.message}`)
      loopUs[k]?.push((out.stats.durationMs * 1000) / CALLS)
    }
  }
  for (let r = 0; r < COLD_ROUNDS; r++) {
    for (let j = 0; j < executors.length; j++) {
      const k = (j + r) % executors.length
      await new Promise((res) => setTimeout(res, 3))
      const t = performance.now()
      await (executors[k] as Executor).run(COLD_PROGRAM, echo, limits)
      coldUs[k]?.push((performance.now() - t) * 1000)
    }
  }
} finally {
  for (const ex of executors) await ex.dispose()
}
const rows = candidates.map((c, k) => ({
  build: c.label,
  toolCallLoopUsPerCall: Math.round(median(loopUs[k] ?? []) * 10) / 10,
  coldExecuteP50Us: Math.round(median(coldUs[k] ?? [])),
}))
const width = Math.max(...rows.map((r) => r.build.length), 5)
process.stdout.write(`${"build".padEnd(width)}  tool call (µs per call, loop of ${CALLS}, median of ${ROUNDS})  cold p50 (µs, ${COLD_ROUNDS} runs)\n`)
for (const r of rows) process.stdout.write(`${r.build.padEnd(width)}  ${String(r.toolCallLoopUsPerCall).padStart(8)}${" ".repeat(46)}${String(r.coldExecuteP50Us).padStart(6)}\n`)
const file = path.join(ROOT, "bench/results", `ab-sandbox-${new Date().toISOString().slice(0, 10)}.json`)
await mkdir(path.dirname(file), { recursive: true })
await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rounds: ROUNDS, coldRounds: COLD_ROUNDS, rows }, null, 2)}\n`)
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`)
