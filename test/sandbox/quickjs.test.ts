/**
 * The QuickJS backend: the shared executor contract, plus what is specific to its design (worker
 * pool, watchdog, capped WASM modules, options). The security corpus runs in test/security.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { DEFAULT_LIMITS, type Executor, type Limits } from "../../src/sandbox/executor.js"
import { quickjs, quickjsMemoryOverhead } from "../../src/sandbox/quickjs/index.js"
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

  it("lets a run use memory up to its limit", async () => {
    const out = await ex.run("const k = []; for (let i = 0; i < 20; i++) k.push(new Array(1e5).fill(i)); return k.length", echo, {
      ...LIMITS,
      memoryBytes: 64 << 20,
    })
    expect(out).toMatchObject({ ok: true, value: 20 })
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
    expect(() => quickjs({ workerNice: -1 })).toThrow(/workerNice must be a non-negative number/)
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
