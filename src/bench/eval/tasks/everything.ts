/** Tasks over the real MCP "everything" server (stateless: one server for all tasks). */
import { defineTasks } from "../task.js"
import { textOf } from "./helpers.js"

/** The number in "The sum of 1 and 2 is 3." */
const sumOf = (result: unknown) => Number(/is (-?[\d.]+)/.exec(textOf(result))?.[1])
const CITIES = ["New York", "Chicago", "Los Angeles"]

export const EVERYTHING_TASKS = defineTasks([
  {
    id: "everything-sum-chain",
    env: "everything",
    prompt: "Use get_sum to add 17 and 25, then add 8 to that result with get_sum again. What is the final sum?",
    answer: ["50"],
    codemode: {
      program:
        "const sumOf = (s) => Number(/is (-?[\\d.]+)/.exec(s)[1])\nconst first = sumOf(await codemode.everything.get_sum({ a: 17, b: 25 }))\n" +
        "return `final sum ${sumOf(await codemode.everything.get_sum({ a: first, b: 8 }))}`",
    },
    classic: {
      turns: [() => [{ tool: "everything.get_sum", args: { a: 17, b: 25 } }], (r) => [{ tool: "everything.get_sum", args: { a: sumOf(r[0]?.[0]), b: 8 } }]],
      answer: (r) => `final sum ${sumOf(r[1]?.[0])}`,
    },
  },
  {
    id: "everything-sum-four",
    env: "everything",
    prompt: "Add 3, 9, 27 and 81 using get_sum (it adds two numbers per call). What is the total?",
    answer: ["120"],
    codemode: {
      program:
        "const sumOf = (s) => Number(/is (-?[\\d.]+)/.exec(s)[1])\nconst [x, y] = await Promise.all([codemode.everything.get_sum({ a: 3, b: 9 }), codemode.everything.get_sum({ a: 27, b: 81 })])\n" +
        "return `total ${sumOf(await codemode.everything.get_sum({ a: sumOf(x), b: sumOf(y) }))}`",
    },
    classic: {
      turns: [
        () => [{ tool: "everything.get_sum", args: { a: 3, b: 9 } }, { tool: "everything.get_sum", args: { a: 27, b: 81 } }],
        (r) => [{ tool: "everything.get_sum", args: { a: sumOf(r[0]?.[0]), b: sumOf(r[0]?.[1]) } }],
      ],
      answer: (r) => `total ${sumOf(r[1]?.[0])}`,
    },
  },
  {
    id: "everything-echo",
    env: "everything",
    prompt: "Echo the messages 'alpha', 'beta' and 'gamma' with the echo tool and give me the three replies joined with ' | '.",
    answer: ["Echo: alpha | Echo: beta | Echo: gamma"],
    codemode: {
      program: 'const replies = []\nfor (const message of ["alpha", "beta", "gamma"]) replies.push(await codemode.everything.echo({ message }))\nreturn replies.join(" | ")',
    },
    classic: {
      turns: [() => ["alpha", "beta", "gamma"].map((message) => ({ tool: "everything.echo", args: { message } }))],
      answer: (r) => (r[0] ?? []).map(textOf).join(" | "),
    },
  },
  {
    id: "everything-warmest",
    env: "everything",
    prompt: "According to get_structured_content, which of New York, Chicago and Los Angeles has the highest temperature, and what is it?",
    answer: ["Los Angeles", "73"],
    codemode: {
      program:
        'let best\nfor (const location of ["New York", "Chicago", "Los Angeles"]) {\n  const w = await codemode.everything.get_structured_content({ location })\n' +
        "  if (!best || w.temperature > best.temperature) best = { location, temperature: w.temperature }\n}\nreturn `${best.location}: ${best.temperature}`",
    },
    classic: {
      turns: [() => CITIES.map((location) => ({ tool: "everything.get_structured_content", args: { location } }))],
      answer: (r) => {
        const temps = (r[0] ?? []).map((w) => (w as { temperature: number }).temperature)
        const i = temps.indexOf(Math.max(...temps))
        return `${CITIES[i]}: ${temps[i]}`
      },
    },
  },
])
