/** `codemode audit` as a subprocess, on audit files written by createAuditLog. */
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { createAuditLog, type AuditEntry } from "../../src/runtime/audit.js"
import { createRedactor } from "../../src/runtime/redact.js"
import { auditEntry as entry } from "../fixtures/audit.js"
import { CLI_ARGS, cli, ROOT } from "./helpers.js"

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "codemode-cli-audit-"))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})


async function writeLog(file: string, entries: AuditEntry[], options: { maxBytes?: number } = {}): Promise<void> {
  const log = createAuditLog({ file, redactor: createRedactor(["ghp_topsecret"]), ...options })
  for (const e of entries) log.write(e)
  await log.close()
}

const ENTRIES = [
  entry(1),
  entry(2, { runId: "r_two", tool: "github.repos_delete", decision: { action: "deny", rule: "no-deletes" }, outcome: "denied", durationMs: 0.25, bytes: 0, error: "denied by policy" }),
  entry(3, { tool: "slack.post_message", decision: { action: "ask", rule: "writes", approval: "approved" }, outcome: "error", durationMs: 1500, bytes: 0, error: "HTTP 401\nbad token ghp_topsecret" }),
]

// `--import tsx` resolves from the cwd: name the loader by path so the CLI can run in a temp dir.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href

/** The CLI with its own environment and working directory, for --follow and CODEMODE_STATE_DIR. */
function start(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  const child = spawn(process.execPath, [...CLI_ARGS.map((a) => (a === "tsx" ? TSX : a)), ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })))
  const until = async (predicate: () => boolean, what: string) => {
    for (let i = 0; i < 600 && !predicate(); i++) await new Promise((r) => setTimeout(r, 50))
    if (!predicate()) throw new Error(`timed out waiting for ${what}; stdout: ${stdout}; stderr: ${stderr}`)
  }
  return { child, exited, until, out: () => stdout, err: () => stderr }
}

describe("codemode audit", () => {
  it("prints one aligned line per call, secrets redacted", async () => {
    const file = join(dir, "audit.jsonl")
    await writeLog(file, ENTRIES)
    const { code, stdout, stderr } = await cli(["audit", "--file", file])
    expect(stderr).toBe("")
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split("\n")
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatch(/^time\s+run\s+tool\s+decision\s+outcome\s+ms\s+bytes\s+error$/)
    expect(lines[1]).toMatch(/^2026-01-01T00:00:01\.000Z\s+r_one\s+github\.repos_get\s+allow \(default\)\s+ok\s+13\s+2048$/)
    expect(lines[2]).toMatch(/r_two\s+github\.repos_delete\s+deny \(no-deletes\)\s+denied\s+0\.3\s+0\s+denied by policy$/)
    expect(lines[3]).toMatch(/slack\.post_message\s+ask\/approved \(writes\)\s+error\s+1500\s+0\s+HTTP 401 bad token \[redacted\]$/)
    // aligned: every column starts at the same offset on every line
    const start = (line: string, text: string) => line.indexOf(text)
    expect(new Set([start(lines[1]!, "github"), start(lines[2]!, "github"), start(lines[3]!, "slack"), start(lines[0]!, "tool")]).size).toBe(1)
    expect(lines[1]!.indexOf(" 2048") + 5).toBe(lines[0]!.indexOf("bytes") + 5) // numbers right-aligned under their header
    expect(stdout).not.toContain("ghp_topsecret")
  }, 60_000)

  it("--json prints the JSONL lines as they are; --run and --tool filter them", async () => {
    const file = join(dir, "audit.jsonl")
    await writeLog(file, ENTRIES)
    const all = await cli(["audit", "--file", file, "--json"])
    expect(all.code).toBe(0)
    expect(all.stdout).toBe(readFileSync(file, "utf8"))
    const filtered = await cli(["audit", "--file", file, "--json", "--run", "r_one", "--tool", "github.*"])
    expect(filtered.stdout.trimEnd().split("\n").map((l) => (JSON.parse(l) as AuditEntry).args)).toEqual([{ n: 1 }])
  }, 60_000)

  it("reads <state-dir>/audit.jsonl, rotated files first; the state dir is CODEMODE_STATE_DIR, else .codemode in the cwd", async () => {
    const lineBytes = Buffer.byteLength(`${JSON.stringify(entry(1))}\n`)
    await writeLog(join(dir, "state", "audit.jsonl"), [1, 2, 3, 4, 5].map((n) => entry(n)), { maxBytes: lineBytes * 2 })
    const fromEnv = start(["audit", "--json"], { CODEMODE_STATE_DIR: join(dir, "state") })
    expect(await fromEnv.exited).toEqual({ code: 0, signal: null })
    expect(fromEnv.out().trimEnd().split("\n").map((l) => (JSON.parse(l) as { args: { n: number } }).args.n)).toEqual([1, 2, 3, 4, 5])

    await writeLog(join(dir, ".codemode", "audit.jsonl"), [entry(9)])
    const fromCwd = start(["audit", "--json"], { CODEMODE_STATE_DIR: "" }, dir)
    expect(await fromCwd.exited).toEqual({ code: 0, signal: null })
    expect((JSON.parse(fromCwd.out()) as AuditEntry).args).toEqual({ n: 9 })
  }, 60_000)

  it("says so on stderr and exits 0 with nothing on stdout when there is no audit log", async () => {
    const result = await cli(["audit", "--state-dir", join(dir, "empty")])
    expect(result).toMatchObject({ code: 0, stdout: "" })
    expect(result.stderr).toContain(`no audit log at ${join(dir, "empty", "audit.jsonl")}`)
  }, 60_000)

  it("rejects --file together with --state-dir", async () => {
    const result = await cli(["audit", "--file", join(dir, "a.jsonl"), "--state-dir", dir])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/--file.*cannot be used with.*--state-dir/)
  }, 60_000)

  it("--follow prints new calls, also after a rotation, and ends cleanly on SIGTERM", async () => {
    const file = join(dir, "audit.jsonl")
    const lineBytes = Buffer.byteLength(`${JSON.stringify(entry(1))}\n`)
    const log = createAuditLog({ file, maxBytes: lineBytes * 2 })
    log.write(entry(1))
    await log.flush()
    const following = start(["audit", "--file", file, "--follow", "--json"])
    try {
      await following.until(() => following.out().includes('"n":1'), "the first entry")
      log.write(entry(2))
      log.write(entry(3)) // rotates
      log.write(entry(4))
      await log.flush()
      await following.until(() => following.out().includes('"n":4'), "the entries after the rotation")
      expect(following.out().trimEnd().split("\n").map((l) => (JSON.parse(l) as { args: { n: number } }).args.n)).toEqual([1, 2, 3, 4])
      following.child.kill("SIGTERM")
      expect(await following.exited).toEqual({ code: 0, signal: null })
      expect(following.err()).toBe("")
    } finally {
      following.child.kill("SIGKILL")
      await log.close()
    }
  }, 60_000)

  it("--follow waits for a log that does not exist yet, and ends on SIGINT", async () => {
    const file = join(dir, "later", "audit.jsonl")
    const following = start(["audit", "--file", file, "--follow"])
    try {
      await following.until(() => following.err().includes("waiting for it"), "the waiting note")
      await writeLog(file, [entry(7)])
      await following.until(() => following.out().includes("github.repos_get"), "the entry")
      expect(following.out()).toMatch(/^time\s+run/)
      following.child.kill("SIGINT")
      expect(await following.exited).toEqual({ code: 0, signal: null })
    } finally {
      following.child.kill("SIGKILL")
    }
  }, 60_000)
})
