/**
 * `codemode demo --app`: an app an agent changes while it runs, on one machine, no key: a program
 * creates and changes state in a SQLite file, another is saved as a procedure, a new process calls
 * that procedure, and the state is printed as a table.
 */
import { spawn } from "node:child_process"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ExecuteResult } from "../runtime/results.js"
import { formatValue } from "./format.js"
import { EXIT_CODE_FAILED, withCodeMode } from "./session.js"
import { viewText } from "../runtime/views.js"

const CONFIG = {
  state: {
    db: "app.db",
    collections: {
      todos: { type: "object", properties: { text: { type: "string" }, done: { type: "boolean" }, priority: { type: "integer", minimum: 1, maximum: 3 } }, required: ["text", "done"] },
    },
  },
}

const CREATE = `const todos = codemode.state.todos
for (const todo of [{ text: "book the train", priority: 1 }, { text: "write the talk", priority: 2 }, { text: "buy milk", priority: 3 }]) {
  await todos.insert({ ...todo, done: false })
}
const [milk] = await todos.query({ filter: { text: "buy milk" } })
await todos.update({ id: milk.id, set: { done: true } })
return (await todos.query({ filter: { done: false }, sort: "priority" })).map((t) => t.text)`

const SAVED = `// saved as codemode.procedures.addTodo(input)
const todo = await codemode.state.todos.insert({ text: input.text, done: false, priority: input.priority ?? 2 })
return todo`

const CALL = `const added = await codemode.procedures.addTodo({ text: "water the plants", priority: 1 })
return { added: added.text, open: (await codemode.state.todos.query({ filter: { done: false } })).length }`

const VIEW = `// a declarative view, bound to a state query (no HTML: the face renders it)
return {
  view: "table",
  title: "To-do list",
  columns: [{ field: "text", label: "todo" }, { field: "done" }, { field: "priority" }],
  query: { source: "state.todos", sort: ["done", "priority"] },
}`

const indent = (text: string) => text.split("\n").map((l) => `  | ${l}`).join("\n")

function step(n: number, title: string, program: string, outcome: string): string {
  return `${n}. ${title}\n${indent(program)}\n  → ${outcome}\n\n`
}

function show(result: ExecuteResult): string {
  return result.status === "done" ? formatValue(result.value).replace(/\n/g, "\n    ") : result.status === "failed" ? `failed: ${result.error.message}` : "paused"
}

/** `codemode run` in a new process (the same entry point this process was started with). */
function runInNewProcess(args: string[], program: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1] as string, ...args], { stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(program)
  })
}

export async function appDemo(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "codemode-app-demo-"))
  const config = join(dir, "codemode.json")
  try {
    await writeFile(config, JSON.stringify(CONFIG, null, 2))
    const out = (text: string) => process.stdout.write(text)
    out(`codemode demo --app: an app whose state an agent reads and changes by writing code.\nState: ${join(dir, "app.db")} (SQLite), collection "todos", exposed as codemode.state.todos.*\n\n`)
    await withCodeMode({ config }, async (cm) => {
      const created = await cm.execute(CREATE)
      out(step(1, "A program creates and changes state (one transaction):", CREATE, show(created)))
      const saved = await cm.execute(SAVED, { saveAs: { name: "addTodo", description: "Adds a to-do item; input: { text, priority? }." }, input: { text: "call the bank" } })
      const savedAs = saved.status === "done" && saved.saved ? `saved as procedure ${saved.saved.name}, version ${saved.saved.version}` : show(saved)
      out(step(2, "Another program is run and saved as a procedure (codemode run --save-as addTodo):", SAVED, savedAs))
      return created.ok && saved.ok ? 0 : EXIT_CODE_FAILED
    })
    if (process.exitCode) return
    const called = await runInNewProcess(["run", "--config", config, "--json", "-"], CALL)
    const result = called.code === 0 ? (JSON.parse(called.stdout) as ExecuteResult) : undefined
    out(step(3, "A new process calls the procedure like any tool:", CALL, result ? show(result) : `failed (exit ${called.code}): ${called.stderr.trim()}`))
    if (!result?.ok) {
      process.exitCode = EXIT_CODE_FAILED
      return
    }
    await withCodeMode({ config }, async (cm) => {
      const result = await cm.execute(VIEW)
      const view = result.status === "done" && result.view ? viewText(result.view).replace(/^/gm, "    ") : show(result)
      out(step(4, "A program returns a view of the state, printed as text:", VIEW, `\n${view}`))
      return result.ok && result.view ? 0 : EXIT_CODE_FAILED
    })
    out("Next: docs/state.md · codemode run --config <file> --save-as <name> - · codemode procedures list --config <file>\n")
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
