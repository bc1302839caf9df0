/**
 * Saved procedures through the library, on a real SQLite file: versions and restore, the catalog
 * (declaration, search), a new instance calling them, atomicity with the calling run, approvals
 * inside a procedure, and clear errors for bad names, duplicates, loops and tools that are gone.
 */
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { createCodeMode, type CodeMode, type CodeModeOptions } from "../../src/runtime/codemode.js"
import type { ExecuteResult } from "../../src/runtime/results.js"
import { functions } from "../../src/tools/functions.js"
import { procedureStore } from "../../src/runtime/procedures/store.js"
import { openSqlite } from "../../src/tools/state/database.js"
import { state } from "../../src/tools/state/source.js"
import { scratchSpace } from "../fixtures/scratch.js"

const TODO = { type: "object", properties: { text: { type: "string" } }, required: ["text"] }
let n = 0
const scratch = scratchSpace("codemode-procedures-")

async function app(db: string, options: Partial<CodeModeOptions> = {}, extraTools = true): Promise<CodeMode> {
  const sources = [state("state", { db, collections: { todos: TODO } })]
  if (extraTools) sources.push(functions("host", { secret: { run: () => "s3cret" } }) as never)
  const cm = await createCodeMode({ sources, procedures: { db }, typecheck: "off", ...options })
  scratch.open.push(cm)
  return cm
}
const value = (r: ExecuteResult) => {
  if (!r.ok) throw new Error(JSON.stringify("error" in r ? r.error : r))
  return r.value
}
const failure = (r: ExecuteResult) => {
  if (r.status !== "failed") throw new Error(`expected a failure, got ${r.status}`)
  return r.error
}

describe("procedures", () => {
  it("saves a finished program, serves it in the catalog, and a new instance calls it", async () => {
    const db = join(scratch.dir, `p${n++}.db`)
    const first = await app(db)
    const saved = await first.execute('return await codemode.state.todos.insert({ text: input.text ?? "none" })', { saveAs: { name: "addTodo", description: "Adds a to-do item." } })
    expect(saved).toMatchObject({ status: "done", saved: { name: "addTodo", version: 1 } })
    expect(first.declarations({ namespace: "procedures" })).toContain("function addTodo(args?: AddTodoArgs): Promise<unknown>")
    expect(first.search("add a to-do item")[0]?.name).toBe("codemode.procedures.addTodo")
    await first.close()
    const second = await app(db)
    expect(value(await second.execute('return await codemode.procedures.addTodo({ text: "milk" })'))).toMatchObject({ text: "milk" })
    expect(value(await second.execute("return (await codemode.state.todos.query({})).map((t) => t.text)"))).toEqual(["none", "milk"])
  }, 60_000) // the first run of the file starts the sandbox pool

  it("keeps every version, restores an old one, and refuses bad names and identical saves", async () => {
    const cm = await app(join(scratch.dir, `p${n++}.db`))
    await cm.procedures.save("return 1", { name: "answer" })
    await cm.procedures.save("return 2", { name: "answer" })
    expect(value(await cm.execute("return await codemode.procedures.answer()"))).toBe(2)
    expect((await cm.procedures.restore("answer", 1)).version).toBe(3)
    expect(value(await cm.execute("return await codemode.procedures.answer()"))).toBe(1)
    expect((await cm.procedures.versions("answer")).map((p) => p.code)).toEqual(["return 1", "return 2", "return 1"])
    await expect(cm.procedures.save("return 1", { name: "answer" })).rejects.toMatchObject({ code: "PROCEDURE_INVALID" })
    await expect(cm.procedures.save("return 1", { name: "delete" })).rejects.toMatchObject({ code: "PROCEDURE_INVALID" })
    await expect(cm.execute("return 1", { saveAs: { name: "9lives" } })).rejects.toMatchObject({ code: "PROCEDURE_INVALID" })
    await expect(cm.procedures.restore("answer", 7)).rejects.toMatchObject({ code: "PROCEDURE_INVALID" })
    expect(await cm.procedures.list()).toEqual([{ name: "answer", version: 3, description: "" }])
    expect(await cm.procedures.remove("answer")).toBe(true)
    expect(await cm.procedures.list()).toEqual([])
  })

  it("runs inside the calling run's transaction: a caller that fails keeps none of the procedure's writes", async () => {
    const cm = await app(join(scratch.dir, `p${n++}.db`))
    await cm.procedures.save("await codemode.state.todos.insert({ text: input.text }); if (input.fail) throw new Error('inner'); return 1", { name: "add" })
    failure(await cm.execute('await codemode.procedures.add({ text: "a" }); throw new Error("outer")'))
    // a failed procedure whose error is caught: its own writes are dropped, the caller's stay
    value(await cm.execute('await codemode.state.todos.insert({ text: "b" }); try { await codemode.procedures.add({ text: "c", fail: true }) } catch {} ; return 1'))
    expect(value(await cm.execute("return (await codemode.state.todos.query({})).map((t) => t.text)"))).toEqual(["b"])
  })

  it("refuses loops between procedures and procedures whose tools are gone", async () => {
    const db = join(scratch.dir, `p${n++}.db`)
    const cm = await app(db)
    await cm.procedures.save("return await codemode.procedures.pong()", { name: "ping" })
    await cm.procedures.save("return await codemode.procedures.ping()", { name: "pong" })
    const loop = failure(await cm.execute("return await codemode.procedures.ping()"))
    expect(loop.message).toContain("procedures call each other in a loop: ping → pong → ping")
    expect(loop.code).toBe("PROCEDURE_INVALID")
    await cm.procedures.save("return await codemode.host.secret()", { name: "reveal" })
    await cm.close()
    const without = await app(db, {}, false)
    const gone = failure(await without.execute("return await codemode.procedures.reveal()"))
    expect(gone).toMatchObject({ code: "PROCEDURE_INVALID" })
    expect(gone.message).toContain("calls tools that are gone: host.secret")
  })

  it("checks the input against the schema given, or infers one from what the program reads", async () => {
    const cm = await app(join(scratch.dir, `p${n++}.db`))
    await cm.procedures.save("return input.text.toUpperCase()", { name: "shout", inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } })
    expect(value(await cm.execute('return await codemode.procedures.shout({ text: "hi" })'))).toBe("HI")
    expect(failure(await cm.execute("return await codemode.procedures.shout({})"))).toMatchObject({ code: "TOOL_INPUT_INVALID" })
    const inferred = await cm.procedures.save("const { a } = input; return a + input.b + input['c']", { name: "sum" })
    expect(Object.keys((inferred.inputSchema as { properties: object }).properties)).toEqual(["a", "b", "c"])
  })

  it("still asks for approval of the tools a procedure calls", async () => {
    const cm = await app(join(scratch.dir, `p${n++}.db`), { policy: { rules: [{ tool: "host.secret", action: "ask" }] } })
    await cm.procedures.save("return await codemode.host.secret()", { name: "reveal" })
    const asked: string[] = []
    expect(value(await cm.execute("return await codemode.procedures.reveal()", { onApproval: async (r) => (asked.push(r.tool), "approve") }))).toBe("s3cret")
    expect(asked).toEqual(["host.secret"])
    expect(failure(await cm.execute("return await codemode.procedures.reveal()", { onApproval: async () => "deny" })).message).toContain("was denied by the approver")
  })

  it("drops only a failed procedure's own writes, not those its caller made while it ran", async () => {
    let ready = () => {}
    const started = new Promise<void>((resolve) => (ready = resolve))
    const db = join(scratch.dir, `p${n++}.db`)
    const host = functions("host", { ready: { run: () => (ready(), 1) }, started: { run: () => started.then(() => 1) }, sleep: { run: () => new Promise((r) => setTimeout(r, 200)) } })
    const cm = await app(db, { sources: [state("state", { db, collections: { todos: TODO } }), host as never] })
    await cm.procedures.save('await codemode.state.todos.insert({ text: "procedure" }); await codemode.host.ready(); await codemode.host.sleep(); throw new Error("boom")', { name: "flaky" })
    value(await cm.execute('const p = codemode.procedures.flaky().catch(() => "failed"); await codemode.host.started(); await codemode.state.todos.insert({ text: "caller" }); return await p'))
    expect(value(await cm.execute("return (await codemode.state.todos.query({})).map((t) => t.text)"))).toEqual(["caller"])
  })

  it("journals a procedure whose tools its code does not name plainly: a resumed run does not call them again", async () => {
    let sends = 0
    const db = join(scratch.dir, `p${n++}.db`)
    const host = functions("host", { send: { run: () => ++sends }, approveMe: { run: () => "ok" } })
    const cm = await app(db, { sources: [state("state", { db, collections: { todos: TODO } }), host as never], policy: { rules: [{ tool: "host.approveMe", action: "ask" }] } })
    await cm.procedures.save("const h = codemode.host; return await h.send()", { name: "sendAlias" })
    const first = await cm.execute("const n = await codemode.procedures.sendAlias(); await codemode.host.approveMe(); return n")
    if (first.status !== "paused") throw new Error(`expected a pause, got ${first.status}`)
    expect(value(await cm.resume(first.resumeToken, "approve"))).toBe(1)
    expect(sends).toBe(1)
  })

  it("counts a procedure's calls against its caller's per-run quotas and tool call budget", async () => {
    let sends = 0
    const db = join(scratch.dir, `p${n++}.db`)
    const host = functions("host", { send: { run: () => ++sends } })
    const cm = await app(db, { sources: [state("state", { db, collections: { todos: TODO } }), host as never], policy: { quotas: [{ tool: "host.send", maxCalls: 2 }] }, limits: { maxToolCalls: 5 } })
    await cm.procedures.save("await codemode.host.send(); await codemode.host.send(); return 2", { name: "sendTwo" })
    await cm.procedures.save("for (let i = 0; i < 3; i++) await codemode.state.todos.insert({ text: String(i) })", { name: "addThree" })
    expect(failure(await cm.execute("for (let i = 0; i < 3; i++) await codemode.procedures.sendTwo()")).code).toBe("QUOTA_EXCEEDED")
    expect(sends).toBe(2)
    const over = failure(await cm.execute('await codemode.procedures.addThree(); for (let i = 0; i < 3; i++) await codemode.state.todos.insert({ text: "a" })'))
    expect(over).toMatchObject({ code: "QUOTA_EXCEEDED", message: expect.stringContaining("limits.maxToolCalls") })
  })

  it("tells whether procedures that call each other are transactional, so a run that called them resumes", async () => {
    const db = join(scratch.dir, `p${n++}.db`)
    const host = functions("host", { approveMe: { run: () => "ok" } })
    const cm = await app(db, { sources: [state("state", { db, collections: { todos: TODO } }), host as never], policy: { rules: [{ tool: "host.approveMe", action: "ask" }] } })
    await cm.procedures.save("return 1", { name: "pong" })
    await cm.procedures.save("return await codemode.procedures.pong()", { name: "ping" })
    await cm.procedures.save("return await codemode.procedures.ping()", { name: "pong" })
    const first = await cm.execute("let r; try { r = await codemode.procedures.ping() } catch (e) { r = 'loop' } await codemode.host.approveMe(); return r")
    if (first.status !== "paused") throw new Error(`expected a pause, got ${first.status}`)
    expect(value(await cm.resume(first.resumeToken, "approve"))).toBe("loop")
  })

  it("runs the newest version, also one another instance saved after this one loaded, and lists a procedure another instance saved", async () => {
    const db = join(scratch.dir, `p${n++}.db`)
    const saver = await app(db)
    await saver.procedures.save("return 1", { name: "answer" })
    const caller = await app(db)
    await saver.procedures.save("return 2", { name: "answer" })
    expect(value(await caller.execute("return await codemode.procedures.answer()"))).toBe(2)
    await saver.procedures.save("return 3", { name: "question" })
    await expect.poll(async () => (await caller.execute("return await codemode.procedures.question()")).status, { timeout: 5_000 }).toBe("done")
  })

  it("keeps the procedures database within maxBytes", async () => {
    const cm = await app(join(scratch.dir, `p${n++}.db`), { procedures: { db: join(scratch.dir, `p${n++}.db`), maxBytes: 128 * 1024 } })
    const big = "x".repeat(30_000)
    const saves = Array.from({ length: 10 }, (_, i) => () => cm.procedures.save(`return "${big}${i}"`, { name: `p${i}` }))
    await expect((async () => { for (const save of saves) await save() })()).rejects.toMatchObject({ code: "STATE_FAILED" })
  })

  it("says which version another process saved at the same time when a save conflicts", async () => {
    const db = await openSqlite(join(scratch.dir, `p${n++}.db`))
    let raced = false
    const store = procedureStore(async () => ({
      ...db,
      commit: (reads, writes, marker) => {
        if (!raced) (raced = true), db.commit({ docs: [], collections: [] }, writes)
        return db.commit(reads, writes, marker)
      },
    }))
    const saving = store.save({ name: "answer", description: "", code: "return 1", inputSchema: {}, tools: [] })
    await expect(saving).rejects.toMatchObject({ code: "STATE_CONFLICT", message: expect.stringContaining('another process saved version 1 of procedure "answer" at the same time') })
    db.close()
  })
})
