/**
 * Commit receipts: a durable run whose host stops after its state commit and before its journal
 * records it "done" is settled on resume from the receipt its commit recorded (same SQLite
 * transaction), so its writes are applied once and the resume returns the run's result. Real SQLite
 * files, a real file run store, hosts killed with SIGKILL at that point, a journal write that fails.
 */
import { spawn } from "node:child_process"
import { join } from "node:path"
import Database from "better-sqlite3"
import { describe, expect, it } from "vitest"
import { createCodeMode, type CodeMode, type CodeModeOptions } from "../../../src/runtime/codemode.js"
import type { ExecuteResult } from "../../../src/runtime/results.js"
import { fileStore } from "../../../src/store/file.js"
import type { RunStore } from "../../../src/store/store.js"
import { openSqlite } from "../../../src/tools/state/database.js"
import { state } from "../../../src/tools/state/source.js"
import type { CommitReceipt } from "../../../src/tools/tool.js"
import { scratchSpace } from "../../fixtures/scratch.js"

const HOST = join(import.meta.dirname, "../../fixtures/state-durable-host.ts")
const COLLECTIONS = {
  counters: { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
  items: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
}
/** Increments counter "c" (read-modify-write) and inserts an item with an id derived from the run's id. */
const PROGRAM = `
  const c = await codemode.s0.counters.get({ id: "c" })
  await codemode.s0.counters.update({ id: "c", set: { n: c.n + 1 } })
  const item = await codemode.s0.items.insert({ text: "once" })
  return { n: c.n + 1, item: item.id }`

let dirs = 0
const scratch = scratchSpace("codemode-receipts-")

/** A run store directory and `count` state database files, counter "c" at 0 in each. */
async function setup(count: number): Promise<{ dir: string; dbs: string[] }> {
  const base = join(scratch.dir, `t${dirs++}`)
  const dbs = Array.from({ length: count }, (_, i) => `${base}-s${i}.db`)
  for (const file of dbs) {
    const db = await openSqlite(file)
    db.commit({ docs: [], collections: [] }, [{ collection: "counters", id: "c", doc: { id: "c", n: 0 } }])
    db.close()
  }
  return { dir: `${base}-runs`, dbs }
}

async function codemode(dbs: string[], options: Partial<CodeModeOptions> = {}): Promise<CodeMode> {
  const cm = await createCodeMode({ sources: dbs.map((db, i) => state(`s${i}`, { db, collections: COLLECTIONS })), typecheck: "off", ...options })
  scratch.open.push(cm)
  return cm
}

/** Runs `program` in a host process that SIGKILLs itself at `kill` (see the fixture). */
async function killedHost(job: { dir: string; dbs: string[]; execute: string; kill: string }): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", HOST, JSON.stringify(job)], { stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()))
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()))
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, sig) => resolve(sig)))
  if (signal !== "SIGKILL") throw new Error(`the host was not killed at "${job.kill}": ${out}`)
}

/** Resumes the one run the store holds (its dead host's lease runs out first). */
async function resumeOrphan(cm: CodeMode): Promise<{ result: ExecuteResult; token: string }> {
  const [run] = await cm.runs()
  expect(run).toMatchObject({ status: "running", resumeToken: expect.any(String) })
  await new Promise((r) => setTimeout(r, 1_100)) // the host's leaseMs (test/fixtures/state-durable-host.ts) and a margin
  const token = run?.resumeToken as string
  return { result: await cm.resume(token), token }
}

async function snapshot(file: string): Promise<{ n: unknown; items: string[] }> {
  const db = await openSqlite(file)
  try {
    return { n: db.get("counters", "c")?.doc.n, items: db.scan("items").docs.map((d) => d.id) }
  } finally {
    db.close()
  }
}

async function receiptOf(file: string, runId: string): Promise<CommitReceipt | undefined> {
  const db = await openSqlite(file)
  try {
    const marker = db.committedRun(runId)
    return marker && (JSON.parse(marker.receipt) as CommitReceipt)
  } finally {
    db.close()
  }
}

function markers(file: string): number {
  const db = new Database(file, { readonly: true })
  try {
    return (db.prepare("SELECT count(*) AS n FROM committed_runs").get() as { n: number }).n
  } finally {
    db.close()
  }
}

describe("a durable run whose host stops between its state commit and its journal's \"done\"", () => {
  it("is settled on resume with its result, its writes applied once (host killed with SIGKILL)", async () => {
    const { dir, dbs } = await setup(1)
    const [file] = dbs as [string]
    await killedHost({ dir, dbs, execute: PROGRAM, kill: "journal" })
    const committed = await snapshot(file)
    expect(committed).toMatchObject({ n: 1, items: [expect.any(String)] }) // the commit happened before the kill

    const cm = await codemode(dbs, { runs: { store: fileStore({ dir }) } })
    const { result, token } = await resumeOrphan(cm)
    expect(result).toMatchObject({ status: "done", value: { n: 1, item: committed.items[0] } })
    expect(await snapshot(file)).toEqual(committed)
    expect((await cm.runs())[0]).toMatchObject({ runId: result.runId, status: "done" })
    expect(await cm.resume(token)).toMatchObject({ status: "done", value: { n: 1, item: committed.items[0] } })
    expect(await receiptOf(file, result.runId as string)).toMatchObject({ runId: result.runId, participants: [`state:${file}`], outcome: { status: "done" } })
  }, 60_000)

  it("fails with STATE_FAILED naming the database whose writes were not committed when it stopped between two databases' commits", async () => {
    const { dir, dbs } = await setup(2)
    const [first, second] = dbs as [string, string]
    const program = `${PROGRAM.replace(/return .*$/, "")}
      await codemode.s1.items.insert({ text: "second" })
      return "both"`
    await killedHost({ dir, dbs, execute: program, kill: "commit:0" })
    expect(await snapshot(first)).toMatchObject({ n: 1, items: [expect.any(String)] })
    expect(await snapshot(second)).toEqual({ n: 0, items: [] })

    const cm = await codemode(dbs, { runs: { store: fileStore({ dir }) } })
    const { result } = await resumeOrphan(cm)
    if (result.status !== "failed") throw new Error(`expected a failure, got ${JSON.stringify(result)}`)
    expect(result.error.code).toBe("STATE_FAILED")
    expect(result.error.message).toContain(`its writes to state:${first} were committed, but not its writes to state:${second}`)
    expect(await snapshot(first)).toMatchObject({ n: 1, items: [expect.any(String)] })
    expect(await snapshot(second)).toEqual({ n: 0, items: [] })
    expect((await cm.runs())[0]).toMatchObject({ status: "failed" })
  }, 60_000)

  it("is settled on resume when the journal write after the commit fails; a procedure's writes commit with the run, under one receipt", async () => {
    const { dir, dbs } = await setup(1)
    const [file] = dbs as [string]
    const failing: RunStore = fileStore({ dir })
    const set = failing.set.bind(failing)
    failing.set = async (key, value, options) => {
      if (/^runs\/[^/]+$/.test(key) && (JSON.parse(value) as { status?: string }).status === "done") throw new Error("the disk went away")
      return set(key, value, options)
    }
    const first = await codemode(dbs, { runs: { store: failing }, procedures: { db: file } })
    await first.procedures.save('return (await codemode.s0.items.insert({ text: "by procedure" })).id', { name: "addItem" })
    const program = `${PROGRAM.replace(/return .*$/, "")}
      const other = await codemode.procedures.addItem({})
      return { item: item.id, other }`
    await expect(first.execute(program)).rejects.toThrow(/the disk went away/)
    const committed = await snapshot(file)
    expect(committed).toMatchObject({ n: 1, items: [expect.any(String), expect.any(String)] })

    const second = await codemode(dbs, { runs: { store: fileStore({ dir }) }, procedures: { db: file } })
    const { result } = await resumeOrphan(second)
    expect(result).toMatchObject({ status: "done", value: { item: committed.items[0], other: committed.items[1] } })
    expect(await snapshot(file)).toEqual(committed)
    expect((await receiptOf(file, result.runId as string))?.participants).toEqual([`state:${file}`])
  }, 60_000)

  it("a run that committed nothing is replayed as before: a resume finds no receipt", async () => {
    const { dir, dbs } = await setup(1)
    const [file] = dbs as [string]
    const cm = await codemode(dbs, { runs: { store: fileStore({ dir }) }, policy: { rules: [{ tool: "s0.items.insert", action: "ask" }] } })
    const paused = await cm.execute(PROGRAM)
    if (paused.status !== "paused") throw new Error(`expected a pause, got ${paused.status}`)
    const done = await cm.resume(paused.resumeToken, "approve")
    expect(done).toMatchObject({ status: "done", value: { n: 1 } })
    expect(await snapshot(file)).toMatchObject({ n: 1, items: [expect.any(String)] })
    expect(markers(file)).toBe(1)
  })
})

describe("the committed_runs table", () => {
  it("gets no marker from a run that is not durable or writes nothing", async () => {
    const { dir, dbs } = await setup(1)
    const [file] = dbs as [string]
    const plain = await codemode(dbs)
    expect(plain.durable).toBe(false)
    expect((await plain.execute(PROGRAM)).status).toBe("done")
    const durable = await codemode(dbs, { runs: { store: fileStore({ dir }) } })
    expect((await durable.execute('return (await codemode.s0.counters.get({ id: "c" })).n')).value).toBe(1)
    expect(markers(file)).toBe(0)
    expect((await durable.execute(PROGRAM)).status).toBe("done")
    expect(markers(file)).toBe(1)
  })

  it("refuses a second commit of a run, drops markers past their keepUntil, and is added to a database file made before it", async () => {
    const file = join(scratch.dir, `old-${dirs++}.db`)
    // The schema before receipts: no committed_runs table.
    const old = new Database(file)
    old.exec(`
      CREATE TABLE docs (collection TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, version INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;
      CREATE INDEX docs_seq ON docs (collection, seq);
      CREATE TABLE revisions (collection TEXT PRIMARY KEY, rev INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, operation TEXT NOT NULL, ids TEXT NOT NULL);
      INSERT INTO docs VALUES ('items', 'a', '{"id":"a","text":"old"}', 1, 1);
      INSERT INTO revisions VALUES ('items', 1);`)
    old.close()
    const db = await openSqlite(file)
    try {
      expect(db.get("items", "a")?.doc).toEqual({ id: "a", text: "old" })
      const write = (id: string) => [{ collection: "items", id, doc: { id, text: id } }]
      const none = { docs: [], collections: [] }
      db.commit(none, write("b"), { run: "r_expired", receipt: "{}", keepUntil: Date.now() - 1 })
      expect(db.committedRun("r_expired")).toMatchObject({ run: "r_expired" })
      db.commit(none, write("c"), { run: "r_live", receipt: '{"x":1}', keepUntil: Date.now() + 60_000 })
      expect(db.committedRun("r_expired")).toBeUndefined()
      expect(db.committedRun("r_live")).toEqual({ run: "r_live", receipt: '{"x":1}', keepUntil: expect.any(Number) })
      expect(() => db.commit(none, write("d"), { run: "r_live", receipt: "{}", keepUntil: Date.now() + 60_000 })).toThrow(
        expect.objectContaining({ code: "STATE_FAILED", message: expect.stringContaining("committed its writes") }),
      )
      expect(db.scan("items").docs.map((d) => d.id)).toEqual(["a", "b", "c"])
    } finally {
      db.close()
    }
  })
})
