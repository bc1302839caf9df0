/**
 * Durable runs when the store is slow, fails or is shared by a second process: what a pause shows is
 * what a resume decides, a stale token decides nothing, a process that lost its lease sends nothing,
 * quotas hold across attempts, and a call that ran is audited even when its result cannot be journaled.
 * Real memory stores, wrapped to delay or fail chosen keys; side effects are counted.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import { z } from "zod"
import { createCodeMode, type CodeMode, type CodeModeOptions } from "../../src/runtime/codemode.js"
import { runProgram } from "../../src/runtime/program-run.js"
import { compilePolicy } from "../../src/runtime/policy.js"
import type { ExecuteResult, PausedResult } from "../../src/runtime/results.js"
import { createRunBook } from "../../src/runtime/run-book.js"
import { memoryStore } from "../../src/store/memory.js"
import type { RunStore } from "../../src/store/store.js"
import { functions } from "../../src/tools/functions.js"

const open: CodeMode[] = []
const dirs: string[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((cm) => cm.close()))
})
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A memory store whose methods can be wrapped per key (delays, failures). */
function store(wrap: Partial<Pick<RunStore, "get" | "set" | "add">> = {}): RunStore & { inner: RunStore } {
  const inner = memoryStore()
  return { ...inner, name: "memory", get: inner.get, set: inner.set, add: inner.add, delete: inner.delete, keys: inner.keys, ...wrap, inner }
}

/** A bank whose `pay` records each payment it makes; `slow` takes `slowMs` (`slowStarted` resolves when it is called). */
function bank(who = "", slowMs = 0) {
  const sent: string[] = []
  let started = () => {}
  const slowStarted = new Promise<void>((resolve) => (started = resolve))
  const source = functions("bank", {
    pay: { input: z.object({ n: z.number() }), run: ({ n }) => (sent.push(`${who}pay ${n}`), n) },
    refund: { input: z.object({ n: z.number() }), run: ({ n }) => (sent.push(`${who}refund ${n}`), n) },
    slow: { input: z.object({}), run: async () => (started(), await sleep(slowMs), "slow done") },
  })
  return { source, sent, slowStarted }
}

async function codemode(options: Omit<CodeModeOptions, "typecheck">): Promise<CodeMode> {
  const cm = await createCodeMode({ typecheck: "off", ...options })
  open.push(cm)
  return cm
}

function paused(result: ExecuteResult): PausedResult {
  if (result.status !== "paused") throw new Error(`expected a paused run, got ${JSON.stringify(result).slice(0, 500)}`)
  return result
}

const ASK_PAY = { rules: [{ tool: "bank.pay", action: "ask" as const }] }

describe("a pause shows every call a resume decides", () => {
  it("waits for an approval request still being journaled, and a resume decides only the calls the pause showed", async () => {
    const slow = store()
    slow.set = async (key, value, options) => {
      if (key.endsWith("/calls/000001")) await sleep(30) // uneven latency: the second request is journaled late
      return slow.inner.set(key, value, options)
    }
    const { source, sent } = bank()
    const cm = await codemode({ sources: [source], policy: ASK_PAY, runs: { store: slow } })
    const first = paused(await cm.execute("return await Promise.all([codemode.bank.pay({ n: 1 }), codemode.bank.pay({ n: 2 })])"))
    expect(first.pending.map((p) => p.id)).toEqual(["c0", "c1"])
    const done = await cm.resume(first.resumeToken, { c0: "approve", c1: "deny" })
    expect(JSON.stringify(done)).toMatch(/codemode\.bank\.pay\(\{\\"n\\":2\}\) was denied by the approver/)
    expect(sent).toEqual(["pay 1"])
  })

  it("decides only the calls the pause reported: other ids are rejected, and 'approve' leaves the rest pending", async () => {
    const s = store()
    const { source, sent } = bank()
    const cm = await codemode({ sources: [source], policy: ASK_PAY, runs: { store: s } })
    const first = paused(await cm.execute("return await Promise.all([codemode.bank.pay({ n: 1 }), codemode.bank.pay({ n: 2 })])"))
    // The record as a pause that missed c1 left it (c1 pending in the journal, unseen by anyone).
    const key = `runs/${first.runId}`
    const record = JSON.parse((await s.inner.get(key)) as string) as { pending: { id: string }[] }
    await s.inner.set(key, JSON.stringify({ ...record, pending: record.pending.filter((p) => p.id === "c0") }))
    await expect(cm.resume(first.resumeToken, { c1: "approve" })).rejects.toThrow(/no pending call c1 .*pending: c0$/)
    const second = paused(await cm.resume(first.resumeToken, "approve"))
    expect(second.pending.map((p) => p.id)).toEqual(["c1"])
    expect(sent).toEqual(["pay 1"])
  })

  it("a token of an earlier pause retried while the run paused again decides nothing (RESUME_INVALID)", async () => {
    let leaseAdds = 0
    const s = store()
    s.add = async (key, value, options) => {
      // The second resume stalls between reading the run and taking its lease.
      if (key.endsWith("/lease") && ++leaseAdds === 3) await sleep(400)
      return s.inner.add(key, value, options)
    }
    const { source, sent } = bank()
    const cm = await codemode({ sources: [source], policy: ASK_PAY, runs: { store: s } })
    const first = paused(await cm.execute("await codemode.bank.pay({ n: 1 }); return await codemode.bank.pay({ n: 1000000 })"))
    const one = cm.resume(first.resumeToken, "approve")
    await sleep(20)
    const two = cm.resume(first.resumeToken, "approve")
    const second = paused(await one)
    expect(second.pending.map((p) => p.args)).toEqual([{ n: 1000000 }])
    await expect(two).rejects.toMatchObject({ code: "RESUME_INVALID" })
    expect(sent).toEqual(["pay 1"])
  })
})

describe("leases", () => {
  it("a process whose lease renewal fails stops sending; the process that takes the run over sends once", async () => {
    let blip = false // the store is unreachable for lease reads and writes for a moment
    const failing = (key: string) => blip && key.endsWith("/lease")
    const s = store()
    s.get = (key) => (failing(key) ? Promise.reject(new Error("ECONNRESET")) : s.inner.get(key))
    s.set = (key, value, options) => (failing(key) ? Promise.reject(new Error("ECONNRESET")) : s.inner.set(key, value, options))
    const a = bank("A ", 700)
    const b = bank("B ", 700)
    const options = { runs: { store: s, leaseMs: 150 } }
    const cmA = await codemode({ sources: [a.source], ...options })
    const cmB = await codemode({ sources: [b.source], ...options })
    // Sandboxes loaded first: a cold load can stall a busy machine past a 150 ms lease (which, rightly, loses the run).
    await Promise.all([cmA.execute("return 0"), cmB.execute("return 0")])
    const runA = cmA.execute("try { await codemode.bank.slow({}) } catch {} ; await codemode.bank.pay({ n: 1 }); return 'paid'")
    await Promise.race([a.slowStarted, runA.then((r) => Promise.reject(new Error(`A ended before sending slow: ${JSON.stringify(r)}`)))])
    blip = true
    await sleep(250)
    blip = false
    const [orphan] = (await cmB.runs()).filter((r) => r.status === "running")
    const resultB = await cmB.resume(orphan?.resumeToken as string)
    const resultA = await runA
    expect(resultA.ok).toBe(false)
    expect(resultA.status === "failed" && resultA.error.message).toMatch(/lost its lease on run .*renewing it failed: ECONNRESET.*Nothing more was sent/)
    expect(resultB.status).toBe("done")
    expect(resultB.calls.map((c) => c.error?.code ?? "ok")).toEqual(["CALL_INTERRUPTED", "ok"])
    expect(resultB.calls[0]?.error?.message).not.toMatch(/died/)
    expect([...a.sent, ...b.sent]).toEqual(["B pay 1"])
  })

  it("a sandbox that fails to load releases the lease: the run can be resumed at once", async () => {
    const s = memoryStore()
    const book = createRunBook({ runs: { store: s, leaseMs: 200 }, durable: () => true, catalog: () => ({ tools: [] }) as never })
    const opened = await book.start("return 1", undefined, undefined)
    if (!opened) throw new Error("not durable")
    const env = { executor: () => Promise.reject(new Error("cannot load the sandbox")), tools: () => [], approvalTimeoutMs: 1000, runs: book.environment }
    const run = { code: { js: "return 1" } as never, runId: opened.record.id, limits: {} as never, policy: compilePolicy(undefined), startedAt: 0, durable: opened }
    await expect(runProgram(env, run)).rejects.toThrow(/cannot load the sandbox/)
    expect(await s.get(`runs/${opened.record.id}/lease`)).toBeUndefined()
    await book.close()
  })

  it("rejects a leaseMs below the renewal floor and a runs.key shorter than 16 characters", async () => {
    await expect(codemode({ sources: [bank().source], runs: { store: memoryStore(), leaseMs: 100 } })).rejects.toThrow(/runs.leaseMs must be at least 150 ms/)
    await expect(codemode({ sources: [bank().source], runs: { store: memoryStore(), key: "short" } })).rejects.toThrow(/runs.key must be a string of at least 16 characters/)
  })
})

describe("quotas and audit across attempts", () => {
  it("calls that ran before a pause count against the run's quota from the first call of the resumed attempt", async () => {
    const { source, sent } = bank()
    const cm = await codemode({ sources: [source], policy: { maxCalls: 1, ...ASK_PAY } })
    const first = paused(await cm.execute("return await Promise.all([codemode.bank.pay({ n: 1 }), codemode.bank.refund({ n: 2 })])"))
    expect(sent).toEqual(["refund 2"])
    const done = await cm.resume(first.resumeToken, "approve")
    expect(done.ok).toBe(false)
    expect(done.status === "failed" && done.error.message).toMatch(/maxCalls:1 allows 1 tool call per run/)
    expect(sent).toEqual(["refund 2"])
  })

  it("a call whose result cannot be journaled is audited, and the error says it took effect", async () => {
    let callWrites = 0
    const s = store()
    s.set = (key, value, options) => (key.includes("/calls/") && ++callWrites === 2 ? Promise.reject(new Error("disk full")) : s.inner.set(key, value, options))
    const dir = await mkdtemp(join(tmpdir(), "codemode-races-"))
    dirs.push(dir)
    const file = join(dir, "audit.jsonl")
    const { source, sent } = bank()
    const cm = await codemode({ sources: [source], runs: { store: s }, audit: { file } })
    const result = await cm.execute("return await codemode.bank.pay({ n: 7 })")
    await cm.close()
    expect(sent).toEqual(["pay 7"])
    expect(result.ok).toBe(false)
    expect(result.status === "failed" && result.error.message).toMatch(/disk full.*codemode\.bank\.pay\(\{"n":7\}\) had already run and succeeded: it took effect/)
    const lines = (await readFile(file, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { tool: string; outcome: string })
    expect(lines.map((l) => [l.tool, l.outcome])).toEqual([["bank.pay", "ok"]])
  })
})

describe("audit of a diverged run", () => {
  it("audits the call where a resumed program left its journal (RUN_DIVERGED), which was not sent", async () => {
    const s = store()
    const dir = await mkdtemp(join(tmpdir(), "codemode-races-"))
    dirs.push(dir)
    const file = join(dir, "audit.jsonl")
    const { source, sent } = bank()
    const cm = await codemode({ sources: [source], policy: ASK_PAY, runs: { store: s }, audit: { file } })
    const first = paused(await cm.execute("return await codemode.bank.pay({ n: 1 })"))
    const [key] = await s.inner.keys(`runs/${first.runId}/calls/`)
    await s.inner.set(key as string, ((await s.inner.get(key as string)) as string).replace(`"n":1`, `"n":5`))
    expect(await cm.resume(first.resumeToken, "approve")).toMatchObject({ status: "failed", error: { kind: "diverged" } })
    await cm.close()
    const lines = (await readFile(file, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { outcome: string; error?: string })
    expect(lines.map((l) => l.outcome)).toEqual(["pending", "error"])
    expect(lines[1]?.error).toMatch(/diverged from its journal at call #0/)
    expect(sent).toEqual([])
  })
})

describe("what a settled run keeps", () => {
  it("drops its call entries once settled: the record answers a resume", async () => {
    const s = store()
    const { source } = bank()
    const cm = await codemode({ sources: [source], policy: ASK_PAY, runs: { store: s } })
    const first = paused(await cm.execute("return await codemode.bank.pay({ n: 1 }) + await codemode.bank.refund({ n: 2 })"))
    expect(await s.inner.keys(`runs/${first.runId}/calls/`)).toHaveLength(1)
    expect(await cm.resume(first.resumeToken, "approve")).toMatchObject({ status: "done", value: 3 })
    expect(await s.inner.keys(`runs/${first.runId}/`)).toEqual([])
    expect(await cm.resume(first.resumeToken, "approve")).toMatchObject({ status: "done", value: 3 })
  })
})

describe("redaction", () => {
  it("redacts secrets inside class instances and objects with other prototypes, durable or not", async () => {
    const SECRET = "sk-live-ABCDEF123456"
    class Response {
      constructor(
        readonly status: number,
        readonly body: string,
      ) {}
    }
    const source = Object.assign(
      functions("up", {
        instance: { run: () => new Response(401, `Authorization: Bearer ${SECRET}`) },
        inherited: { run: () => [Object.assign(Object.create({}) as object, { body: SECRET })] },
      }),
      { secrets: async () => [SECRET] },
    )
    for (const durable of [false, true]) {
      const cm = await codemode({ sources: [source], ...(durable ? { policy: { rules: [{ tool: "none.*", action: "ask" as const }] } } : {}) })
      const result = await cm.execute("const b = await codemode.up.instance({}); console.log(JSON.stringify(b)); return { b, c: await codemode.up.inherited({}) }")
      expect(JSON.stringify(result)).not.toContain(SECRET)
      expect(result.ok && result.value).toEqual({ b: { status: 401, body: "Authorization: Bearer [redacted]" }, c: [{ body: "[redacted]" }] })
    }
  })
})

describe("approvers", () => {
  it("cancelling a durable run while the inline approver decides pauses it: the call is not denied, a resume can approve it", async () => {
    const { source, sent } = bank()
    const cancel = new AbortController()
    const cm = await codemode({ sources: [source], policy: ASK_PAY, runs: { store: memoryStore() }, onApproval: async () => (cancel.abort(), "deny") })
    const first = paused(await cm.execute("return await codemode.bank.pay({ n: 3 })", { signal: cancel.signal }))
    expect(first.pending.map((p) => p.id)).toEqual(["c0"])
    expect(await cm.resume(first.resumeToken, "approve", { onApproval: false })).toMatchObject({ status: "done", value: 3 })
    expect(sent).toEqual(["pay 3"])
  })

  it("a synchronous approver works", async () => {
    const { source, sent } = bank()
    const cm = await codemode({ sources: [source], policy: ASK_PAY, onApproval: (() => "approve") as never })
    const result = await cm.execute("return await codemode.bank.pay({ n: 2 })")
    expect(result.status).toBe("done")
    expect(sent).toEqual(["pay 2"])
  })
})
