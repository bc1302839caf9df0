/**
 * The security corpus as a reusable suite: every backend calls `testSecurityCorpus(...)` and must pass
 * every payload of the project's own corpus (test/security) and, whenever it is beside the repository,
 * of ../shared/security (escape + dos; CI always has it and fails without it). A failing payload is a
 * sandbox bug to fix.
 */
import { getPriority, setPriority } from "node:os"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Executor, RunErrorKind } from "../../src/sandbox/executor.js"
import { CORPUS_LIMITS, corpusPlan, loadPayloads, runPayload, type CorpusPlan, type Expect, type Observed, type Payload } from "./corpus.js"

export interface SecuritySuiteOptions {
  /** Backend name for test titles. */
  name: string
  create: () => Executor
  /**
   * How far the host may grow beyond the memory limit before a memory payload is stopped (the
   * backend's fixed overhead, e.g. the capped module's slack for quickjs).
   */
  memoryOverheadBytes: number
  /** Which corpora to run. Default {@link corpusPlan}() (own + shared when present). */
  plan?: CorpusPlan
}

const STOP_KIND: Partial<Record<Expect, RunErrorKind[]>> = {
  "stopped-by-time": ["timeout"],
  "stopped-by-memory": ["memory"],
  "stopped-by-stack": ["stack"],
  "stopped-by-limit": ["limit"],
  "stopped-by-any": ["timeout", "memory", "stack", "limit"],
}

/** Max lag of a 10 ms host interval during any payload. */
const MAX_LAG_MS = 50
/** A time-limited payload must end within the limit plus this. */
const TIME_MARGIN_MS = 100

export function testSecurityCorpus(options: SecuritySuiteOptions): void {
  const plan = options.plan ?? corpusPlan()
  describe(`${options.name}: security corpus`, () => {
    let executor: Executor
    let priority: number | undefined
    beforeAll(async () => {
      // The lag check is about the sandbox holding up the host, not about other processes on a shared
      // machine: when the OS allows it, the test's main thread asks for the CPU ahead of them. (On
      // Linux this renices only the calling thread; sandbox threads keep their own priority.)
      try {
        priority = getPriority()
        setPriority(Math.max(-20, priority - 10))
      } catch {
        priority = undefined
      }
      executor = options.create()
      // Warm up so the first payload is not charged for starting workers.
      await executor.run("return 1", {}, CORPUS_LIMITS)
    })
    afterAll(async () => {
      await executor.dispose()
      if (priority !== undefined) setPriority(priority)
    })

    if (plan.sharedMissing !== undefined) {
      if (plan.sharedRequired) {
        it("has the shared corpus beside the repository (CI always does)", () => {
          throw new Error(`${plan.sharedMissing}: CI always checks it out beside the repository, so this checkout is incomplete (without CI set, only test/security runs)`)
        })
      } else {
        it.skip(`shared corpus skipped: ${plan.sharedMissing}; only the project's own corpus runs`, () => {})
      }
    }

    const payloads = plan.corpora.flatMap((corpus) => [...loadPayloads(corpus, "escape"), ...loadPayloads(corpus, "dos")])
    for (const payload of payloads) {
      it(`${payload.file} (${payload.expect}): ${payload.name}`, async () => {
        const seen = await runPayload(executor, payload)
        assertPayload(payload, seen, options.memoryOverheadBytes)
        const next = await executor.run("return (await codemode.demo.echo({ n: 1 })).n + 1", { "demo.echo": async (a) => a }, CORPUS_LIMITS)
        expect(next, "the next run in the same process works").toMatchObject({ ok: true, value: 2 })
      })
    }
  })
}

function assertPayload(payload: Payload, seen: Observed, memoryOverheadBytes: number): void {
  const { outcome } = seen
  const summary = JSON.stringify(outcome).slice(0, 600)
  expect(JSON.stringify(outcome).includes(seen.canary), `canary leaked into the outcome: ${summary}`).toBe(false)
  expect(seen.hostOutput.includes(seen.canary), "canary leaked to host stdout/stderr").toBe(false)
  expect(seen.markerExists, "the marker file was written").toBe(false)
  expect(seen.hostPrototypeChanges, "the host's built-in prototypes changed").toEqual([])
  expect(seen.maxLagMs, `host interval lagged ${seen.maxLagMs.toFixed(1)} ms`).toBeLessThan(MAX_LAG_MS)

  const stopKinds = STOP_KIND[payload.expect]
  if (payload.expect === "clean") {
    expect(outcome, summary).toMatchObject({ ok: true, value: "clean" })
  } else if (payload.expect === "error") {
    expect(outcome.ok, summary).toBe(false)
    if (!outcome.ok) expect(outcome.error.message.length, "a clear error message").toBeGreaterThan(0)
  } else if (stopKinds) {
    expect(outcome.ok, summary).toBe(false)
    if (outcome.ok) return
    expect(stopKinds, summary).toContain(outcome.error.kind)
    if (outcome.error.kind !== "timeout") expect(outcome.error.limit, `limit named: ${summary}`).toBeDefined()
    expect(seen.elapsedMs, `ended ${seen.elapsedMs.toFixed(0)} ms after start`).toBeLessThanOrEqual(CORPUS_LIMITS.timeMs + TIME_MARGIN_MS)
    if (outcome.error.kind === "memory" || outcome.error.kind === "stack") {
      expect(seen.rssGrowthBytes, `host RSS grew ${(seen.rssGrowthBytes / 2 ** 20).toFixed(1)} MiB`).toBeLessThanOrEqual(
        CORPUS_LIMITS.memoryBytes + memoryOverheadBytes,
      )
    }
  }
}
