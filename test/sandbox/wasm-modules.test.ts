/**
 * Capped WASM modules and out-of-memory, in-process (no worker thread): a run that runs out of memory
 * inside a job must not make QuickJS abort its module, and if a module aborts anyway the pool must
 * notice, keep the message off stderr and hand out a fresh module.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { DEFAULT_LIMITS, type Limits } from "../../src/sandbox/executor.js"
import { disposeSandbox, prepareSandbox } from "../../src/sandbox/quickjs/prepared.js"
import { sharedNow, type RunFinished, type WorkerToHost } from "../../src/sandbox/quickjs/protocol.js"
import { SandboxRun } from "../../src/sandbox/quickjs/sandbox-run.js"
import { createModulePool, type ModulePool } from "../../src/sandbox/quickjs/wasm-modules.js"

const MiB = 1 << 20
const LIMITS: Limits = { ...DEFAULT_LIMITS, timeMs: 5000, memoryBytes: 16 * MiB }
/** Runs out of memory inside a job (the async function resumed after `await`), not during evalCode. */
const BOMB_AFTER_AWAIT = "await 1; const k = []; for (;;) k.push(new Array(1e5).fill(1.5))"

/**
 * Records everything written to stderr and console.error from now on (emscripten binds
 * console.error when a module is created, so this starts before any module exists).
 */
function watchStderr(): { text(): string; stop(): void } {
  const seen: string[] = []
  const original = process.stderr.write
  const originalError = console.error
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    seen.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString())
    return (original as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest)
  }) as typeof process.stderr.write
  console.error = (...args: unknown[]) => {
    seen.push(args.map(String).join(" "))
    originalError(...args)
  }
  return {
    text: () => seen.join(""),
    stop: () => {
      process.stderr.write = original
      console.error = originalError
    },
  }
}

/** Runs `js` in a fresh sandbox of `modules`, as the worker does, and returns its "done" message. */
async function runOnce(modules: ModulePool, js: string, limits = LIMITS): Promise<RunFinished> {
  const module = await modules.acquire(limits.memoryBytes)
  const sb = prepareSandbox(module, MiB)
  return new Promise<RunFinished>((resolve) => {
    let done: RunFinished | undefined
    const run = new SandboxRun(
      { t: "run", run: 1, js, names: [], limits, deadline: sharedNow() + limits.timeMs },
      {
        post: (msg: WorkerToHost) => void (msg.t === "done" && (done = msg)),
        modules,
        ended: () => resolve(done as RunFinished),
      },
    )
    run.start(sb)
  })
}

describe("quickjs: capped modules after out-of-memory", () => {
  let modules: ModulePool
  let stderr: ReturnType<typeof watchStderr>
  beforeEach(() => {
    stderr = watchStderr()
    // Nothing to close afterwards: modules are plain WASM memory, dropped with the pool.
    modules = createModulePool({ slackBytes: 32 * MiB, retireBytes: 48 * MiB })
  })
  afterEach(() => stderr.stop())

  it("ends a run that runs out of memory inside a job without aborting its module", async () => {
    const first = await modules.acquire(LIMITS.memoryBytes)
    modules.release(first)
    const out = await runOnce(modules, BOMB_AFTER_AWAIT)
    expect(out).toMatchObject({ ok: false, error: { kind: "memory", limit: { name: "memoryBytes" } } })
    expect(first.abortMessage, "QuickJS aborted the module").toBeUndefined()
    expect(stderr.text()).not.toContain("Aborted(")
    expect(first.retired, "a module whose run ran out of memory takes no new runs").toBe(true)
    // The next runs get a fresh module and work.
    for (let i = 0; i < 3; i++) expect(await runOnce(modules, "await 1; return [1, 2].map((x) => x * 2)")).toMatchObject({ ok: true, json: "[2,4]" })
    const next = await modules.acquire(LIMITS.memoryBytes)
    expect(next).not.toBe(first)
    modules.release(next)
  })

  it("retires a module that aborts, keeps the abort off stderr, and serves the next run from a fresh one", async () => {
    const m = await modules.acquire(LIMITS.memoryBytes)
    const sb = prepareSandbox(m, MiB)
    // Leak engine objects the way out-of-memory in a job does, then free the runtime directly (what
    // disposeSandbox avoids for retired modules): QuickJS's JS_FreeRuntime assertion aborts the module.
    let budget = LIMITS.memoryBytes
    m.allowGrowth = (bytes) => (budget -= bytes) >= 0
    const started = sb.ctx.evalCode(`(async function () { ${BOMB_AFTER_AWAIT} })()`)
    for (let i = 0; i < 100 && sb.rt.hasPendingJob(); i++) {
      const r = sb.rt.executePendingJobs(64)
      if (r.error) r.error.dispose()
    }
    m.allowGrowth = undefined
    if (started.error) started.error.dispose()
    else started.value.dispose()
    for (const h of [sb.init, sb.settle, sb.encodeResult, sb.describe, sb.take]) h.dispose()
    sb.ctx.dispose()
    let thrown: unknown
    try {
      sb.rt.dispose()
    } catch (err) {
      thrown = err
    }
    expect(String(thrown)).toMatch(/Aborted\(Assertion failed: list_empty/)
    expect(m.abortMessage).toMatch(/list_empty/)
    expect(m.retired).toBe(true)
    expect(stderr.text()).not.toContain("Aborted(")
    // disposeSandbox on a retired module leaves the runtime to the module (no second abort).
    expect(disposeSandbox(prepareSandbox(m, MiB))).toBe(true)
    modules.release(m)
    expect(await runOnce(modules, "return 'fresh'")).toMatchObject({ ok: true, json: '"fresh"' })
    const next = await modules.acquire(LIMITS.memoryBytes)
    expect(next).not.toBe(m)
    expect(next.abortMessage).toBeUndefined()
    modules.release(next)
  })
})
