/**
 * Tasks over the real MCP filesystem server, serving a fresh temp folder seeded with
 * FILESYSTEM_SEED (environments.ts) for every task and arm; paths are relative to it.
 */
import { readFile, readdir } from "node:fs/promises"
import path from "node:path"
import { defineTasks, type EvalEnv } from "../task.js"
import { filesIn, lineCount, textOf } from "./helpers.js"

const read = (env: EvalEnv, file: string) => readFile(path.join(env.dir ?? "", file), "utf8").catch(() => undefined)
const PARTS = ["part1.txt", "part2.txt", "part3.txt"]
/** In the sandbox: the file names of a list_directory result. */
const FILES_IN = 'const filesIn = (r) => r.content.split("\\n").flatMap((l) => /^\\[FILE\\] (.+?)\\s*$/.exec(l)?.[1] ?? [])\n'

export const FILESYSTEM_TASKS = defineTasks([
  {
    id: "fs-write-size",
    env: "filesystem",
    prompt: "Write the text 'hello world' to greeting.txt, then tell me the file's size in bytes as the file system reports it.",
    answer: ["11"],
    verify: async (env) => (await read(env, "greeting.txt")) === "hello world",
    codemode: {
      program:
        'await codemode.fs.write_file({ path: "greeting.txt", content: "hello world" })\n' +
        'const info = await codemode.fs.get_file_info({ path: "greeting.txt" })\nreturn `${/size: (\\d+)/.exec(info.content)[1]} bytes`',
    },
    classic: {
      turns: [() => [{ tool: "fs.write_file", args: { path: "greeting.txt", content: "hello world" } }], () => [{ tool: "fs.get_file_info", args: { path: "greeting.txt" } }]],
      answer: (r) => `${/size: (\d+)/.exec(textOf(r[1]?.[0]))?.[1]} bytes`,
    },
  },
  {
    id: "fs-count-lines",
    env: "filesystem",
    prompt: "How many lines do the .txt files in notes/ have together?",
    answer: ["9"],
    codemode: {
      program:
        FILES_IN +
        'let lines = 0\nfor (const f of filesIn(await codemode.fs.list_directory({ path: "notes" })).filter((f) => f.endsWith(".txt")))\n' +
        '  lines += (await codemode.fs.read_text_file({ path: `notes/${f}` })).content.trimEnd().split("\\n").length\nreturn `${lines} lines`',
    },
    classic: {
      turns: [
        () => [{ tool: "fs.list_directory", args: { path: "notes" } }],
        (r) => filesIn(r[0]?.[0]).filter((f) => f.endsWith(".txt")).map((f) => ({ tool: "fs.read_text_file", args: { path: `notes/${f}` } })),
      ],
      answer: (r) => `${(r[1] ?? []).reduce((n: number, file) => n + lineCount(textOf(file)), 0)} lines`,
    },
  },
  {
    id: "fs-todo-files",
    env: "filesystem",
    prompt: "Which files in src/ contain 'TODO'? Give their names in alphabetical order, comma-separated.",
    answer: ["app.ts, http.ts"],
    codemode: {
      program:
        FILES_IN +
        'const hits = []\nfor (const f of filesIn(await codemode.fs.list_directory({ path: "src" })))\n' +
        '  if ((await codemode.fs.read_text_file({ path: `src/${f}` })).content.includes("TODO")) hits.push(f)\nreturn hits.sort().join(", ")',
    },
    classic: {
      turns: [() => [{ tool: "fs.list_directory", args: { path: "src" } }], (r) => filesIn(r[0]?.[0]).map((f) => ({ tool: "fs.read_text_file", args: { path: `src/${f}` } }))],
      answer: (r) => filesIn(r[0]?.[0]).filter((_, i) => textOf(r[1]?.[i]).includes("TODO")).sort().join(", "),
    },
  },
  {
    id: "fs-largest",
    env: "filesystem",
    prompt: "Which file in data/ is the largest, and how many lines does it have?",
    answer: ["large.csv", "6"],
    codemode: {
      program:
        'const listing = await codemode.fs.list_directory_with_sizes({ path: "data", sortBy: "size" })\nconst largest = /\\[FILE\\] (\\S+)/.exec(listing.content)[1]\n' +
        'const text = (await codemode.fs.read_text_file({ path: `data/${largest}` })).content\nreturn `${largest}, ${text.trimEnd().split("\\n").length} lines`',
    },
    classic: {
      turns: [
        () => [{ tool: "fs.list_directory_with_sizes", args: { path: "data", sortBy: "size" } }],
        (r) => [{ tool: "fs.read_text_file", args: { path: `data/${/\[FILE\] (\S+)/.exec(textOf(r[0]?.[0]))?.[1]}` } }],
      ],
      answer: (r) => `${/\[FILE\] (\S+)/.exec(textOf(r[0]?.[0]))?.[1]}, ${lineCount(textOf(r[1]?.[0]))} lines`,
    },
  },
  {
    id: "fs-concat",
    env: "filesystem",
    prompt: "Concatenate part1.txt, part2.txt and part3.txt, in this order, into story.txt, then tell me how many words story.txt has.",
    answer: ["12"],
    verify: async (env) => (await read(env, "story.txt")) === (await Promise.all(PARTS.map((p) => read(env, p)))).join(""),
    codemode: {
      program:
        'let story = ""\nfor (const p of ["part1.txt", "part2.txt", "part3.txt"]) story += (await codemode.fs.read_text_file({ path: p })).content\n' +
        'await codemode.fs.write_file({ path: "story.txt", content: story })\nreturn `${story.split(/\\s+/).filter(Boolean).length} words`',
    },
    classic: {
      turns: [
        () => PARTS.map((p) => ({ tool: "fs.read_text_file", args: { path: p } })),
        (r) => [{ tool: "fs.write_file", args: { path: "story.txt", content: (r[0] ?? []).map(textOf).join("") } }],
      ],
      answer: (r) => `${(r[0] ?? []).map(textOf).join("").split(/\s+/).filter(Boolean).length} words`,
    },
  },
  {
    id: "fs-move-logs",
    env: "filesystem",
    prompt: "Move every .log file in the top folder into a new folder logs/, then tell me how many files logs/ contains.",
    answer: ["3"],
    verify: async (env) => (await readdir(path.join(env.dir ?? "", "logs")).catch(() => [])).length === 3,
    codemode: {
      program:
        FILES_IN +
        'const logs = filesIn(await codemode.fs.list_directory({ path: "." })).filter((f) => f.endsWith(".log"))\nawait codemode.fs.create_directory({ path: "logs" })\n' +
        'for (const f of logs) await codemode.fs.move_file({ source: f, destination: `logs/${f}` })\nreturn `${filesIn(await codemode.fs.list_directory({ path: "logs" })).length} files in logs/`',
    },
    classic: {
      turns: [
        () => [{ tool: "fs.list_directory", args: { path: "." } }, { tool: "fs.create_directory", args: { path: "logs" } }],
        (r) => filesIn(r[0]?.[0]).filter((f) => f.endsWith(".log")).map((f) => ({ tool: "fs.move_file", args: { source: f, destination: `logs/${f}` } })),
        () => [{ tool: "fs.list_directory", args: { path: "logs" } }],
      ],
      answer: (r) => `${filesIn(r[2]?.[0]).length} files in logs/`,
    },
  },
  {
    id: "fs-orders-total",
    env: "filesystem",
    prompt: "What is the total amount of all orders in the JSON files under orders/?",
    answer: ["500"],
    codemode: {
      program:
        FILES_IN +
        'let total = 0\nfor (const f of filesIn(await codemode.fs.list_directory({ path: "orders" })))\n' +
        '  for (const o of JSON.parse((await codemode.fs.read_text_file({ path: `orders/${f}` })).content)) total += o.amount\nreturn `total ${total}`',
    },
    classic: {
      turns: [() => [{ tool: "fs.list_directory", args: { path: "orders" } }], (r) => filesIn(r[0]?.[0]).map((f) => ({ tool: "fs.read_text_file", args: { path: `orders/${f}` } }))],
      answer: (r) => `total ${(r[1] ?? []).flatMap((file) => JSON.parse(textOf(file)) as Array<{ amount: number }>).reduce((n, o) => n + o.amount, 0)}`,
    },
  },
])
