/**
 * The state source against a real SQLite file: the config contract, one execute = one transaction
 * (thrown error, limit, denied call, kill -9 of the host), concurrent runs, typed errors, and runs
 * paused for approval that hold nothing while they wait.
 */
import { spawn } from "node:child_process"
import { basename, join } from "node:path"
import { describe, expect, it } from "vitest"
import { createCodeMode, type CodeMode, type CodeModeOptions } from "../../../src/runtime/codemode.js"
import type { ExecuteResult } from "../../../src/runtime/results.js"
import { parseCodeModeConfig } from "../../../src/tools/config.js"
import { functions } from "../../../src/tools/functions.js"
import { openSqlite } from "../../../src/tools/state/database.js"
import { watchState } from "../../../src/tools/state/events.js"
import { state, type StateOptions } from "../../../src/tools/state/source.js"
import { scratchSpace } from "../../fixtures/scratch.js"

const TODO = { type: "object", properties: { text: { type: "string" }, done: { type: "boolean" }, n: { type: "number" } }, required: ["text"], additionalProperties: false }
const HOST = join(import.meta.dirname, "../../fixtures/state-host.ts")

let files = 0
const scratch = scratchSpace("codemode-state-")

const newFile = () => join(scratch.dir, `state-${files++}.db`)

async function app(file: string, options: Partial<CodeModeOptions> = {}, stateOptions: Partial<StateOptions> = {}): Promise<CodeMode> {
  const cm = await createCodeMode({
    sources: [state("state", { db: file, collections: { todos: TODO }, ...stateOptions }), functions("host", { fail: { run: () => { throw new Error("no") } }, ping: { run: () => "pong" } })],
    typecheck: "off",
    ...options,
  })
  scratch.open.push(cm)
  return cm
}

function value(result: ExecuteResult): unknown {
  if (!result.ok) throw new Error(`run failed: ${JSON.stringify("error" in result ? result.error : result)}`)
  return result.value
}

async function texts(file: string): Promise<string[]> {
  const db = await openSqlite(file)
  try {
    return db.scan("todos").docs.map((d) => String(d.doc.text))
  } finally {
    db.close()
  }
}

describe("state as a tool source", () => {
  it('puts a codemode.json "state" under codemode.state: insert returns the stored document with its id, query({}) an array', async () => {
    const file = newFile()
    const config = parseCodeModeConfig({ state: { db: file, collections: { todos: TODO } } }, { baseDir: scratch.dir })
    const cm = await createCodeMode({ sources: config.sources, typecheck: "off" })
    scratch.open.push(cm)
    const inserted = value(await cm.execute('return await codemode.state.todos.insert({ text: "write docs" })')) as { id: string; text: string }
    expect(inserted).toEqual({ id: expect.any(String), text: "write docs" })
    expect(value(await cm.execute("return await codemode.state.todos.query({})"))).toEqual([inserted])
    expect(value(await cm.execute(`return await codemode.state.todos.get({ id: ${JSON.stringify(inserted.id)} })`))).toEqual(inserted)
    expect(cm.declarations()).toContain("insert(args: InsertArgs): Promise<Todo>")
    expect(cm.search("delete a todo")[0]?.name).toBe("codemode.state.todos.delete")
    expect(() => parseCodeModeConfig({ state: { collections: {} } }, { baseDir: scratch.dir })).toThrow(/state\.db/)
    expect(() => parseCodeModeConfig({ state: { db: "x.db", collections: { todos: { type: "string" } } } }, { baseDir: scratch.dir })).toThrow(/must be an object schema/)
  })

  it("queries with a filter, sort, limit and offset, and a program sees its own writes", async () => {
    const cm = await app(newFile())
    const result = value(
      await cm.execute(`
        const t = codemode.state.todos
        for (const [text, n] of [["a", 3], ["b", 1], ["c", 2], ["d", 5]]) await t.insert({ text, n, done: n > 2 })
        const first = await t.query({ filter: { text: "a" } })
        await t.update({ id: first[0].id, set: { done: false } })
        await t.delete({ id: (await t.query({ filter: { text: "d" } }))[0].id })
        return {
          open: (await t.query({ filter: { done: { ne: true } }, sort: "-n" })).map((d) => d.text),
          some: (await t.query({ filter: { n: { gte: 2 }, text: { in: ["a", "c", "d"] } }, sort: ["n"], limit: 1, offset: 1 })).map((d) => d.text),
          all: (await t.query({})).length,
        }
      `),
    )
    expect(result).toEqual({ open: ["a", "c", "b"], some: ["a"], all: 3 })
  })

  it("reuses parsed documents between scans only while no process committed to the collection", async () => {
    const file = newFile()
    const [a, b] = await Promise.all([openSqlite(file), openSqlite(file)])
    try {
      const write = (db: typeof a, id: string, doc: Record<string, unknown> | null) => db.commit({ docs: [], collections: [] }, [{ collection: "todos", id, doc: doc && { id, ...doc } }])
      write(a, "t1", { text: "one", tags: ["x"] })
      const first = a.scan("todos")
      expect(a.scan("todos")).toBe(first) // same revision: the same parsed documents
      expect(Object.isFrozen(first.docs[0]!.doc.tags)).toBe(true)
      write(b, "t2", { text: "two" }) // another connection, as another process would
      const second = a.scan("todos")
      expect(second.rev).toBeGreaterThan(first.rev)
      expect(second.docs.map((d) => d.doc.text)).toEqual(["one", "two"])
      write(b, "t1", null)
      expect(a.scan("todos").docs.map((d) => d.id)).toEqual(["t2"])
    } finally {
      a.close()
      b.close()
    }
    const cm = await app(newFile())
    const found = value(
      await cm.execute(`
        const t = codemode.state.todos
        await t.insert({ text: "a", n: 1, done: true })
        await t.insert({ text: "b", n: 2, done: false })
        return [(await t.query({ filter: { n: { in: [2, 7] } } })).map((d) => d.text), (await t.query({ filter: { done: { eq: true }, n: 1 } })).map((d) => d.text)]
      `),
    )
    expect(found).toEqual([["b"], ["a"]])
  })

  it("commits nothing of a run that throws, hits a limit, or fails on a denied call", async () => {
    const file = newFile()
    const cm = await app(file, { policy: { rules: [{ tool: "host.ping", action: "deny" }] } })
    value(await cm.execute('await codemode.state.todos.insert({ text: "kept" })'))
    const runs = [
      await cm.execute('await codemode.state.todos.insert({ text: "thrown" }); throw new Error("boom")'),
      await cm.execute('await codemode.state.todos.insert({ text: "limit" }); for (;;) {}', { limits: { timeMs: 300 } }),
      await cm.execute('await codemode.state.todos.insert({ text: "denied" }); await codemode.host.ping()'),
      await cm.execute('await codemode.state.todos.insert({ text: "tool failed" }); await codemode.host.fail()'),
    ]
    expect(runs.map((r) => r.status)).toEqual(["failed", "failed", "failed", "failed"])
    expect(await texts(file)).toEqual(["kept"])
  })

  it("gives typed errors: schema violation, oversized document, unknown document, full disk, unknown collection", async () => {
    const file = newFile()
    const cm = await app(file, {}, { maxDocBytes: 200, maxBytes: 64 * 1024 })
    const error = async (code: string) => {
      const r = await cm.execute(code)
      if (r.ok || r.status !== "failed") throw new Error(`expected a failure of ${code}`)
      return r.error
    }
    expect(await error("await codemode.state.todos.insert({ text: 1 })")).toMatchObject({ code: "TOOL_INPUT_INVALID", tool: "state.todos.insert" })
    expect(await error('await codemode.state.todos.insert({ text: "x", extra: 1 })')).toMatchObject({ code: "TOOL_INPUT_INVALID" })
    expect(await error('await codemode.state.todos.insert({ text: "x".repeat(500) })')).toMatchObject({ code: "STATE_TOO_LARGE" })
    expect(await error('await codemode.state.todos.update({ id: "nope", set: { done: true } })')).toMatchObject({ code: "STATE_NOT_FOUND" })
    expect((await error('await codemode.state.notes.insert({ text: "x" })')).message).toContain("codemode.state.notes does not exist; tools in state: todos")
    // fill the database past maxBytes: the commit fails like a full disk and nothing of the run is written
    const full = await error('for (let i = 0; i < 600; i++) await codemode.state.todos.insert({ text: "y".repeat(150) })')
    expect(full).toMatchObject({ code: "STATE_FAILED" })
    expect(full.message).toContain("full")
    expect(await texts(file)).toEqual([])
    // two databases in one run: the failure says which one's writes were committed before it
    const other = newFile()
    const both = await createCodeMode({ sources: [state("a", { db: other, collections: { todos: TODO } }), state("b", { db: file, collections: { todos: TODO }, maxBytes: 64 * 1024 })], typecheck: "off" })
    scratch.open.push(both)
    const split = await both.execute('await codemode.a.todos.insert({ text: "kept" }); for (let i = 0; i < 600; i++) await codemode.b.todos.insert({ text: "y".repeat(150) })')
    if (split.ok || split.status !== "failed") throw new Error("expected the second commit to fail")
    expect(split.error.message).toMatch(/so the rest were not: .*full.*its writes to state:.*\.db had been committed before/)
    expect(await texts(other)).toEqual(["kept"])
  })

  it("runs concurrent programs without corrupting each other: blind inserts all land, read-modify-write losers fail with STATE_CONFLICT", async () => {
    const file = newFile()
    const a = await app(file)
    const b = await app(file) // a second connection, as another process would have
    const counter = value(await a.execute('return await codemode.state.todos.insert({ text: "counter", n: 0 })')) as { id: string }
    const inserts = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).execute(`await codemode.state.todos.insert({ text: "item ${i}" }); await codemode.host.ping(); return 1`)))
    expect(inserts.every((r) => r.ok)).toBe(true)
    const increment = `const c = await codemode.state.todos.get({ id: ${JSON.stringify(counter.id)} }); await codemode.host.ping(); await codemode.state.todos.update({ id: c.id, set: { n: c.n + 1 } }); return c.n + 1`
    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).execute(increment)))
    const won = runs.filter((r) => r.ok).length
    expect(won).toBeGreaterThan(0)
    for (const r of runs) if (!r.ok && r.status === "failed") expect(r.error.code).toBe("STATE_CONFLICT")
    const final = value(await a.execute(`return (await codemode.state.todos.get({ id: ${JSON.stringify(counter.id)} })).n`))
    expect(final).toBe(won)
    expect((await texts(file)).filter((t) => t.startsWith("item ")).length).toBe(8)
  })

  it("leaves the state as it was before a run whose host is killed with SIGKILL mid-run", async () => {
    const file = newFile()
    const cm = await app(file)
    value(await cm.execute('await codemode.state.todos.insert({ text: "before" })'))
    const child = spawn(process.execPath, ["--import", "tsx", HOST, file], { stdio: ["ignore", "pipe", "inherit"] })
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("writing") && resolve())
      child.on("exit", (code) => reject(new Error(`host exited early (${code})`)))
    })
    child.kill("SIGKILL")
    await new Promise((resolve) => child.once("exit", resolve))
    const db = await openSqlite(file)
    try {
      expect(db.scan("items").docs).toEqual([])
      expect(db.scan("todos").docs.map((d) => d.doc.text)).toEqual(["before"])
    } finally {
      db.close()
    }
  }, 30_000)

  it("holds nothing while a run waits for approval, and commits its writes once it is approved and finishes", async () => {
    const file = newFile()
    const cm = await app(file, { policy: { rules: [{ tool: "host.ping", action: "ask" }] } })
    const program = 'const t = await codemode.state.todos.insert({ text: "asked" }); await codemode.host.ping(); return t'
    const paused = await cm.execute(program)
    if (paused.status !== "paused") throw new Error(`expected a pause, got ${paused.status}`)
    expect(await texts(file)).toEqual([])
    // another run writes meanwhile: the database is not locked by the waiting run
    value(await cm.execute('await codemode.state.todos.insert({ text: "meanwhile" })'))
    const done = await cm.resume(paused.resumeToken, "approve")
    const doc = value(done) as { id: string }
    expect(await texts(file)).toEqual(["meanwhile", "asked"])
    expect(value(await cm.execute(`return await codemode.state.todos.get({ id: ${JSON.stringify(doc.id)} })`))).toEqual(doc)
    const denied = await cm.execute(program)
    if (denied.status !== "paused") throw new Error("expected a pause")
    expect((await cm.resume(denied.resumeToken, "deny")).ok).toBe(false)
    expect(await texts(file)).toEqual(["meanwhile", "asked"])
  })

  it("reports committed changes (collection, operation, ids) to subscribers and to watchers of the file, none for a failed run", async () => {
    const file = newFile()
    const source = state("state", { db: file, collections: { todos: TODO } })
    const local: unknown[] = []
    source.subscribe((c) => local.push(c))
    const watched: unknown[] = []
    const watch = await watchState(file, (c) => watched.push({ collection: c.collection, operation: c.operation, ids: c.ids }), { intervalMs: 20 })
    const cm = await createCodeMode({ sources: [source], typecheck: "off" })
    scratch.open.push(cm)
    const ids = value(await cm.execute('const a = await codemode.state.todos.insert({ id: "a", text: "a" }); await codemode.state.todos.insert({ id: "b", text: "b" }); return [a.id]'))
    expect(ids).toEqual(["a"])
    await cm.execute('await codemode.state.todos.update({ id: "a", set: { done: true } }); throw new Error("no")')
    value(await cm.execute('await codemode.state.todos.update({ id: "a", set: { done: true } }); await codemode.state.todos.delete({ id: "b" })'))
    const expected = [
      { collection: "todos", operation: "insert", ids: ["a", "b"] },
      { collection: "todos", operation: "update", ids: ["a"] },
      { collection: "todos", operation: "delete", ids: ["b"] },
    ]
    expect(local).toEqual(expected)
    await expect.poll(() => watched, { timeout: 5_000 }).toEqual(expected)
    watch.close()
  })

  it("keeps both of two parallel updates of one document in a run", async () => {
    const file = newFile()
    const cm = await app(file)
    value(await cm.execute('await codemode.state.todos.insert({ id: "x", text: "x", n: 0 })'))
    value(await cm.execute('await Promise.all([codemode.state.todos.update({ id: "x", set: { n: 1 } }), codemode.state.todos.update({ id: "x", set: { done: true } })])'))
    expect(value(await cm.execute('return await codemode.state.todos.get({ id: "x" })'))).toEqual({ id: "x", text: "x", n: 1, done: true })
  })

  it("is one transaction for two spellings of one file, and its tools fail with CLOSED after close", async () => {
    const file = newFile()
    const other = join(scratch.dir, "..", basename(scratch.dir), basename(file))
    const a = state("a", { db: file, collections: { todos: TODO } })
    const b = state("b", { db: other, collections: { todos: TODO } })
    const tools = [...(await a.load()), ...(await b.load())]
    const insert = (ns: string) => tools.find((t) => t.namespace === `${ns}.todos` && t.name === "insert")!
    const joined: string[] = []
    const run = { runId: "r1", join: <T,>(key: string, create: () => T) => (joined.push(key), create()) }
    await insert("a").call({ text: "a" }, { run })
    await insert("b").call({ text: "b" }, { run })
    expect(new Set(joined).size).toBe(1)
    await a.close?.()
    await b.close?.()
    await expect(insert("a").call({ text: "late" }, {})).rejects.toMatchObject({ code: "CLOSED" })
  })

  it("hands out copies of documents: the caller may change what query, get and insert return", async () => {
    const source = state("state", { db: newFile(), collections: { todos: TODO } })
    const tools = await source.load()
    const call = (name: string, input: unknown) => tools.find((t) => t.name === name)!.call(input, {}) as Promise<Record<string, unknown>>
    const inserted = await call("insert", { id: "a", text: "a" })
    inserted.text = "changed"
    const [row] = (await call("query", {})) as unknown as Array<Record<string, unknown>>
    row!.text = "changed too"
    expect(await call("query", {})).toEqual([{ id: "a", text: "a" }])
    const got = await call("get", { id: "a" })
    got.text = "again"
    expect(await call("get", { id: "a" })).toEqual({ id: "a", text: "a" })
    await source.close?.()
  })

  it("reserves collection names starting with $, finds an array element with contains, and bumps no revision for writes that cancel out", async () => {
    expect(() => state("state", { db: newFile(), collections: { $procedures: TODO } })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }))
    const file = newFile()
    const cm = await app(file, {}, { collections: { todos: { type: "object", properties: { tags: { type: "array", items: { type: "number" } } } } } })
    value(await cm.execute("await codemode.state.todos.insert({ tags: [1, 2] }); await codemode.state.todos.insert({ tags: [3] })"))
    expect(value(await cm.execute("return (await codemode.state.todos.query({ filter: { tags: { contains: 3 } } })).map((t) => t.tags)"))).toEqual([[3]])
    const db = await openSqlite(file)
    const before = db.rev("todos")
    value(await cm.execute('const t = await codemode.state.todos.insert({ tags: [] }); await codemode.state.todos.delete({ id: t.id })'))
    expect(db.rev("todos")).toBe(before)
    db.close()
  })
})
