/**
 * Declarative views: a program returns a table / list / form / chart as JSON, validated against the
 * published schema, bound to a state query, rendered as text; HTML or unknown keys are refused.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createCodeMode, type CodeMode } from "../../src/runtime/codemode.js"
import { formatExecuteResult } from "../../src/runtime/shape.js"
import { asView, viewJsonSchema, viewText } from "../../src/runtime/views.js"
import { state } from "../../src/tools/state/source.js"

let dir: string
let cm: CodeMode
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "codemode-views-"))
  const todos = { type: "object", properties: { text: { type: "string" }, done: { type: "boolean" } }, required: ["text", "done"] }
  cm = await createCodeMode({ sources: [state("state", { db: join(dir, "app.db"), collections: { todos } })], typecheck: "off" })
})
afterAll(async () => {
  await cm.close()
  await rm(dir, { recursive: true, force: true })
})

describe("views", () => {
  it("binds a table view to a state query, with the run's own writes committed, and renders it as text", async () => {
    const result = await cm.execute(`
      await codemode.state.todos.insert({ text: "buy milk", done: true })
      await codemode.state.todos.insert({ text: "call the bank", done: false })
      return { view: "table", title: "Open", columns: [{ field: "text", label: "todo" }, { field: "done" }], query: { source: "state.todos", filter: { done: false } } }`)
    if (result.status !== "done" || !result.view) throw new Error(JSON.stringify(result))
    expect(result.view).toMatchObject({ view: "table", rows: [{ text: "call the bank", done: false }] })
    expect(viewText(result.view)).toBe("Open\ntodo           done\n-------------  -----\ncall the bank  false")
    expect(formatExecuteResult(result).text).toContain("A table view of state.todos, shown to the user as:\nOpen\ntodo")
  })

  it("reads a view's rows only where the policy allows the query outright, also after a resume", async () => {
    const S = { type: "object", properties: { v: { type: "string" } } }
    const guarded = await createCodeMode({
      sources: [state("app", { db: join(dir, "guarded.db"), collections: { notes: S, secrets: S } })],
      typecheck: "off",
      policy: { rules: [{ tool: "app.secrets.query", action: "deny" }, { tool: "app.notes.insert", action: "ask" }] },
    })
    try {
      await guarded.execute('await codemode.app.secrets.insert({ v: "api-key-123" })')
      const denied = await guarded.execute('return { view: "table", columns: [{ field: "v" }], query: { source: "app.secrets" } }')
      if (denied.status !== "done") throw new Error(denied.status)
      expect(denied.view).toBeUndefined()
      expect(JSON.stringify(denied)).not.toContain("api-key-123")
      expect(denied.warnings?.join()).toMatch(/app\.secrets\.query is not allowed without approval by the policy \(rules\[0\]/)
      // a paused run whose value is a view gets it bound when it is resumed
      const paused = await guarded.execute('await codemode.app.notes.insert({ v: "n1" }); return { view: "list", field: "v", query: { source: "app.notes" } }')
      if (paused.status !== "paused") throw new Error(paused.status)
      const resumed = await guarded.resume(paused.resumeToken, "approve")
      if (resumed.status !== "done") throw new Error(JSON.stringify(resumed))
      expect(resumed.view).toMatchObject({ view: "list", items: [{ v: "n1" }] })
    } finally {
      await guarded.close()
    }
  })

  it("refuses raw HTML and unknown keys: the value stays data, with a warning", async () => {
    const result = await cm.execute('return { view: "table", columns: [{ field: "a" }], html: "<script>alert(1)</script>" }')
    if (result.status !== "done") throw new Error(result.status)
    expect(result.view).toBeUndefined()
    expect(result.warnings?.[0]).toContain("the value looks like a view but is not a valid one")
    expect(asView({ view: "list", items: ["<b>x</b>"] })).toEqual({ view: { view: "list", items: ["<b>x</b>"] } })
    expect(asView({ kind: "table" })).toBeUndefined()
  })

  it("renders lists, forms and charts as text and publishes one schema for all four kinds", () => {
    expect(viewText({ view: "list", field: "text", items: [{ text: "a" }, { text: "b" }] })).toBe("- a\n- b")
    expect(viewText({ view: "form", fields: [{ name: "text", type: "text" }, { name: "done", type: "checkbox", value: false }], submit: { procedure: "addTodo" } })).toBe(
      "text: [text]\ndone: [checkbox] false\n(submit → codemode.procedures.addTodo)",
    )
    expect(viewText({ view: "chart", kind: "bar", x: "day", y: "n", rows: [{ day: "mon", n: 2 }, { day: "tue", n: 4 }] })).toBe(`mon  ${"█".repeat(15)} 2\ntue  ${"█".repeat(30)} 4`)
    const schema = viewJsonSchema() as { oneOf?: unknown[]; anyOf?: unknown[] }
    expect((schema.oneOf ?? schema.anyOf)?.length).toBe(4)
  })
})
