/**
 * The built-in demo API (namespace `demo`): no key, no network. Used by `npm start`, by
 * `codemode run` when no tools are configured, by the benchmarks and by the security corpus.
 */
import { zod } from "../lazy.js"
import { functions, type ZodSchema } from "./functions.js"
import type { ToolSource } from "./tool.js"

export interface Todo {
  id: number
  text: string
  done: boolean
}

/**
 * A fresh demo source; its to-do list lives in this closure, so every call starts empty.
 * Tools: `echo(value)` returns its argument unchanged (any JSON value); `addTodo({ text })`,
 * `listTodos({ done? })`, `completeTodo({ id })` manage an in-memory to-do list.
 */
export function demoSource(): ToolSource {
  const z = zod()
  const TodoSchema = z.object({ id: z.number().int(), text: z.string(), done: z.boolean() }) satisfies ZodSchema<Todo>
  const todos: Todo[] = []
  return functions("demo", {
    echo: {
      description: "Returns its argument unchanged.",
      input: { description: "Any JSON value." },
      annotations: { readOnlyHint: true, idempotentHint: true },
      run: (value) => value,
    },
    addTodo: {
      description: "Adds a to-do item and returns it.",
      input: z.object({ text: z.string().min(1).describe("What to do.") }),
      output: TodoSchema,
      run: ({ text }) => {
        const todo = { id: todos.length + 1, text, done: false }
        todos.push(todo)
        return todo
      },
    },
    listTodos: {
      description: "Lists to-do items, optionally only the done or the open ones.",
      input: z.object({ done: z.boolean().optional().describe("Only items with this state.") }),
      output: z.array(TodoSchema),
      annotations: { readOnlyHint: true },
      run: ({ done }) => todos.filter((t) => done === undefined || t.done === done),
    },
    completeTodo: {
      description: "Marks a to-do item as done and returns it.",
      input: z.object({ id: z.number().int().describe("The item's id.") }),
      output: TodoSchema,
      annotations: { idempotentHint: true },
      run: ({ id }) => {
        const todo = todos.find((t) => t.id === id)
        if (!todo) throw new Error(`no to-do with id ${id}`)
        todo.done = true
        return todo
      },
    },
  })
}

/** The program `npm start` runs: several calls in a loop, a log line each, a summary as the result. */
export const DEMO_PROGRAM = `// A model-written program: plan a small trip with the demo to-do tools.
const tasks = ["book the train", "pack the bag", "water the plants", "buy snacks"]
for (const text of tasks) {
  const todo = await codemode.demo.addTodo({ text })
  console.log("added", todo)
}
for (const todo of await codemode.demo.listTodos({})) {
  if (todo.text.startsWith("b")) await codemode.demo.completeTodo({ id: todo.id })
}
const open = await codemode.demo.listTodos({ done: false })
console.info(\`\${open.length} of \${tasks.length} still open\`)
return { open: open.map((t) => t.text), done: (await codemode.demo.listTodos({ done: true })).length }
`
