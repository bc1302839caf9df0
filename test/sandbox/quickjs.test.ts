/**
 * The QuickJS backend: the shared executor contract, plus what is specific to its design (worker
 * pool, watchdog, capped WASM modules, options). The security corpus runs in test/security.
 */
import { readdirSync, readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { DEFAULT_LIMITS, type Executor, type Limits } from "../../src/sandbox/executor.js"
import { quickjs } from "../../src/sandbox/quickjs/index.js"
import { quickjsMemoryOverhead, tunedQuickjs } from "../../src/internal.js"
import { testExecutor } from "./executor-suite.js"

testExecutor({ name: "quickjs", create: () => quickjs(), memoryOverheadBytes: quickjsMemoryOverhead(), corpus: false })

const LIMITS: Limits = { ...DEFAULT_LIMITS, timeMs: 2000 }
const echo = { "demo.echo": async (a: unknown) => a }
/** A long native call: String#repeat never polls QuickJS's interrupt handler. */
const NATIVE_HOG = "return 'x'.repeat(4e7).length"

describe("quickjs: worker pool and watchdog", () => {
  let ex: Executor
  beforeAll(async () => {
    ex = quickjs({ poolSize: 1, watchdogGraceMs: 50 })
    await ex.run("return 1", echo, LIMITS)
  })
  afterAll(() => ex.dispose())

  it("terminates a worker stuck in a native call, fails its other runs clearly, and recovers", async () => {
    const [stuck, bystander] = await Promise.all([
      ex.run(NATIVE_HOG, echo, { ...LIMITS, timeMs: 100 }),
      ex.run("await new Promise(() => {})", echo, { ...LIMITS, timeMs: 20_000 }),
    ])
    expect(stuck).toMatchObject({ ok: false, error: { kind: "timeout", limit: { name: "timeMs", value: 100 } } })
    expect(bystander).toMatchObject({ ok: false, error: { kind: "aborted" } })
    if (!bystander.ok) expect(bystander.error.message).toMatch(/worker was restarted/)
    // The replacement worker serves the next runs.
    const next = await ex.run("return (await codemode.demo.echo({ n: 1 })).n + 1", echo, LIMITS)
    expect(next).toMatchObject({ ok: true, value: 2 })
  })

  it("cancels a run stuck in a native call through the watchdog", async () => {
    const ac = new AbortController()
    const pending = ex.run(NATIVE_HOG, echo, { ...LIMITS, timeMs: 20_000 }, ac.signal)
    setTimeout(() => ac.abort(), 20)
    expect(await pending).toMatchObject({ ok: false, error: { kind: "aborted" } })
    expect(await ex.run("return 3", echo, LIMITS)).toMatchObject({ ok: true, value: 3 })
  })

  it("runs code off the host thread: the host's timers keep firing during a busy loop", async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    const out = await ex.run("for (;;) {}", echo, { ...LIMITS, timeMs: 500 })
    clearInterval(timer)
    expect(out).toMatchObject({ ok: false, error: { kind: "timeout" } })
    expect(ticks).toBeGreaterThan(5)
  })
})

describe("quickjs: memory cap", () => {
  let ex: Executor
  beforeAll(() => {
    ex = quickjs({ poolSize: 1 })
  })
  afterAll(() => ex.dispose())

  it("stops a heap bomb at the memory limit and lets the next run use a fresh module", async () => {
    const limits = { ...LIMITS, memoryBytes: 32 << 20 }
    for (const bomb of [
      "const k = []; for (;;) k.push(new Array(1e5).fill(1.5))",
      "const k = []; for (let i = 0; ; i++) k.push('x'.repeat(1 << 20) + i)",
      "const k = []; for (;;) k.push(new Uint8Array(8 << 20))",
    ]) {
      const out = await ex.run(bomb, echo, limits)
      expect(out).toMatchObject({ ok: false, error: { kind: "memory", limit: { name: "memoryBytes", value: 32 << 20 } } })
    }
    const after = await ex.run("const a = new Array(1e5).fill(1); return a.length", echo, limits)
    expect(after).toMatchObject({ ok: true, value: 1e5 })
  })

  it("charges heap growth to the run that allocates: a bomb does not starve its module neighbours", async () => {
    const limits = { ...LIMITS, memoryBytes: 16 << 20 }
    const [bomb, neighbour] = await Promise.all([
      ex.run("await codemode.demo.echo(1); const k = []; for (;;) k.push(new Array(1e5).fill(1.5))", echo, limits),
      ex.run(
        "const k = []; for (let i = 0; i < 10; i++) { k.push(new Array(5e4).fill(i)); await codemode.demo.echo(i) } return k.length",
        echo,
        limits,
      ),
    ])
    expect(bomb).toMatchObject({ ok: false, error: { kind: "memory" } })
    expect(neighbour).toMatchObject({ ok: true, value: 10 })
  })

  it("runs out of memory inside a job (after await) without QuickJS aborting its module on the worker's stderr", async () => {
    // Worker stderr is piped into this process's stderr (the worker starts with stderr: false).
    const written: string[] = []
    const original = process.stderr.write
    process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
      written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString())
      return (original as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest)
    }) as typeof process.stderr.write
    try {
      const limits = { ...LIMITS, memoryBytes: 16 << 20 }
      for (const wait of ["await 1", "await codemode.demo.echo(1)"]) {
        const out = await ex.run(`${wait}; const k = []; for (;;) k.push(new Array(1e5).fill(1.5))`, echo, limits)
        expect(out).toMatchObject({ ok: false, error: { kind: "memory", limit: { name: "memoryBytes" } } })
        for (let i = 0; i < 3; i++) {
          expect(await ex.run("return (await codemode.demo.echo({ n: 1 })).n + 1", echo, limits)).toMatchObject({ ok: true, value: 2 })
        }
      }
      // Worker output reaches this process asynchronously.
      await new Promise((r) => setTimeout(r, 100))
    } finally {
      process.stderr.write = original
    }
    expect(written.join("")).not.toContain("Aborted(")
  })

  it("lets a run use memory up to its limit", async () => {
    const out = await ex.run("const k = []; for (let i = 0; i < 20; i++) k.push(new Array(1e5).fill(i)); return k.length", echo, {
      ...LIMITS,
      memoryBytes: 64 << 20,
    })
    expect(out).toMatchObject({ ok: true, value: 20 })
  })
})

describe("quickjs: sandboxes prepared ahead and batched tool calls", () => {
  let ex: Executor
  beforeAll(async () => {
    ex = quickjs({ poolSize: 1 })
    await ex.run("return 1", echo, LIMITS)
  })
  afterAll(() => ex.dispose())

  it("gives each run exactly its own bindings, also when the spare was prepared for other ones", async () => {
    const a = { "alpha.one": async () => "a" }
    const b = { "beta.two": async () => "b", three: async () => 3 }
    const probe = "return [Object.keys(codemode).sort(), typeof codemode.alpha, typeof codemode.beta]"
    for (const [bindings, want] of [
      [a, [["alpha"], "object", "undefined"]],
      [a, [["alpha"], "object", "undefined"]],
      [b, [["beta", "three"], "undefined", "object"]],
      [a, [["alpha"], "object", "undefined"]],
      [{}, [[], "undefined", "undefined"]],
    ] as const) {
      expect(await ex.run(probe, bindings, LIMITS)).toMatchObject({ ok: true, value: want })
    }
  })

  it("applies each run's own output budget after a run with another one", async () => {
    const log = "for (let i = 0; i < 20; i++) console.log('x'.repeat(99)); return 'done'"
    expect(await ex.run(log, echo, LIMITS)).toMatchObject({ ok: true, value: "done" })
    const small = await ex.run(log, echo, { ...LIMITS, maxOutputBytes: 500 })
    expect(small).toMatchObject({ ok: false, error: { kind: "limit", limit: { name: "maxOutputBytes", value: 500 } } })
    expect(await ex.run(log, echo, LIMITS)).toMatchObject({ ok: true, value: "done" })
  })

  it("delivers many concurrent calls and their results, each to its own promise", async () => {
    const seen: number[] = []
    const bindings = { "demo.twice": async (x: unknown) => (seen.push(Number(x)), Number(x) * 2) }
    const out = await ex.run("return await Promise.all(Array.from({ length: 300 }, (_, i) => codemode.demo.twice(i)))", bindings, LIMITS)
    expect(out).toMatchObject({ ok: true, value: Array.from({ length: 300 }, (_, i) => i * 2), stats: { toolCalls: 300 } })
    expect(seen.sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i))
  })

  it("still sends the calls the code made just before it returned", async () => {
    const got: unknown[] = []
    const bindings = { "demo.note": async (x: unknown) => void got.push(x) }
    const out = await ex.run("codemode.demo.note(1); codemode.demo.note(2); return 'left'", bindings, LIMITS)
    expect(out).toMatchObject({ ok: true, value: "left", stats: { toolCalls: 2 } })
    await new Promise((r) => setTimeout(r, 50))
    expect(got).toEqual([1, 2])
  })

  it("queues calls where prototype setters of the code cannot see or break them", async () => {
    const bindings = { "demo.echo": async (x: unknown) => x }
    const code = `
      // (QuickJS's JSON.stringify pushes the value it copies onto an internal array, so a setter
      // sees the code's own argument object; the queue holds an index and a JSON string per call.)
      let seen = 0
      for (const key of ["0", "1", "2", "3"]) {
        const set = (v) => { if (typeof v !== "object") seen++ }
        Object.defineProperty(Object.prototype, key, { set, configurable: true })
        Object.defineProperty(Array.prototype, key, { set, configurable: true })
      }
      const a = codemode.demo.echo({ a: 1 }), b = codemode.demo.echo({ b: 2 })
      const r = { a: (await a).a, b: (await b).b }
      return { r, seen }`
    const out = await ex.run(code, bindings, LIMITS)
    expect(out).toMatchObject({ ok: true, value: { r: { a: 1, b: 2 }, seen: 0 }, stats: { toolCalls: 2 } })
  })

  it("counts batched calls against maxToolCalls before they leave the sandbox", async () => {
    let calls = 0
    const bindings = { "demo.count": async () => ++calls }
    const out = await ex.run("await Promise.all(Array.from({ length: 50 }, () => codemode.demo.count()))", bindings, { ...LIMITS, maxToolCalls: 20 })
    expect(out).toMatchObject({ ok: false, error: { kind: "limit", limit: { name: "maxToolCalls", value: 20 } } })
    await new Promise((r) => setTimeout(r, 50))
    expect(calls).toBeLessThanOrEqual(20)
  })
})

/** Records what is written to the host's stderr (worker stderr arrives there asynchronously) until restored. */
function captureStderr(): { text(): string; restore(): void } {
  const written: string[] = []
  const original = process.stderr.write
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    written.push(String(chunk))
    return (original as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest)
  }) as typeof process.stderr.write
  return { text: () => written.join(""), restore: () => void (process.stderr.write = original) }
}

describe("quickjs: engine messages", () => {
  it("stops a run whose heap can no longer be sampled without the engine printing to stderr", async () => {
    const ex = quickjs({ poolSize: 1 })
    const stderr = captureStderr()
    try {
      // Recursion through a prototype setter that keeps allocating: the module runs out of memory
      // while the interrupt handler samples the heap.
      const js = `const seen = []
        Object.defineProperty(Object.prototype, "0", { set(v) { seen.push([typeof v, String(v).slice(0, 60), new Error().stack]) }, configurable: true })
        await codemode.demo.echo({ a: 1 })
        return seen`
      const out = await ex.run(js, { "demo.echo": async (x) => x }, { ...LIMITS, timeMs: 5000 })
      expect(out.ok).toBe(false)
      await new Promise((r) => setTimeout(r, 100)) // worker stderr arrives asynchronously
      expect(stderr.text()).not.toContain("C to host interrupt")
      expect(await ex.run("return 'next'", {}, LIMITS)).toMatchObject({ ok: true, value: "next" })
    } finally {
      stderr.restore()
      await ex.dispose()
    }
  })
})

describe("quickjs: idle-time heap trim", () => {
  it("collects a worker's garbage between runs without Node's experimental warning reaching stderr", async () => {
    const ex = tunedQuickjs({ poolSize: 1, heapTrimRuns: 1 })
    const stderr = captureStderr()
    try {
      // Each run leaves the worker idle for a moment: a full collection (vm.measureMemory, eager) runs then.
      for (let i = 0; i < 5; i++) {
        expect(await ex.run(`return ${i}`, {}, LIMITS)).toMatchObject({ ok: true, value: i })
        await new Promise((r) => setTimeout(r, 50))
      }
      await new Promise((r) => setTimeout(r, 100)) // worker stderr arrives asynchronously
      expect(stderr.text()).not.toMatch(/ExperimentalWarning|measureMemory/)
    } finally {
      stderr.restore()
      await ex.dispose()
    }
  })
})

describe("quickjs: boundary sizes", () => {
  it("refuses a tool argument over maxArgumentBytes with a sandbox TypeError", async () => {
    const ex = quickjs({ poolSize: 1, maxArgumentBytes: 100 })
    const out = await ex.run(
      "try { await codemode.demo.echo('x'.repeat(200)) } catch (e) { return [e instanceof TypeError, e.message] } return 'sent'",
      echo,
      LIMITS,
    )
    expect(out).toMatchObject({ ok: true, value: [true, "the argument of codemode.demo.echo is too large to copy (limit 100 characters)"] })
    await ex.dispose()
  })

  it("refuses a tool result over maxTransferBytes with a sandbox error", async () => {
    const ex = quickjs({ poolSize: 1, maxTransferBytes: 100 })
    const out = await ex.run("try { await codemode.big.get({}) } catch (e) { return e.message }", { "big.get": async () => "y".repeat(500) }, LIMITS)
    expect(out).toMatchObject({ ok: true, value: expect.stringMatching(/result of codemode\.big\.get is too large/) })
    await ex.dispose()
  })
})

describe("quickjs: options and limits validation", () => {
  it("rejects bad options with CONFIG_INVALID", () => {
    expect(() => quickjs({ poolSize: 0 })).toThrow(/poolSize must be a positive number/)
    expect(() => tunedQuickjs({ workerNice: -1 })).toThrow(/workerNice must be a non-negative number/)
    expect(() => tunedQuickjs({ hostSpinUs: -1 })).toThrow(/hostSpinUs must be a non-negative number/)
    expect(() => tunedQuickjs({ warmUpCalls: -1 })).toThrow(/warmUpCalls must be a non-negative number/)
    expect(() => tunedQuickjs({ warmUpCalls: 0 })).not.toThrow()
    expect(() => tunedQuickjs({ workerYoungGenerationMb: 0 })).toThrow(/workerYoungGenerationMb must be a positive number/)
    expect(() => tunedQuickjs({ heapTrimRuns: -1 })).toThrow(/heapTrimRuns must be a non-negative number/)
    expect(() => tunedQuickjs({ heapTrimRuns: 0 })).not.toThrow()
  })

  it.runIf(process.platform === "linux")("lowers the worker threads' priority when asked (workerNice), and leaves it by default", async () => {
    const niceOfThreads = () =>
      readdirSync("/proc/self/task").map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8")
        // Fields after the command name, which sits in parentheses: nice is the 19th field overall.
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])
      })
    const count = (pred: (n: number) => boolean) => niceOfThreads().filter(pred).length
    const [sevens, nonZero] = [count((n) => n === 7), count((n) => n !== 0)]
    const niced = tunedQuickjs({ poolSize: 1, workerNice: 7 })
    const plain = quickjs({ poolSize: 1 })
    try {
      await niced.run("return 1", echo, LIMITS)
      await plain.run("return 1", echo, LIMITS)
      expect(count((n) => n === 7)).toBe(sevens + 1) // the niced executor's worker
      expect(count((n) => n !== 0)).toBe(nonZero + 1) // and not the default one's
    } finally {
      await Promise.all([niced.dispose(), plain.dispose()])
    }
  })

  it("runs tool calls the same with spinning off, and with slow tools while spinning", async () => {
    const slow = { "demo.slow": (a: unknown) => new Promise((r) => setTimeout(() => r(a), 3)) }
    const code = "let s = 0; for (let i = 0; i < 20; i++) s += (await codemode.demo.slow({ i })).i; return s"
    for (const ex of [tunedQuickjs({ hostSpinUs: 0, workerSpinUs: 0 }), quickjs()]) {
      expect(await ex.run(code, slow, LIMITS)).toMatchObject({ ok: true, value: 190 })
      await ex.dispose()
    }
  })

  it("rejects bad limits with CONFIG_INVALID before running anything", async () => {
    const ex = quickjs()
    const bad = await ex.run("return 1", echo, { ...LIMITS, timeMs: -1 }).catch((e: unknown) => e)
    expect(CodeModeError.is(bad, "CONFIG_INVALID")).toBe(true)
    expect((bad as Error).message).toMatch(/^\[codemode\] \[quickjs\] limits\.timeMs must be a positive number/)
    const deep = await ex.run("return 1", echo, { ...LIMITS, stackBytes: 64 << 20 }).catch((e: unknown) => e)
    expect((deep as Error).message).toMatch(/stackBytes .* raise workerStackMb/)
    await ex.dispose()
  })
})
