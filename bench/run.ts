/**
 * `npm run bench`: runs every benchmark on this machine, prints a table per benchmark and writes
 * each result to bench/results/<name>-<YYYY-MM-DD>.json (with the Node version and CPU).
 *   npm run bench [-- <name>…]     e.g. npm run bench -- search, npm run bench -- soak
 * `startup` measures the build: run `npm run build` first.
 */
import { mkdir, writeFile } from "node:fs/promises"
import { cpus } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { sandboxTable, searchTable, soakTable, typecheckTable } from "../src/cli/bench-format.js"

interface Benchmark {
  name: string
  run(): Promise<{ result: unknown; table: string }>
}

const BENCHMARKS: Benchmark[] = [
  {
    name: "sandbox",
    run: async () => {
      const { benchSandbox } = await import("../src/bench/sandbox.js")
      const result = await benchSandbox()
      return { result, table: sandboxTable(result) }
    },
  },
  {
    name: "startup",
    run: async () => {
      const { benchStartup, startupTable } = await import("./startup.js")
      const result = await benchStartup()
      return { result, table: startupTable(result) }
    },
  },
  {
    name: "soak",
    run: async () => {
      const { benchSoak } = await import("../src/bench/soak.js")
      const result = await benchSoak()
      return { result, table: soakTable(result) }
    },
  },
  {
    name: "state",
    run: async () => {
      const { benchState, stateTable } = await import("./state.js")
      const result = await benchState()
      return { result, table: stateTable(result) }
    },
  },
  {
    name: "search",
    run: async () => {
      const { benchSearch } = await import("../src/bench/search.js")
      const result = await benchSearch()
      return { result, table: searchTable(result) }
    },
  },
  {
    name: "typecheck",
    run: async () => {
      const { benchTypecheck } = await import("../src/bench/typecheck.js")
      const result = await benchTypecheck()
      return { result, table: typecheckTable(result) }
    },
  },
]

const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "results")
const wanted = process.argv.slice(2)
const unknown = wanted.filter((w) => !BENCHMARKS.some((b) => b.name === w))
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(", ")}; available: ${BENCHMARKS.map((b) => b.name).join(", ")}\n`)
  process.exit(2)
}

const date = new Date().toISOString().slice(0, 10)
const machine = { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length }
await mkdir(RESULTS, { recursive: true })
for (const bench of BENCHMARKS.filter((b) => wanted.length === 0 || wanted.includes(b.name))) {
  process.stdout.write(`\n== ${bench.name} ==\n`)
  const { result, table } = await bench.run()
  process.stdout.write(`${table}\n`)
  const file = path.join(RESULTS, `${bench.name}-${date}.json`)
  await writeFile(file, `${JSON.stringify({ benchmark: bench.name, date: new Date().toISOString(), machine, result }, null, 2)}\n`)
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`)
}
