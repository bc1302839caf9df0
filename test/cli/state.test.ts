/**
 * The outside contract of state and procedures through the real CLI: a codemode.json "state" entry,
 * `run --save-as`, `procedures list --json` and a procedure called from a new process.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { cli } from "./helpers.js"

const dir = mkdtempSync(join(tmpdir(), "codemode-cli-state-"))
const config = join(dir, "codemode.json")
writeFileSync(
  config,
  JSON.stringify({ state: { db: "app.db", collections: { todos: { type: "object", properties: { text: { type: "string" }, done: { type: "boolean" } }, required: ["text"] } } } }),
)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Generous: each call is a node + tsx process on shared, loaded cores. */
const CLI_TIMEOUT_MS = 120_000

const json = (out: { code: number | null; stdout: string; stderr: string }): unknown => {
  if (out.code !== 0) throw new Error(`exit ${out.code}: ${out.stdout}\n${out.stderr}`)
  return JSON.parse(out.stdout)
}

describe("state and procedures from the command line", () => {
  it("saves a program as a procedure, lists it, and calls it from a new process", async () => {
    const saved = await cli(["run", "--config", config, "--save-as", "addTodo", "--description", "Adds a to-do item.", "--json", "-"], 'return await codemode.state.todos.insert({ text: input.text ?? "first" })', CLI_TIMEOUT_MS)
    expect(json(saved)).toMatchObject({ status: "done", value: { id: expect.any(String), text: "first" }, saved: { name: "addTodo", version: 1 } })
    expect(json(await cli(["procedures", "list", "--config", config, "--json"], "", CLI_TIMEOUT_MS))).toEqual([{ name: "addTodo", version: 1, description: "Adds a to-do item." }])
    const called = await cli(["run", "--config", config, "--json", "-"], 'await codemode.procedures.addTodo({ text: "from a new process" })\nreturn (await codemode.state.todos.query({})).map((t) => t.text)', CLI_TIMEOUT_MS)
    expect(json(called)).toMatchObject({ status: "done", value: ["first", "from a new process"] })
    const bad = await cli(["run", "--config", config, "--save-as", "not a name", "-"], "return 1", CLI_TIMEOUT_MS)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("cannot be a procedure name")
    const shown = json(await cli(["procedures", "show", "addTodo", "--version", "1", "--config", config, "--json"], "", CLI_TIMEOUT_MS)) as { tools: string[]; version: number }
    expect(shown).toMatchObject({ tools: ["state.todos.insert"], version: 1 }) // --version after the command is the subcommand's
    expect(json(await cli(["procedures", "rm", "addTodo", "--config", config, "--json"], "", CLI_TIMEOUT_MS))).toEqual({ name: "addTodo", removed: true })
    expect(json(await cli(["procedures", "list", "--config", config, "--json"], "", CLI_TIMEOUT_MS))).toEqual([])
  }, 600_000)

  it("demo --app (npm start) changes state, saves a procedure, calls it from a new process and prints the state", async () => {
    const { code, stdout, stderr } = await cli(["demo", "--app"], "", 180_000)
    expect(code, stderr).toBe(0)
    expect(stdout).toContain('→ ["book the train","write the talk"]')
    expect(stdout).toContain("saved as procedure addTodo, version 1")
    expect(stdout).toContain('→ {"added":"water the plants","open":4}')
    expect(stdout).toMatch(/To-do list\n\s+todo\s+done\s+priority/)
    expect(stdout).toMatch(/buy milk\s+true\s+3/)
  }, 240_000)
})
