import { spawn } from "node:child_process"
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { createAuditLog, readAudit, type AuditEntry, type AuditLog } from "../../src/runtime/audit.js"
import { createCodeMode } from "../../src/runtime/codemode.js"
import { createRedactor, REDACTED } from "../../src/runtime/redact.js"
import { defineSource } from "../../src/tools/tool.js"
import { auditEntry as entry } from "../fixtures/audit.js"

let dir: string
let file: string
const logs: AuditLog[] = []
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "codemode-audit-"))
  file = join(dir, "audit.jsonl")
})
afterEach(async () => {
  await Promise.all(logs.splice(0).map((l) => l.close()))
  rmSync(dir, { recursive: true, force: true })
})

function log(options: Partial<Parameters<typeof createAuditLog>[0]> = {}): AuditLog {
  const l = createAuditLog({ file, ...options })
  logs.push(l)
  return l
}


async function readAll(f = file, onError?: (e: CodeModeError) => void): Promise<AuditEntry[]> {
  const out: AuditEntry[] = []
  for await (const e of readAudit(f, onError ? { onError } : {})) out.push(e)
  return out
}

const numbers = (entries: AuditEntry[]) => entries.map((e) => (e.args as { n: number }).n)
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

describe("createAuditLog", () => {
  it("writes one JSON line per entry, in order, with secrets redacted, and reads them back", async () => {
    const audit = log({ redactor: createRedactor(["ghp_secret123"]) })
    audit.write(entry(1, { args: { token: "ghp_secret123", q: "x" } }))
    audit.write(entry(2, { outcome: "error", error: "HTTP 401: bad token ghp_secret123" }))
    audit.write(entry(3, { decision: { action: "ask", rule: "writes", approval: "approved" } }))
    await audit.flush()
    const lines = readFileSync(file, "utf8").split("\n")
    expect(lines).toHaveLength(4)
    expect(lines[3]).toBe("")
    expect(JSON.parse(lines[0]!)).toEqual(entry(1, { args: { token: REDACTED, q: "x" } }))
    expect(readFileSync(file, "utf8")).not.toContain("ghp_secret123")
    const back = await readAll()
    expect(back.map((e) => e.time)).toEqual([1, 2, 3].map((n) => entry(n).time))
    expect(back[1]?.error).toBe(`HTTP 401: bad token ${REDACTED}`)
    expect(back[2]?.decision).toEqual({ action: "ask", rule: "writes", approval: "approved" })
  })

  it("a log shared by instances gets each one's secrets redacted, and a bad approvalTimeoutMs is refused before anything loads", async () => {
    const shared = log()
    const source = defineSource({
      namespace: "api",
      kind: "custom",
      secrets: async () => ["sk-shared-secret-9"],
      load: async () => [{ name: "echo", namespace: "api", inputSchema: { type: "object" }, call: async (args: unknown) => args }],
    })
    const cm = await createCodeMode({ sources: [source], audit: shared, typecheck: "off" })
    try {
      await cm.execute('return await codemode.api.echo({ key: "sk-shared-secret-9" })')
      await shared.flush()
      const text = readFileSync(file, "utf8")
      expect(text).toContain("api.echo")
      expect(text).not.toContain("sk-shared-secret-9")
    } finally {
      await cm.close()
    }
    let loaded = false
    const watched = defineSource({ namespace: "w", kind: "custom", load: async () => ((loaded = true), []) })
    await expect(createCodeMode({ sources: [watched], approvalTimeoutMs: 2 ** 31 })).rejects.toThrow(/approvalTimeoutMs must be an integer from 1 to 2147483647/)
    expect(loaded).toBe(false)
  })

  it("creates the directory on the first write", async () => {
    file = join(dir, "state", "nested", "audit.jsonl")
    const audit = log()
    audit.write(entry(1))
    await audit.flush()
    expect(numbers(await readAll())).toEqual([1])
  })

  it("rotates before the file would pass maxBytes and keeps `keep` rotated files", async () => {
    const lineBytes = Buffer.byteLength(`${JSON.stringify(entry(10))}\n`)
    const audit = log({ maxBytes: lineBytes * 3, keep: 2 })
    for (const n of range(10, 30)) audit.write(entry(n))
    await audit.flush()
    expect(readdirSync(dir).sort()).toEqual(["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"])
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(lineBytes * 3)
    // 20 lines, 3 a file: the live file holds the last 2, then two full rotated files; older ones are gone.
    expect(numbers(await readAll(`${file}.2`)).length).toBe(3)
    expect(numbers(await readAll())).toEqual(range(22, 30))
  })

  it("keeps no rotated file with keep: 0, and gives a line bigger than maxBytes a file of its own", async () => {
    const audit = log({ maxBytes: 100, keep: 0 })
    audit.write(entry(1, { args: { n: 1, big: "x".repeat(300) } }))
    audit.write(entry(2))
    await audit.flush()
    expect(readdirSync(dir)).toEqual(["audit.jsonl"])
    expect(numbers(await readAll())).toEqual([2])
  })

  it("leaves the rotation to a writer holding the lock, and removes a stale lock", async () => {
    const lineBytes = Buffer.byteLength(`${JSON.stringify(entry(10))}\n`)
    const audit = log({ maxBytes: lineBytes * 2, keep: 3 })
    writeFileSync(`${file}.lock`, "") // another process is rotating right now
    for (const n of range(10, 14)) audit.write(entry(n))
    await audit.flush()
    expect(readdirSync(dir).sort()).toEqual(["audit.jsonl", "audit.jsonl.lock"]) // appended past maxBytes, nothing lost
    expect(numbers(await readAll())).toEqual(range(10, 14))
    const old = new Date(Date.now() - 60_000)
    utimesSync(`${file}.lock`, old, old) // its owner died
    audit.write(entry(14))
    await audit.flush()
    expect(readdirSync(dir).sort()).toEqual(["audit.jsonl", "audit.jsonl.1"])
    expect(numbers(await readAll())).toEqual(range(10, 15))
  })

  it("flush waits only for what was written before it; close refuses later writes through onError", async () => {
    const errors: CodeModeError[] = []
    const audit = log({ onError: (e) => errors.push(e) })
    await audit.flush() // nothing queued
    audit.write(entry(1))
    const flushed = audit.flush()
    audit.write(entry(2))
    await flushed
    expect(numbers(await readAll())).toContain(1)
    await audit.close()
    await audit.close() // idempotent
    expect(numbers(await readAll())).toEqual([1, 2])
    expect(() => audit.write(entry(3))).not.toThrow()
    expect(errors.map((e) => e.code)).toEqual(["CLOSED"])
  })

  it("two audit logs appending to one file never interleave within a line, also across rotations", async () => {
    const big = "y".repeat(5_000)
    const a = log({ maxBytes: 64 * 1024, keep: 1_000 })
    const b = log({ maxBytes: 64 * 1024, keep: 1_000 })
    for (let i = 0; i < 300; i++) {
      a.write(entry(i, { runId: "a", args: { n: i, big } }))
      b.write(entry(i, { runId: "b", args: { n: i, big } }))
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1))
    }
    await Promise.all([a.flush(), b.flush()])
    const names = readdirSync(dir).filter((n) => n.startsWith("audit.jsonl"))
    expect(names.length).toBeGreaterThan(10)
    for (const name of names) {
      for (const line of readFileSync(join(dir, name), "utf8").split("\n").filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow()
    }
    const all = await readAll()
    expect(numbers(all.filter((e) => e.runId === "a"))).toEqual(range(0, 300))
    expect(numbers(all.filter((e) => e.runId === "b"))).toEqual(range(0, 300))
  })

  it("two processes appending to one file lose and split no line, also across rotations", async () => {
    const script = (id: string) => `
      import { existsSync, writeFileSync } from "node:fs"
      import { createAuditLog } from ${JSON.stringify(new URL("../../src/runtime/audit.ts", import.meta.url).href)}
      const log = createAuditLog({ file: ${JSON.stringify(file)}, maxBytes: 8 * 1024, keep: 1000, onError: (e) => { console.error(e.message); process.exitCode = 1 } })
      writeFileSync(${JSON.stringify(join(dir, "ready-"))} + ${JSON.stringify(id)}, "")
      while (!existsSync(${JSON.stringify(join(dir, "ready-p1"))}) || !existsSync(${JSON.stringify(join(dir, "ready-p2"))})) await new Promise((r) => setTimeout(r, 2))
      for (let n = 0; n < 400; n++) {
        log.write({ ...${JSON.stringify(entry(0, { runId: id }))}, args: { n, pad: "z".repeat(2000) } })
        if (n % 5 === 0) await new Promise((r) => setTimeout(r, 1))
      }
      await log.close()`
    const run = (id: string) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script(id)], { stdio: ["ignore", "ignore", "inherit"] })
        child.on("error", reject).on("close", resolve)
      })
    expect(await Promise.all([run("p1"), run("p2")])).toEqual([0, 0])
    const all = await readAll()
    expect(numbers(all.filter((e) => e.runId === "p1"))).toEqual(range(0, 400))
    expect(numbers(all.filter((e) => e.runId === "p2"))).toEqual(range(0, 400))
  }, 30_000)

  it("reports a write failure to onError and never throws: directory removed, path is a directory", async () => {
    const errors: CodeModeError[] = []
    const audit = log({ onError: (e) => errors.push(e) })
    audit.write(entry(1))
    await audit.flush()
    rmSync(dir, { recursive: true })
    expect(() => audit.write(entry(2))).not.toThrow()
    await audit.flush()
    expect(errors).toHaveLength(1)
    expect(CodeModeError.is(errors[0], "STORE_FAILED")).toBe(true)
    expect(errors[0]?.message).toMatch(/^\[codemode\] \[audit\] could not append 1 line\(s\) to .*audit\.jsonl.*ENOENT/)

    mkdirSync(file, { recursive: true }) // the file's path is now a directory
    audit.write(entry(3))
    await audit.flush()
    expect(errors).toHaveLength(2)
    expect(errors[1]?.message).toMatch(/EISDIR/)
  })

  it("writes args that are not JSON as a marker and reports them", async () => {
    const errors: CodeModeError[] = []
    const audit = log({ onError: (e) => errors.push(e) })
    audit.write(entry(1, { args: { n: 10n } }))
    await audit.flush()
    expect((await readAll())[0]?.args).toBe("[not JSON]")
    expect(errors[0]?.message).toMatch(/not JSON/)
    expect(() => audit.write(null as unknown as AuditEntry)).not.toThrow()
    expect(errors[1]?.message).toMatch(/not an audit entry, dropped/)
  })

  it("rejects malformed options with CONFIG_INVALID", () => {
    expect(() => createAuditLog({ file: "" })).toThrow(/option "file"/)
    expect(() => createAuditLog({ file, maxBytes: 0 })).toThrow(/maxBytes/)
    expect(() => createAuditLog({ file, keep: -1 })).toThrow(/keep/)
  })
})

describe("readAudit", () => {
  it("yields nothing for a missing file", async () => {
    expect(await readAll(join(dir, "none.jsonl"))).toEqual([])
  })

  it("reads rotated files oldest first, then the live file", async () => {
    const lineBytes = Buffer.byteLength(`${JSON.stringify(entry(10))}\n`)
    const audit = log({ maxBytes: lineBytes * 2, keep: 10 })
    for (const n of range(10, 21)) audit.write(entry(n))
    await audit.flush()
    expect(readdirSync(dir)).toHaveLength(6)
    expect(numbers(await readAll())).toEqual(range(10, 21))
  })

  it("skips lines that are not audit entries and reports them", async () => {
    writeFileSync(file, `${JSON.stringify(entry(1))}\nnot json\n{"x":1}\n\n${JSON.stringify(entry(2))}\n{"partial":`)
    const errors: CodeModeError[] = []
    expect(numbers(await readAll(file, (e) => errors.push(e)))).toEqual([1, 2])
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/not json$/), expect.stringMatching(/\{"x":1\}$/)])
  })

  it("follows new lines and rotations until the signal aborts", async () => {
    const lineBytes = Buffer.byteLength(`${JSON.stringify(entry(10))}\n`)
    const audit = log({ maxBytes: lineBytes * 2, keep: 10 })
    audit.write(entry(10))
    await audit.flush()
    const controller = new AbortController()
    const seen: number[] = []
    const reading = (async () => {
      for await (const e of readAudit(file, { follow: true, signal: controller.signal, pollMs: 10 })) seen.push((e.args as { n: number }).n)
    })()
    const until = async (count: number) => {
      for (let i = 0; i < 500 && seen.length < count; i++) await new Promise((r) => setTimeout(r, 10))
    }
    await until(1)
    expect(seen).toEqual([10])
    audit.write(entry(11)) // fits the live file
    await audit.flush()
    await until(2)
    expect(seen).toEqual([10, 11])
    for (const n of range(12, 17)) audit.write(entry(n)) // several rotations between two polls
    await audit.flush()
    await until(7)
    expect(seen).toEqual(range(10, 17))
    appendFileSync(file, JSON.stringify(entry(17)).slice(0, 20)) // half a line: not yet
    await new Promise((r) => setTimeout(r, 50))
    appendFileSync(file, `${JSON.stringify(entry(17)).slice(20)}\n`)
    await until(8)
    expect(seen).toEqual(range(10, 18))
    controller.abort()
    await reading
  })

  it("follows a file that does not exist yet", async () => {
    const controller = new AbortController()
    const seen: AuditEntry[] = []
    const reading = (async () => {
      for await (const e of readAudit(file, { follow: true, signal: controller.signal, pollMs: 10 })) seen.push(e)
    })()
    await new Promise((r) => setTimeout(r, 30))
    const audit = log()
    audit.write(entry(1))
    await audit.flush()
    for (let i = 0; i < 500 && seen.length < 1; i++) await new Promise((r) => setTimeout(r, 10))
    expect(numbers(seen)).toEqual([1])
    controller.abort()
    await reading
  })
})
