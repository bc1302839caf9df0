/**
 * Policies and approvals through the real CLI (`run`, `resume`, `runs`, `audit` as subprocesses)
 * against a real HTTP API in this process: side effects are counted where they happen.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, it, type TestContext } from "vitest"
import type { AuditEntry } from "../../src/runtime/audit.js"
import type { ExecuteResult, PausedResult } from "../../src/runtime/results.js"
import type { RunSummary } from "../../src/runtime/run-book.js"
import { startOrdersServer } from "../fixtures/orders/server.js"
import { cli, ROOT, type CliResult } from "./helpers.js"

/** Each test spawns up to three processes (node + tsx, ~3 s of CPU each): generous, for loaded shared cores, but bounded. */
const TEST_TIMEOUT_MS = 240_000
/** One CLI process at most; `cli()` kills it after this (its exit code is then null). */
const CLI_TIMEOUT_MS = 120_000

const DELETE_THEN_LIST = "await codemode.orders.deleteOrder({ id: 1 })\nreturn (await codemode.orders.listOrders()).map((o) => o.id)"
const CATCH_DELETE = 'try { await codemode.orders.deleteOrder({ id: 1 }); return "deleted" } catch (e) { return "caught: " + e.message }'

/** Parses `--json` output, failing with what the CLI printed. */
function json<T>(out: CliResult): T {
  try {
    return JSON.parse(out.stdout) as T
  } catch {
    throw new Error(`not JSON (exit ${out.code}): ${out.stdout}\nstderr: ${out.stderr}`)
  }
}

/**
 * What a test works against: its own orders API and state dir (the tests run concurrently, so the
 * CLI processes of several tests overlap), removed when the test ends.
 */
async function setup(onTestFinished: TestContext["onTestFinished"]) {
  const orders = await startOrdersServer()
  const dir = mkdtempSync(join(tmpdir(), "codemode-cli-approvals-"))
  onTestFinished(async () => {
    await orders.close()
    rmSync(dir, { recursive: true, force: true })
  })
  /** The orders API as the CLI's source, and the temp state dir. */
  const source = ["--openapi", orders.specUrl, "--namespace", "orders", "--state-dir", dir]
  return {
    orders,
    dir,
    source,
    /** `codemode <args>`. */
    cli: (args: string[], input = "") => cli(args, input, CLI_TIMEOUT_MS),
    /** `codemode run -` against the orders API with `program` on stdin. */
    run: (program: string, ...flags: string[]) => cli(["run", "-", ...source, ...flags], program, CLI_TIMEOUT_MS),
  }
}

describe.concurrent("policies and approvals in the CLI", () => {
  it(
    "run --ask … --approve defer pauses without calling; resume in a new process calls once; a second resume only reports",
    async ({ expect, onTestFinished }) => {
      const { orders, source, cli, run } = await setup(onTestFinished)
      const paused = await run(DELETE_THEN_LIST, "--ask", "orders.delete*", "--approve", "defer", "--json")
      expect(paused.code, paused.stderr).toBe(0)
      const result = json<PausedResult>(paused)
      expect(result.status).toBe("paused")
      expect(result.resumeToken).toMatch(/^cmr1\./)
      expect(result.pending).toEqual([{ id: "c0", tool: "orders.deleteOrder", args: { id: 1 }, reason: 'rules[0] {tool:"orders.delete*"} → ask' }])
      expect(orders.count("DELETE /orders/1")).toBe(0)

      const resume = ["resume", "--token", result.resumeToken, "--approve", "--json", ...source]
      const done = await cli(resume)
      expect(done.code, done.stderr).toBe(0)
      expect(json<ExecuteResult>(done)).toMatchObject({ status: "done", value: [2], runId: result.runId })
      expect(orders.count("DELETE /orders/1")).toBe(1)

      const again = await cli(resume)
      expect(again.code, again.stderr).toBe(0)
      expect(json<ExecuteResult>(again)).toMatchObject({ status: "done", value: [2], runId: result.runId })
      expect(orders.count("DELETE /orders/1")).toBe(1)
      expect(orders.count("GET /orders")).toBe(1)
    },
    TEST_TIMEOUT_MS,
  )

  it(
    "resume refuses a forged token with exit 2 and runs nothing",
    async ({ expect, onTestFinished }) => {
      const { orders, source, cli } = await setup(onTestFinished)
      const claims = { run: "r_forged", program: "0".repeat(32), catalog: "0".repeat(32), pause: 1, exp: Date.now() + 60_000 }
      const forged = `cmr1.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${"A".repeat(43)}`
      const out = await cli(["resume", "--token", forged, "--approve", ...source])
      expect(out.code).toBe(2)
      expect(out.stderr).toMatch(/invalid resume token: the signature does not match/)
      expect(out.stdout).toBe("")
      expect(orders.requests).toEqual([])
    },
    TEST_TIMEOUT_MS,
  )

  it(
    "--deny: the program catches the denial naming the rule (exit 0) and the call trace shows the decision",
    async ({ expect, onTestFinished }) => {
      const { orders, run } = await setup(onTestFinished)
      const out = await run(CATCH_DELETE, "--deny", "orders.delete*", "--json")
      expect(out.code, out.stderr).toBe(0)
      const result = json<ExecuteResult>(out)
      expect(result.status).toBe("done")
      expect(result.value).toBe('caught: codemode.orders.deleteOrder({"id":1}) was denied by the policy (rules[0] {tool:"orders.delete*"} → deny)')
      expect(result.calls).toEqual([
        expect.objectContaining({ tool: "orders.deleteOrder", ok: false, decision: { action: "deny", rule: 'rules[0] {tool:"orders.delete*"} → deny' } }),
      ])
      expect(orders.count("DELETE /orders/1")).toBe(0)
    },
    TEST_TIMEOUT_MS,
  )

  it(
    "--approve none denies what --ask asks about; --approve prompt without a terminal is exit 2",
    async ({ expect, onTestFinished }) => {
      const { orders, run } = await setup(onTestFinished)
      const [none, prompt] = await Promise.all([
        run(CATCH_DELETE, "--ask", "orders.delete*", "--approve", "none", "--json"),
        run(CATCH_DELETE, "--ask", "orders.delete*", "--approve", "prompt"),
      ])
      expect(none.code, none.stderr).toBe(0)
      expect(json<ExecuteResult>(none)).toMatchObject({ status: "done", value: 'caught: codemode.orders.deleteOrder({"id":1}) was denied by the approver' })
      expect(prompt.code).toBe(2)
      expect(prompt.stderr).toContain("--approve prompt needs a terminal on standard input; use --approve defer")
      expect(prompt.stdout).toBe("")
      expect(orders.count("DELETE /orders/1")).toBe(0)
    },
    TEST_TIMEOUT_MS,
  )

  it(
    "--approve all runs what --ask asks about once; the audit log shows each decision and never the credential",
    async ({ expect, onTestFinished }) => {
      const { orders, dir, cli } = await setup(onTestFinished)
      const secret = "sk_live_0rd3rs_t0k3n_9f8e7d"
      const config = join(dir, "codemode.json")
      writeFileSync(config, JSON.stringify({ openapi: { orders: { spec: orders.specUrl, auth: { bearer: secret } } } }))
      const program = [
        "const me = await codemode.orders.whoami()", // the API echoes the Authorization header back
        "await codemode.orders.deleteOrder({ id: 1 })",
        "const note = await codemode.orders.createOrder({ body: { item: String(me.authorization) } })",
        "return note.item",
      ].join("\n")
      const out = await cli(["run", "-", "--config", config, "--state-dir", dir, "--ask", "orders.delete*", "--approve", "all", "--json"], program)
      expect(out.code, out.stderr).toBe(0)
      const result = json<ExecuteResult>(out)
      expect(result.status).toBe("done")
      expect(result.value).toMatch(/^Bearer /)
      expect(orders.count("GET /whoami")).toBe(1) // answered from the journal after the approval, not sent again
      expect(orders.count("DELETE /orders/1")).toBe(1)
      expect(orders.count("POST /orders")).toBe(1)

      const audit = await cli(["audit", "--state-dir", dir, "--json"])
      expect(audit.code, audit.stderr).toBe(0)
      const entries = audit.stdout.trim().split("\n").map((line) => JSON.parse(line) as AuditEntry)
      expect(entries.map((e) => [e.tool, e.decision.action, e.decision.approval ?? "", e.outcome])).toEqual(
        expect.arrayContaining([
          ["orders.whoami", "allow", "", "ok"],
          ["orders.deleteOrder", "ask", "", "pending"],
          ["orders.deleteOrder", "ask", "approved", "ok"],
          ["orders.createOrder", "allow", "", "ok"],
        ]),
      )
      expect(entries.every((e) => e.runId === result.runId)).toBe(true)
      for (const text of [out.stdout, out.stderr, audit.stdout, readFileSync(join(dir, "audit.jsonl"), "utf8")]) expect(text).not.toContain(secret)
    },
    TEST_TIMEOUT_MS,
  )

  // The run keeps the policy it started under: `codemode resume` (which takes no policy flags) cannot drop it.
  it(
    "a call after the approved one still needs approval when the run is resumed",
    async ({ expect, onTestFinished }) => {
      const { orders, source, cli, run } = await setup(onTestFinished)
      const program = 'await codemode.orders.deleteOrder({ id: 1 })\nawait codemode.orders.deleteOrder({ id: 2 })\nreturn "both"'
      const paused = json<PausedResult>(await run(program, "--ask", "orders.delete*", "--approve", "defer", "--json"))
      expect(paused.pending.map((p) => p.args)).toEqual([{ id: 1 }])
      const resumed = await cli(["resume", "--token", paused.resumeToken, "--approve", "--json", ...source])
      expect(orders.count("DELETE /orders/1")).toBe(1)
      expect(orders.count("DELETE /orders/2"), resumed.stdout).toBe(0)
      expect(json<PausedResult>(resumed).pending.map((p) => p.args)).toEqual([{ id: 2 }])
    },
    TEST_TIMEOUT_MS,
  )

  it(
    "a host killed (-9) while its run is paused: codemode runs lists the run with its token, codemode resume finishes it from the file store",
    async ({ expect, onTestFinished }) => {
      const { orders, dir, source, cli } = await setup(onTestFinished)
      const job = { specUrl: orders.specUrl, store: { dir }, policy: { rules: [{ tool: "orders.deleteOrder", action: "ask" }] }, execute: DELETE_THEN_LIST, hang: true }
      const host = spawn(process.execPath, ["--import", "tsx", join(ROOT, "test/fixtures/orders/host.ts"), JSON.stringify(job)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] })
      onTestFinished(() => void host.kill("SIGKILL"))
      const exited = new Promise<NodeJS.Signals | null>((resolve) => host.on("exit", (_code, signal) => resolve(signal)))
      let stderr = ""
      host.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
      const line = await new Promise<string>((resolve, reject) => {
        let stdout = ""
        const timer = setTimeout(() => reject(new Error(`the host printed no result; stdout: ${stdout}; stderr: ${stderr}`)), CLI_TIMEOUT_MS)
        host.stdout.on("data", (d: Buffer) => {
          stdout += d.toString()
          if (!stdout.includes("\n")) return
          clearTimeout(timer)
          resolve(stdout.slice(0, stdout.indexOf("\n")))
        })
      })
      const paused = JSON.parse(line) as PausedResult
      expect(paused.status, line).toBe("paused")
      expect(host.exitCode).toBe(null) // still alive, holding whatever it holds
      host.kill("SIGKILL")
      expect(await exited).toBe("SIGKILL")
      expect(orders.count("DELETE /orders/1")).toBe(0)

      const listed = await cli(["runs", "--state-dir", dir, "--json"])
      expect(listed.code, listed.stderr).toBe(0)
      expect(json<RunSummary[]>(listed)).toEqual([
        expect.objectContaining({ runId: paused.runId, status: "paused", resumeToken: paused.resumeToken, pending: paused.pending }),
      ])

      const done = await cli(["resume", "--token", paused.resumeToken, "--approve", "--json", ...source])
      expect(done.code, done.stderr).toBe(0)
      expect(json<ExecuteResult>(done)).toMatchObject({ status: "done", value: [2], runId: paused.runId })
      expect(orders.count("DELETE /orders/1")).toBe(1)
    },
    TEST_TIMEOUT_MS,
  )
})
