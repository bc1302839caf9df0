/** Tasks over the built-in demo functions (a to-do list): fresh for every task and arm. */
import { defineTasks, type EvalEnv } from "../task.js"
import { at, valueOf } from "./helpers.js"

interface Todo {
  id: number
  text: string
  done: boolean
}

/** A setup program: adds `texts`, then completes the ones at `done` (0-based). */
const seed = (texts: string[], done: number[] = []) =>
  `const ids = []\nfor (const text of ${JSON.stringify(texts)}) ids.push((await codemode.demo.addTodo({ text })).id)\n` +
  `for (const i of ${JSON.stringify(done)}) await codemode.demo.completeTodo({ id: ids[i] })`

const todos = (env: EvalEnv) => valueOf(env, "return await codemode.demo.listTodos({})") as Promise<Todo[]>

export const DEMO_TASKS = defineTasks([
  {
    id: "demo-add-count",
    env: "demo",
    prompt: "Add the to-dos 'buy milk', 'call mom' and 'fix bike', then tell me how many open to-dos there are.",
    answer: ["3"],
    verify: async (env) => (await todos(env)).length === 3,
    codemode: {
      program: 'for (const text of ["buy milk", "call mom", "fix bike"]) await codemode.demo.addTodo({ text })\nreturn `${(await codemode.demo.listTodos({ done: false })).length} open to-dos`',
    },
    classic: {
      turns: [() => ["buy milk", "call mom", "fix bike"].map((text) => ({ tool: "demo.addTodo", args: { text } })), () => [{ tool: "demo.listTodos", args: { done: false } }]],
      answer: (r) => `${at<Todo[]>(r, 1).length} open to-dos`,
    },
  },
  {
    id: "demo-complete-one",
    env: "demo",
    setup: seed(["water plants", "pay rent", "book flights"]),
    prompt: "Mark the to-do 'pay rent' as done, then tell me which to-dos are still open.",
    answer: ["water plants", "book flights"],
    verify: async (env) => (await todos(env)).find((t) => t.text === "pay rent")?.done === true,
    codemode: {
      program:
        'const rent = (await codemode.demo.listTodos({})).find((t) => t.text === "pay rent")\nawait codemode.demo.completeTodo({ id: rent.id })\n' +
        'return (await codemode.demo.listTodos({ done: false })).map((t) => t.text).join(", ")',
    },
    classic: {
      turns: [() => [{ tool: "demo.listTodos", args: {} }], (r) => [{ tool: "demo.completeTodo", args: { id: at<Todo[]>(r, 0).find((t) => t.text === "pay rent")?.id } }]],
      answer: (r) => at<Todo[]>(r, 0).filter((t) => !t.done && t.id !== at<Todo>(r, 1).id).map((t) => t.text).join(", "),
    },
  },
  {
    id: "demo-complete-all",
    env: "demo",
    setup: seed(["sweep", "dust", "mop", "vacuum", "tidy"], [4]),
    prompt: "Complete every open to-do and tell me how many you completed.",
    answer: ["4"],
    verify: async (env) => (await todos(env)).every((t) => t.done),
    codemode: {
      program: 'const open = await codemode.demo.listTodos({ done: false })\nfor (const t of open) await codemode.demo.completeTodo({ id: t.id })\nreturn `completed ${open.length}`',
    },
    classic: {
      turns: [() => [{ tool: "demo.listTodos", args: { done: false } }], (r) => at<Todo[]>(r, 0).map((t) => ({ tool: "demo.completeTodo", args: { id: t.id } }))],
      answer: (r) => `completed ${r[1]?.length ?? 0}`,
    },
  },
  {
    id: "demo-weekdays",
    env: "demo",
    prompt: "Add a to-do 'plan <day>' for each weekday from Monday to Friday, complete the ones for Tuesday and Thursday, and tell me how many stay open.",
    answer: ["3"],
    verify: async (env) => {
      const all = await todos(env)
      return all.length === 5 && all.filter((t) => t.done).map((t) => t.text).join() === "plan Tuesday,plan Thursday"
    },
    codemode: {
      program:
        'const added = []\nfor (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]) added.push(await codemode.demo.addTodo({ text: `plan ${day}` }))\n' +
        'for (const t of added.filter((t) => /Tuesday|Thursday/.test(t.text))) await codemode.demo.completeTodo({ id: t.id })\n' +
        'return `${(await codemode.demo.listTodos({ done: false })).length} stay open`',
    },
    classic: {
      turns: [
        () => ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"].map((day) => ({ tool: "demo.addTodo", args: { text: `plan ${day}` } })),
        (r) => (r[0] as Todo[]).filter((t) => /Tuesday|Thursday/.test(t.text)).map((t) => ({ tool: "demo.completeTodo", args: { id: t.id } })),
      ],
      answer: (r) => `${(r[0]?.length ?? 0) - (r[1]?.length ?? 0)} stay open`,
    },
  },
  {
    id: "demo-done-sorted",
    env: "demo",
    setup: seed(["zebra food", "apple pie", "mango juice", "kiwi jam", "fig roll"], [2, 1]),
    prompt: "List the done to-dos in alphabetical order, comma-separated.",
    answer: ["apple pie, mango juice"],
    codemode: { program: 'return (await codemode.demo.listTodos({ done: true })).map((t) => t.text).sort().join(", ")' },
    classic: { turns: [() => [{ tool: "demo.listTodos", args: { done: true } }]], answer: (r) => at<Todo[]>(r, 0).map((t) => t.text).sort().join(", ") },
  },
  {
    id: "demo-longest-open",
    env: "demo",
    setup: seed(["mop", "write the quarterly report", "call Bo", "renew the car insurance policy today"], [3]),
    prompt: "Which open to-do has the longest text?",
    answer: ["write the quarterly report"],
    codemode: { program: 'const open = await codemode.demo.listTodos({ done: false })\nreturn open.reduce((a, b) => (b.text.length > a.text.length ? b : a)).text' },
    classic: {
      turns: [() => [{ tool: "demo.listTodos", args: { done: false } }]],
      answer: (r) => at<Todo[]>(r, 0).reduce((a, b) => (b.text.length > a.text.length ? b : a)).text,
    },
  },
  {
    id: "demo-copy-open",
    env: "demo",
    setup: seed(["ship v1", "ship v2", "ship v3"], [1]),
    prompt: "Add a copy of every open to-do with ' (again)' appended to its text, then tell me the total number of to-dos.",
    answer: ["5"],
    verify: async (env) => (await todos(env)).filter((t) => t.text.endsWith(" (again)")).length === 2,
    codemode: {
      program:
        'for (const t of await codemode.demo.listTodos({ done: false })) await codemode.demo.addTodo({ text: `${t.text} (again)` })\n' +
        'return `${(await codemode.demo.listTodos({})).length} to-dos`',
    },
    classic: {
      turns: [() => [{ tool: "demo.listTodos", args: {} }], (r) => at<Todo[]>(r, 0).filter((t) => !t.done).map((t) => ({ tool: "demo.addTodo", args: { text: `${t.text} (again)` } }))],
      answer: (r) => `${at<Todo[]>(r, 0).length + (r[1]?.length ?? 0)} to-dos`,
    },
  },
  {
    id: "demo-count-states",
    env: "demo",
    setup: seed(["t1", "t2", "t3", "t4", "t5", "t6"], [0, 3]),
    prompt: "How many to-dos are done and how many are open? Answer as done/open, e.g. 1/2.",
    answer: ["2/4"],
    codemode: { program: "const all = await codemode.demo.listTodos({})\nconst done = all.filter((t) => t.done).length\nreturn `${done}/${all.length - done}`" },
    classic: {
      turns: [() => [{ tool: "demo.listTodos", args: {} }]],
      answer: (r) => {
        const all = at<Todo[]>(r, 0)
        const done = all.filter((t) => t.done).length
        return `${done}/${all.length - done}`
      },
    },
  },
])
