/**
 * `npm run bench:ab -- <ref|dist> [<ref|dist>…]`: compares the sandbox of two or more builds side by
 * side, in ONE process, taking turns — on a shared VM two separate benchmark runs differ by more than
 * most changes do (the same build read 27–41 µs per tool call in consecutive runs).
 *
 * Each argument is a git ref (built into .tmp/ab/<commit>/ with `tsc`, reusing this checkout's
 * node_modules) or a directory holding a build (`dist`). The current checkout's `dist` is always
 * the last candidate unless given. Per build, one executor (poolSize 1); each round runs one
 * 1,000-call tool loop on every build (the order rotates), after 10 warm-up loops; then cold runs
 * 3 ms apart, rotating the same way. Prints medians and writes bench/results/ab-sandbox-<date>.json.
 *   npm run build && npm run bench:ab -- HEAD~1
 */
import { execFileSync } from "node:child_process"
import { existsSync, symlinkSync } from "node:fs"
import { mkdir, writeFile } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { COLD_PROGRAM, echo, toolLoop } from "../src/bench/sandbox.js"
import type { Executor } from "../src/sandbox/executor.js"
import { DEFAULT_LIMITS } from "../src/sandbox/executor.js"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const ROUNDS = Number(process.env.AB_ROUNDS ?? 24)
const COLD_ROUNDS = Number(process.env.AB_COLD_ROUNDS ?? 200)
const CALLS = 1000
const limits = { ...DEFAULT_LIMITS, timeMs: 60_000, maxToolCalls: CALLS + 10 }
const LOOP = toolLoop(CALLS)

/** A build directory for a ref or a path given on the command line. */
function buildFor(arg: string): string {
  if (existsSync(path.join(arg, "sandbox/quickjs/index.js"))) return path.resolve(arg)
  const commit = execFileSync("git", ["rev-parse", "--verify", `${arg}^{commit}`], { cwd: ROOT, encoding: "utf8" }).trim()
  const tree = path.join(ROOT, ".tmp/ab", commit.slice(0, 12))
  const dist = path.join(tree, "dist")
  if (existsSync(path.join(dist, "sandbox/quickjs/index.js"))) return dist
  process.stderr.write(`building ${arg} (${commit.slice(0, 12)}) in ${path.relative(ROOT, tree)}\n`)
  if (!existsSync(tree)) execFileSync("git", ["worktree", "add", "--detach", tree, commit], { cwd: ROOT, stdio: "ignore" })
  if (!existsSync(path.join(tree, "node_modules"))) symlinkSync(path.join(ROOT, "node_modules"), path.join(tree, "node_modules"))
  execFileSync(path.join(ROOT, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json"], { cwd: tree, stdio: "inherit" })
  return dist
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

const args = process.argv.slice(2)
if (args.length === 0) {
  process.stderr.write("usage: npm run bench:ab -- <git ref | dist dir> [more…]   (the current dist is added last)\n")
  process.exit(2)
}
const current = path.join(ROOT, "dist")
const dirs = args.map(buildFor)
if (!dirs.includes(current)) {
  if (!existsSync(path.join(current, "sandbox/quickjs/index.js"))) {
    process.stderr.write("no build in dist/: run `npm run build` first\n")
    process.exit(2)
  }
  dirs.push(current)
}
const executors: Executor[] = []
for (const dir of dirs) {
  const mod = (await import(pathToFileURL(path.join(dir, "sandbox/quickjs/index.js")).href)) as typeof import("../src/sandbox/quickjs/index.js")
  executors.push(mod.quickjs({ poolSize: 1 }))
}
const loopUs = dirs.map((): number[] => [])
const coldUs = dirs.map((): number[] => [])
try {
  for (const ex of executors) for (let i = 0; i < 10; i++) await ex.run(LOOP, echo, limits)
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < executors.length; j++) {
      const k = (j + r) % executors.length
      const out = await (executors[k] as Executor).run(LOOP, echo, limits)
      if (!out.ok) throw new Error(`tool loop failed in ${dirs[k]}: ${out.error.message}`)
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
const rows = dirs.map((dir, k) => ({
  build: path.relative(ROOT, dir) || dir,
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
