/**
 * Soak: many runs with tool calls, logs, errors and limit hits; host RSS and open handles stay flat.
 * CI runs a modest count; scale with SOAK_RUNS (e.g. SOAK_RUNS=10000 npx vitest run test/sandbox/soak.test.ts).
 */
import { afterAll, expect, it } from "vitest"
import { DEFAULT_LIMITS, type Bindings, type Limits, type RunOutcome } from "../../src/sandbox/executor.js"
import { quickjs } from "../../src/sandbox/quickjs/index.js"
import { exposeGc } from "../../src/bench/gc.js"

const RUNS = Math.max(100, Number(process.env.SOAK_RUNS ?? 300))
const CONCURRENCY = 4
/** RSS may move this much between the first and last window (allocator and JIT noise). */
const RSS_TOLERANCE = 48 * 1024 * 1024

const LIMITS: Limits = { ...DEFAULT_LIMITS, timeMs: 2000, maxToolCalls: 20 }
const bindings: Bindings = {
  "kv.get": async (a) => ({ key: (a as { key: string }).key, value: "v".repeat(100) }),
  "kv.fail": async () => {
    throw new Error("not found")
  },
}

/** A rotating mix of programs: tool calls, logs, thrown errors, syntax errors, a limit hit. */
const PROGRAMS = [
  "let n = 0; for (let i = 0; i < 5; i++) n += (await codemode.kv.get({ key: 'k' + i })).value.length; return n",
  "console.log('row', { i: 1, tags: ['a', 'b'] }); return (await Promise.all([1, 2, 3].map((i) => codemode.kv.get({ key: String(i) })))).length",
  "try { await codemode.kv.fail({}) } catch (e) { return e.message }",
  "throw new TypeError('bad input')",
  "const x = ;",
  "for (;;) await codemode.kv.get({ key: 'flood' })",
  "return JSON.parse(JSON.stringify({ list: Array.from({ length: 200 }, (_, i) => ({ i })) })).list.length",
]

const ex = quickjs()
afterAll(() => ex.dispose())

function snapshot(gc: (() => void) | undefined) {
  gc?.()
  gc?.()
  return { rss: process.memoryUsage.rss(), handles: process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap").length }
}

it(`keeps host RSS and handles flat over ${RUNS} runs`, { timeout: 600_000 }, async () => {
  const gc = exposeGc()
  let done = 0
  const kinds = new Map<string, number>()
  const record = (o: RunOutcome) => {
    const k = o.ok ? "ok" : o.error.kind
    kinds.set(k, (kinds.get(k) ?? 0) + 1)
  }
  const batch = async (count: number) => {
    const work = Array.from({ length: CONCURRENCY }, async () => {
      while (done < count) {
        const program = PROGRAMS[done++ % PROGRAMS.length] as string
        record(await ex.run(program, bindings, LIMITS))
      }
    })
    await Promise.all(work)
  }
  const warmup = Math.floor(RUNS / 5)
  await batch(warmup)
  const first = snapshot(gc)
  await batch(RUNS)
  await new Promise((r) => setTimeout(r, 100))
  const last = snapshot(gc)
  console.log(`soak ${RUNS} runs: ${JSON.stringify(Object.fromEntries(kinds))}; rss ${(first.rss / 2 ** 20).toFixed(1)} → ${(last.rss / 2 ** 20).toFixed(1)} MiB; handles ${first.handles} → ${last.handles}`)
  expect(kinds.get("ok")).toBeGreaterThan(RUNS / 3)
  expect(kinds.get("runtime")).toBeGreaterThan(0)
  expect(kinds.get("syntax")).toBeGreaterThan(0)
  expect(kinds.get("limit")).toBeGreaterThan(0)
  expect(last.rss - first.rss).toBeLessThan(RSS_TOLERANCE)
  expect(last.handles).toBeLessThanOrEqual(first.handles)
})
