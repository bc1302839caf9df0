/** `codemode check`: typecheck a program without running it; JSON output and exit codes. */
import { describe, expect, it } from "vitest"
import { cli } from "./helpers.js"

describe("codemode check", () => {
  it("--json prints ok and the diagnostics, and exits 1 when the program does not typecheck", async () => {
    const bad = await cli(["check", "-", "--json"], "const todos = codemode.demo.listTodos({})\nreturn todos.length", 60_000)
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout)).toEqual({
      ok: false,
      diagnostics: [{ line: 2, column: 14, code: 2339, message: "Property 'length' does not exist on type 'Promise<ListTodosResult>'. Did you forget `await`?" }],
    })
    const good = await cli(["check", "-", "--json"], "const todos = await codemode.demo.listTodos({})\nreturn todos.length", 60_000)
    expect(good.code).toBe(0)
    expect(JSON.parse(good.stdout)).toEqual({ ok: true, diagnostics: [] })
  })

  it("prints each diagnostic with its excerpt and the tool's signature", async () => {
    const { code, stdout } = await cli(["check", "-"], "await codemode.demo.addTodo({ txt: 'milk' })", 60_000)
    expect(code).toBe(1)
    expect(stdout).toContain("type error at line 1, column 31: Object literal may only specify known properties, but 'txt' does not exist in type 'AddTodoArgs'. Did you mean to write 'text'? (TS2561)")
    expect(stdout).toContain("> 1 | await codemode.demo.addTodo({ txt: 'milk' })")
    expect(stdout).toContain("codemode.demo.addTodo:\ndeclare namespace codemode.demo {")
  })

  it("run --typecheck off runs a program the checker would stop", async () => {
    const typed = await cli(["run", "-"], "const t = codemode.demo.listTodos({})\nreturn typeof t.length", 60_000)
    expect(typed.code).toBe(1)
    expect(typed.stderr).toContain("type error at line 2, column 17: Property 'length' does not exist on type 'Promise<ListTodosResult>'. Did you forget `await`? (TS2339)")
    const off = await cli(["run", "-", "--typecheck", "off"], "const t = codemode.demo.listTodos({})\nreturn typeof t.length", 60_000)
    expect(off).toMatchObject({ code: 0, stdout: "undefined\n" })
    const bad = await cli(["run", "-", "--typecheck", "strict"], "return 1", 60_000)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--typecheck must be error, warn or off, got "strict"')
  })
})
