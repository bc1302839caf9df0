/**
 * Policy, approvals and durable runs through the library, against a real HTTP API (the orders
 * server on 127.0.0.1 counts every side effect), real run stores (memory, file, Redis) and real
 * host processes that are killed with SIGKILL.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { createCodeMode, type CodeMode, type CodeModeOptions } from "../../src/runtime/codemode.js"
import type { ExecuteResult, PausedResult } from "../../src/runtime/results.js"
import { fileStore } from "../../src/store/file.js"
import { openapi } from "../../src/tools/openapi/index.js"
import { startOrdersServer, type OrdersServer } from "../fixtures/orders/server.js"
import { startRedisServer, type RedisServer } from "../store/redis-server.js"

const HOST = join(import.meta.dirname, "../fixtures/orders/host.ts")
const ASK_DELETE = { rules: [{ tool: "orders.deleteOrder", action: "ask" as const }] }

let server: OrdersServer
const open: CodeMode[] = []
const dirs: string[] = []

beforeAll(async () => {
  server = await startOrdersServer()
})
afterAll(async () => {
  await server.close()
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})
afterEach(async () => {
  await Promise.all(open.splice(0).map((cm) => cm.close()))
})

/** Typecheck off: these runs are about durability (the typecheck has its own tests), and its checker process costs each test a cold start. */
async function codemode(options: Partial<CodeModeOptions> = {}): Promise<CodeMode> {
  const cm = await createCodeMode({ sources: [openapi("orders", { spec: server.specUrl })], typecheck: "off", ...options })
  open.push(cm)
  return cm
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "codemode-durable-"))
  dirs.push(dir)
  return dir
}

function paused(result: ExecuteResult): PausedResult {
  if (result.status !== "paused") throw new Error(`expected a paused run, got ${JSON.stringify(result).slice(0, 500)}`)
  return result
}

/** A fresh order id on the server (so tests do not share side effects). */
async function newOrder(item: string): Promise<number> {
  const res = await fetch(`${server.origin}/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ item }) })
  return ((await res.json()) as { id: number }).id
}

/** Runs the host fixture in its own process; resolves with its first JSON line (and the process). */
function host(job: Record<string, unknown>): { child: ChildProcess; line: Promise<Record<string, unknown>> } {
  const child = spawn(process.execPath, ["--import", "tsx", HOST, JSON.stringify({ specUrl: server.specUrl, ...job })], { stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  let err = ""
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()))
  const line = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host gave no result in 30 s; stderr: ${err}`)), 30_000)
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString()
      const nl = out.indexOf("\n")
      if (nl >= 0) {
        clearTimeout(timer)
        resolve(JSON.parse(out.slice(0, nl)) as Record<string, unknown>)
      }
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      if (!out.includes("\n")) reject(new Error(`host exited (${code}) without a result; stderr: ${err}`))
    })
  })
  line.catch(() => undefined) // a host killed before it printed: only tests that await the line care
  return { child, line }
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())))

describe("policy", () => {
  it("a denied call throws inside the program, which may catch it, and the trace names the rule", async () => {
    const id = await newOrder("denied")
    const cm = await codemode({ policy: { rules: [{ method: "DELETE", action: "deny" }] } })
    const result = await cm.execute(`
      try { await codemode.orders.deleteOrder({ id: ${id} }); return "deleted" }
      catch (e) { return String(e.message) }`)
    expect(result.status).toBe("done")
    expect(result.value).toMatch(/codemode\.orders\.deleteOrder\(\{"id":\d+\}\) was denied by the policy \(rules\[0\] \{method:"DELETE"\} → deny\)/)
    expect(result.calls[0]).toMatchObject({ tool: "orders.deleteOrder", ok: false, decision: { action: "deny", rule: 'rules[0] {method:"DELETE"} → deny' }, error: { code: "POLICY_DENIED" } })
    expect(server.count(`DELETE /orders/${id}`)).toBe(0)
  })

  it("quotas per tool and rate limits are typed errors naming the rule", async () => {
    const cm = await codemode({ policy: { quotas: [{ tool: "orders.getOrder", maxCalls: 2 }, { tool: "orders.listOrders", rate: "2/min" }] } })
    const before = server.count("GET /orders/1")
    const result = await cm.execute(`
      const out = []
      for (let i = 0; i < 3; i++) { try { await codemode.orders.getOrder({ id: 1 }); out.push("ok") } catch (e) { out.push(e.message) } }
      for (let i = 0; i < 3; i++) { try { await codemode.orders.listOrders({}); out.push("ok") } catch (e) { out.push(e.message) } }
      return out`)
    const out = result.value as string[]
    expect(out.slice(0, 2)).toEqual(["ok", "ok"])
    expect(out[2]).toMatch(/quota \{tool:"orders.getOrder", maxCalls:2\} allows 2 calls per run/)
    expect(out[5]).toMatch(/rate:"2\/min"\} allows 2 calls per minute/)
    expect(result.calls[2]?.error?.code).toBe("QUOTA_EXCEEDED")
    expect(result.calls[5]?.error?.code).toBe("RATE_LIMITED")
    expect(server.count("GET /orders/1") - before).toBe(2)
  })
})

describe("deferred approvals", () => {
  it("pauses a Promise.all of three calls where one needs approval; resume runs it once and replays the others", async () => {
    const id = await newOrder("approve-me")
    const cm = await codemode({ policy: ASK_DELETE })
    const program = `
      const stamp = Date.now(), dice = Math.random(), when = new Date().toISOString()
      const [list, gone, made] = await Promise.all([
        codemode.orders.listOrders({}),
        codemode.orders.deleteOrder({ id: ${id} }),
        codemode.orders.createOrder({ body: { item: "stamp-" + stamp } }),
      ])
      return { listed: list.length > 0, made: made.item, stamp, dice, when }`
    const first = paused(await cm.execute(program))
    expect(first.pending).toEqual([{ id: "c1", tool: "orders.deleteOrder", args: { id }, reason: 'rules[0] {tool:"orders.deleteOrder"} → ask' }])
    expect(server.count(`DELETE /orders/${id}`)).toBe(0)
    const creates = server.count("POST /orders")
    const done = await cm.resume(first.resumeToken, "approve")
    expect(done.status).toBe("done")
    const value = done.value as { made: string; stamp: number; dice: number; when: string }
    // Date.now, new Date() and Math.random replayed: the item created before the pause carries the same stamp.
    expect(value.made).toBe(`stamp-${value.stamp}`)
    expect(server.count(`DELETE /orders/${id}`)).toBe(1)
    expect(server.count("POST /orders")).toBe(creates)
    expect(done.calls.map((c) => [c.tool, c.replayed ?? false, c.approval ?? null])).toEqual([
      ["orders.listOrders", true, null],
      ["orders.deleteOrder", false, "approved"],
      ["orders.createOrder", true, null],
    ])
    // Resuming a finished run again returns its outcome and runs nothing.
    const again = await cm.resume(first.resumeToken, "approve")
    expect(again).toMatchObject({ status: "done", value })
    expect(server.count(`DELETE /orders/${id}`)).toBe(1)
  })

  it("a busy-wait on the clock replays exactly and is journaled compactly", async () => {
    const dir = await tempDir()
    const cm = await codemode({ policy: ASK_DELETE, runs: { store: fileStore({ dir }) } })
    const program = `
      const start = Date.now(); let reads = 0
      while (Date.now() - start < 30) reads++
      const end = Date.now()
      try { await codemode.orders.deleteOrder({ id: 1000000 + reads }) } catch (e) {}
      return { reads, waited: end - start }`
    const first = paused(await cm.execute(program))
    const [file] = await readdir(join(dir, "runs", first.runId, "calls"))
    const entry = await readFile(join(dir, "runs", first.runId, "calls", file as string), "utf8")
    expect(entry.length).toBeLessThan(4_000)
    const done = await cm.resume(first.resumeToken, "deny")
    // The replay read the same clock values: the same loop count, so the same arguments (no divergence).
    expect(done.status).toBe("done")
    const value = done.value as { reads: number; waited: number }
    expect(first.pending[0]?.args).toEqual({ id: 1000000 + value.reads })
    expect(value.waited).toBeGreaterThanOrEqual(30)
    expect(value.reads).toBeGreaterThan(100)
  })

  it("deny: the program sees APPROVAL_DENIED and can go on; nothing reaches the server", async () => {
    const id = await newOrder("keep-me")
    const cm = await codemode({ policy: ASK_DELETE })
    const first = paused(await cm.execute(`try { await codemode.orders.deleteOrder({ id: ${id} }); return "deleted" } catch (e) { return "kept: " + e.message }`))
    const done = await cm.resume(first.resumeToken, { c0: "deny" })
    expect(done.value).toMatch(/^kept: codemode\.orders\.deleteOrder\(\{"id":\d+\}\) was denied by the approver/)
    expect(done.calls[0]).toMatchObject({ approval: "denied", error: { code: "APPROVAL_DENIED" } })
    expect(server.count(`DELETE /orders/${id}`)).toBe(0)
  })

  it("undecided calls pause the run again with a new token; the old token is refused as stale", async () => {
    const a = await newOrder("a")
    const b = await newOrder("b")
    const cm = await codemode({ policy: ASK_DELETE })
    const first = paused(await cm.execute(`return await Promise.all([codemode.orders.deleteOrder({ id: ${a} }), codemode.orders.deleteOrder({ id: ${b} })])`))
    expect(first.pending.map((p) => p.id)).toEqual(["c0", "c1"])
    const second = paused(await cm.resume(first.resumeToken, { c0: "approve" }))
    expect(second.pending.map((p) => p.id)).toEqual(["c1"])
    await expect(cm.resume(first.resumeToken, "approve")).rejects.toMatchObject({ code: "RESUME_INVALID", message: expect.stringMatching(/pause 1 .* use the latest token/) })
    await expect(cm.resume(second.resumeToken, { c9: "approve" })).rejects.toMatchObject({ code: "CONFIG_INVALID", message: expect.stringMatching(/no pending call c9/) })
    expect((await cm.resume(second.resumeToken, "approve")).status).toBe("done")
    expect([server.count(`DELETE /orders/${a}`), server.count(`DELETE /orders/${b}`)]).toEqual([1, 1])
  })

  it("refuses forged, tampered, expired and other-key tokens with RESUME_INVALID", async () => {
    const cm = await codemode({ policy: ASK_DELETE, runs: { expiresInMs: 400 } })
    const token = paused(await cm.execute("await codemode.orders.deleteOrder({ id: 99999 })")).resumeToken
    const [prefix, payload, signature] = token.split(".") as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>
    const forged = `${prefix}.${Buffer.from(JSON.stringify({ ...claims, exp: Date.now() + 1e9 })).toString("base64url")}.${signature}`
    await expect(cm.resume(forged, "approve")).rejects.toMatchObject({ code: "RESUME_INVALID", message: expect.stringMatching(/signature does not match/) })
    await expect(cm.resume("not-a-token", "approve")).rejects.toMatchObject({ code: "RESUME_INVALID" })
    const other = await codemode({ policy: ASK_DELETE })
    await expect(other.resume(token, "approve")).rejects.toMatchObject({ code: "RESUME_INVALID" })
    await new Promise((r) => setTimeout(r, 500))
    await expect(cm.resume(token, "approve")).rejects.toMatchObject({ code: "RESUME_INVALID", message: expect.stringMatching(/expired at/) })
    expect(server.count("DELETE /orders/99999")).toBe(0)
  })

  it("a journal altered so that the program diverges stops the run with RUN_DIVERGED naming the position", async () => {
    const dir = await tempDir()
    const id = await newOrder("diverge")
    const cm = await codemode({ policy: ASK_DELETE, runs: { store: fileStore({ dir }) } })
    const first = paused(await cm.execute(`const o = await codemode.orders.getOrder({ id: ${id} }); await codemode.orders.deleteOrder({ id: o.id }); return "done"`))
    // The journal says the first call asked for another order: the replayed program will not match it.
    const callsDir = join(dir, "runs", first.runId, "calls")
    const [file] = (await readdir(callsDir)).sort()
    const path = join(callsDir, file as string)
    const text = await readFile(path, "utf8")
    await writeFile(path, text.replace(`"args":{"id":${id}}`, `"args":{"id":${id + 1000}}`))
    const result = await cm.resume(first.resumeToken, "approve")
    expect(result.status).toBe("failed")
    expect(result.error).toMatchObject({ kind: "diverged", message: expect.stringMatching(/diverged from its journal at call #0/) })
    expect(server.count(`DELETE /orders/${id}`)).toBe(0)
  })
})

describe("inline approvals", () => {
  it("asks onApproval mid-run: approve, deny, and a timeout that denies", async () => {
    const ids = [await newOrder("x"), await newOrder("y"), await newOrder("z")]
    const asked: string[] = []
    const cm = await codemode({
      policy: ASK_DELETE,
      approvalTimeoutMs: 200,
      onApproval: async (request) => {
        asked.push(`${request.tool} ${JSON.stringify(request.args)}`)
        const { id } = request.args as { id: number }
        if (id === ids[2]) return new Promise(() => undefined) // never answers
        return id === ids[0] ? "approve" : "deny"
      },
    })
    const result = await cm.execute(`
      const out = []
      for (const id of ${JSON.stringify(ids)}) { try { await codemode.orders.deleteOrder({ id }); out.push("deleted") } catch (e) { out.push(e.message.includes("in time") ? "timeout" : "denied") } }
      return out`)
    expect(result.status).toBe("done")
    expect(result.value).toEqual(["deleted", "denied", "timeout"])
    expect(asked).toEqual(ids.map((id) => `orders.deleteOrder {"id":${id}}`))
    expect(ids.map((id) => server.count(`DELETE /orders/${id}`))).toEqual([1, 0, 0])
    expect(result.calls.map((c) => c.approval)).toEqual(["approved", "denied", "timeout"])
  })
})

describe("durable across processes", () => {
  it("resume after kill -9 of the host while paused, from another process (file store)", async () => {
    const dir = await tempDir()
    const id = await newOrder("paused-then-killed")
    const first = host({ store: { dir }, policy: ASK_DELETE, execute: `return await codemode.orders.deleteOrder({ id: ${id} })`, hang: true })
    const result = await first.line
    expect(result.status).toBe("paused")
    first.child.kill("SIGKILL")
    await exited(first.child)
    const second = host({ store: { dir }, policy: ASK_DELETE, resume: { token: result.resumeToken, decisions: "approve" } })
    expect(await second.line).toMatchObject({ status: "done" })
    await exited(second.child)
    expect(server.count(`DELETE /orders/${id}`)).toBe(1)
  })

  it("a call in flight when the host died is not sent again: the program sees CALL_INTERRUPTED", async () => {
    const dir = await tempDir()
    const before = server.count("POST /orders")
    const program = `
      const seen = await codemode.orders.getOrder({ id: 1 })
      try { await codemode.orders.createOrder({ body: { item: "slow", delayMs: 60000 } }); return "created" }
      catch (e) { return { item: seen.item, error: e.message } }`
    const first = host({ store: { dir }, policy: "allow", leaseMs: 1000, execute: program }) // a host stalled past its lease (loading the sandbox on a busy machine) loses the run
    await server.waitFor("POST /orders", before + 1)
    first.child.kill("SIGKILL")
    await exited(first.child)
    expect(server.count("POST /orders") - before).toBe(1)
    const cm = await codemode({ runs: { store: fileStore({ dir }) } })
    const [run] = await cm.runs()
    expect(run).toMatchObject({ status: "running", resumeToken: expect.any(String) })
    await new Promise((r) => setTimeout(r, 1100)) // the dead host's lease runs out
    const gets = server.count("GET /orders/1")
    const result = await cm.resume(run?.resumeToken as string)
    expect(result.status).toBe("done")
    expect(result.value).toMatchObject({ item: "tea", error: expect.stringMatching(/was interrupted: an earlier attempt of the run sent it and ended before recording its result/) })
    expect(result.calls.map((c) => [c.tool, c.replayed ?? false, c.error?.code ?? null])).toEqual([
      ["orders.getOrder", true, null],
      ["orders.createOrder", false, "CALL_INTERRUPTED"],
    ])
    expect(server.count("POST /orders") - before).toBe(1)
    expect(server.count("GET /orders/1")).toBe(gets)
  })

  it("an idempotent (read-only) call in flight when the host died is sent again on resume", async () => {
    const dir = await tempDir()
    const id = await newOrder("reread")
    server.hold(`GET /orders/${id}`)
    const first = host({ store: { dir }, policy: "allow", leaseMs: 1000, execute: `return (await codemode.orders.getOrder({ id: ${id} })).item` })
    await server.waitFor(`GET /orders/${id}`)
    first.child.kill("SIGKILL")
    await exited(first.child)
    server.hold(`GET /orders/${id}`, false)
    const cm = await codemode({ runs: { store: fileStore({ dir }) } })
    const [run] = await cm.runs()
    await new Promise((r) => setTimeout(r, 1100))
    const result = await cm.resume(run?.resumeToken as string)
    expect(result).toMatchObject({ status: "done", value: "reread" })
    expect(server.count(`GET /orders/${id}`)).toBe(2)
  })

  it("a run still leased by a live process is RUN_BUSY", async () => {
    const dir = await tempDir()
    const posts = server.count("POST /orders")
    const first = host({ store: { dir }, policy: "allow", execute: `await codemode.orders.createOrder({ body: { item: "busy", delayMs: 60000 } })` })
    await server.waitFor("POST /orders", posts + 1)
    const cm = await codemode({ runs: { store: fileStore({ dir }) } })
    const running = (await cm.runs()).find((r) => r.status === "running")
    await expect(cm.resume(running?.resumeToken as string)).rejects.toMatchObject({ code: "RUN_BUSY" })
    first.child.kill("SIGKILL")
    await exited(first.child)
  })

  describe("Redis", () => {
    let redis: RedisServer | undefined
    beforeAll(async () => {
      redis = await startRedisServer()
    })
    afterAll(async () => {
      await redis?.stop()
    })

    it("a run paused on one process resumes on another through a shared Redis store", async () => {
      const id = await newOrder("redis")
      const first = host({ store: { redis: redis?.url }, policy: ASK_DELETE, execute: `const o = await codemode.orders.getOrder({ id: ${id} }); await codemode.orders.deleteOrder({ id: o.id }); return o.item` })
      const result = await first.line
      expect(result.status).toBe("paused")
      await exited(first.child)
      const gets = server.count(`GET /orders/${id}`)
      const second = host({ store: { redis: redis?.url }, policy: ASK_DELETE, resume: { token: result.resumeToken, decisions: "approve" } })
      expect(await second.line).toMatchObject({ status: "done", value: "redis" })
      expect(server.count(`DELETE /orders/${id}`)).toBe(1)
      expect(server.count(`GET /orders/${id}`)).toBe(gets)
    })
  })
})

describe("the sandbox cannot reach the journal or the host key", () => {
  it("sees no new globals and cannot address store keys through arguments", async () => {
    const dir = await tempDir()
    // A string id does not typecheck, but an attacker can always cast (`as any`): test the store, unchecked.
    const cm = await codemode({ policy: ASK_DELETE, runs: { store: fileStore({ dir }) }, typecheck: "off" })
    const first = paused(
      await cm.execute(`
        const names = Object.getOwnPropertyNames(globalThis).filter((n) => !["codemode", "console"].includes(n) && typeof globalThis[n] !== "function" && typeof globalThis[n] !== "object")
        await codemode.orders.deleteOrder({ id: "../../hmac-key" })`),
    )
    // The file store's entry: a header line, then the value (the key, base64).
    const key = (await readFile(join(dir, "hmac-key,v"), "utf8")).split("\n")[1]
    expect(key).toMatch(/^[A-Za-z0-9+/]{40,}=*$/)
    const result = await cm.resume(first.resumeToken, "deny")
    expect(JSON.stringify(result)).not.toContain(key)
    expect(JSON.stringify(result.calls)).toContain("../../hmac-key")
    const files = await readdir(dir, { recursive: true })
    expect(files.filter((f) => f.includes("..") || f.includes("hmac-key/"))).toEqual([])
  })
})

describe("audit log and secrets", () => {
  it("a canary secret an upstream echoes back never reaches the sandbox, the result, the logs or the audit log", async () => {
    const dir = await tempDir()
    const canary = "canary-7f3a9c1e55d2b8"
    const file = join(dir, "audit.jsonl")
    const cm = await createCodeMode({
      sources: [openapi("orders", { spec: server.specUrl, auth: { bearer: canary } })],
      policy: { rules: [{ method: "DELETE", action: "deny" }] },
      audit: { file },
    })
    open.push(cm)
    const result = await cm.execute(`
      const me = await codemode.orders.whoami({})
      console.log("seen:", JSON.stringify(me))
      try { await codemode.orders.deleteOrder({ id: 1 }) } catch (e) {}
      return { me, leaked: JSON.stringify(me).includes("${canary.slice(0, 10)}") }`)
    expect(result.status).toBe("done")
    expect(result.value).toEqual({ me: { authorization: "Bearer [redacted]" }, leaked: false })
    await cm.close()
    const audit = await readFile(file, "utf8")
    const lines = audit.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => [l.tool, l.outcome, (l.decision as { action: string }).action])).toEqual([
      ["orders.whoami", "ok", "allow"],
      ["orders.deleteOrder", "denied", "deny"],
    ])
    expect(lines[0]).toMatchObject({ runId: result.runId, args: {}, bytes: expect.any(Number), durationMs: expect.any(Number) })
    for (const text of [JSON.stringify(result), audit]) expect(text).not.toContain(canary)
  })
})
