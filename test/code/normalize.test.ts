import { describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { normalizeCode, type SyntaxErrorData } from "../../src/code/normalize.js"

/** Runs normalized code the way an executor does: as the body of an async function (test-only, on the host). */
async function evaluate(code: string): Promise<unknown> {
  const { js } = await normalizeCode(code)
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (c: unknown) => Promise<unknown>
  const codemode = { demo: { echo: async (x: unknown) => x } }
  return new AsyncFunction("codemode", js)(codemode)
}

async function syntaxErrorOf(code: string): Promise<{ message: string; data: SyntaxErrorData }> {
  const error = await normalizeCode(code).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(CodeModeError.is(error, "CODE_INVALID")).toBe(true)
  return error as { message: string; data: SyntaxErrorData }
}

describe("normalizeCode: what models send", () => {
  const cases: [string, string, unknown][] = [
    ["a bare return", "return 1 + 1", 2],
    ["a last expression", "const r = await codemode.demo.echo({ n: 1 })\nr.n + 1", 2],
    ["a last expression with a trailing comment and semicolons", "const a = 2;\na * 21;\n// done\n", 42],
    ["an object literal in parentheses", "({ ok: true })", { ok: true }],
    ["a fenced block with prose", "Sure! Here is the program:\n\n```javascript\nconst x = await codemode.demo.echo(5)\nx * 2\n```\n\nIt doubles the value.", 10],
    ["an untagged fence", "```\nreturn 'plain'\n```", "plain"],
    ["a tilde fence", "~~~js\n[1, 2, 3].length\n~~~", 3],
    ["an unclosed fence (truncated answer)", "```js\nconst v = 7\nv", 7],
    ["several blocks: the longest wins", "First the call:\n```js\necho()\n```\nThe full program:\n```js\nconst a = await codemode.demo.echo('full')\nreturn a\n```", "full"],
    ["a non-code fence is ignored", "```json\n{\"a\": 1}\n```\n```js\nreturn 'js'\n```", "js"],
    ["an async arrow wrapper", "async () => {\n  const x = await codemode.demo.echo(3)\n  return x + 1\n}", 4],
    ["a parenthesized wrapper", "(async () => {\n  return 'p'\n})", "p"],
    ["an async function main never called", "async function main() {\n  return await codemode.demo.echo('main')\n}", "main"],
    ["helpers plus main", "function double(x) { return x * 2 }\nasync function main() {\n  return double(await codemode.demo.echo(4))\n}\n", 8],
    ["a wrapper called by the model", "async function main() {\n  return 'called'\n}\nawait main()", "called"],
    ["a wrapper called by the model and assigned", "async function main() { return 5 }\nconst r = await main()", 5],
    ["a const arrow wrapper", "const run = async () => {\n  return 'arrow'\n}", "arrow"],
    ["a wrapper that destructures codemode", "async ({ demo }) => (await demo.echo('d'))", "d"],
    ["export default async function", "export default async function main() {\n  return 'default'\n}", "default"],
    ["export default anonymous function", "export default async function () {\n  return 'anon'\n}", "anon"],
    ["export default arrow", "export default async () => 'arrow default'", "arrow default"],
    ["export default value across a line break", "const v = 9\nexport default\nv * 2", 18],
    ["export on a declaration", "export const answer = 42\nanswer", 42],
    ["a final declaration is returned", "const items = [1, 2, 3]\nconst total = items.reduce((a, b) => a + b, 0)", 6],
    ["a helper arrow is not called as a wrapper", "const twice = (x) => x * 2\nconst out = twice(21)", 42],
    ["statements only: nothing returned", "let x = 1\nif (x) { x++ }", undefined],
    ["top-level await in a loop", "const out = []\nfor (const n of [1, 2, 3]) out.push(await codemode.demo.echo(n))\nout", [1, 2, 3]],
    ["TypeScript annotations and as", "const r: { n: number } = await codemode.demo.echo({ n: 1 })\nr.n as number", 1],
    ["TypeScript interface and generic", "interface Todo { id: number; text: string }\nconst todos: Todo[] = [{ id: 1, text: 'a' }]\nfunction first<T>(xs: T[]): T | undefined { return xs[0] }\nfirst(todos)?.text", "a"],
    ["TypeScript in a fence with a wrapper", "```ts\nasync function main(): Promise<string> {\n  const s: string = await codemode.demo.echo('ts')\n  return s\n}\n```", "ts"],
    ["TypeScript with a top-level return", "const n: number = 3\nreturn n satisfies number", 3],
    ["TypeScript with export default", "export default async function main(): Promise<number> {\n  return 1 as number\n}", 1],
    ["CRLF line endings", "const a = 1\r\nconst b = 2\r\na + b", 3],
    ["escaped backticks in a template literal are not a fence", "const s = `a\n\\`\\`\\`\nb`\ns.length", 7],
  ]
  for (const [name, code, expected] of cases) {
    it(`handles ${name}`, async () => {
      expect(await evaluate(code)).toEqual(expected)
    })
  }

  it("reports the steps it took", async () => {
    expect((await normalizeCode("```ts\nconst a: number = 1\na\n```")).steps).toEqual(["fence", "typescript", "return-last-expression"])
    expect((await normalizeCode("async function main() {}")).steps).toEqual(["call-wrapper"])
    expect((await normalizeCode("return 1")).steps).toEqual([])
  })
})

describe("normalizeCode: line numbers", () => {
  it("keeps the model's lines: fences become blank lines and `return` is inserted in place", async () => {
    const code = "Here:\n```js\nconst a = 1\nthrow new Error('x')\n```"
    const n = await normalizeCode(code)
    expect(n.js.split("\n")).toHaveLength(code.split("\n").length)
    expect(n.js.split("\n")[3]).toBe("throw new Error('x')")
    expect(n.toOriginal({ line: 4, column: 1 })).toEqual({ line: 4, column: 1 })
  })

  it("maps columns after an inserted `return` back to the model's column", async () => {
    const n = await normalizeCode("const o = null\no.missing.deeper")
    expect(n.js).toBe("const o = null\nreturn o.missing.deeper")
    // `.deeper` is at column 17 of the generated line, column 10 of the model's line.
    expect(n.toOriginal({ line: 2, column: 17 })).toEqual({ line: 2, column: 10 })
    expect(n.toOriginal({ line: 2, column: 3 })).toEqual({ line: 2, column: 1 }) // inside the inserted text
  })

  it("maps columns on a line with a replacement and an insertion", async () => {
    const code = "export default async () => nope.x + 1"
    const n = await normalizeCode(code)
    expect(n.js).toBe("return await (async () => nope.x + 1)()")
    const column = (text: string, what: string) => text.indexOf(what) + 1
    expect(n.toOriginal({ line: 1, column: column(n.js, "nope") })).toEqual({ line: 1, column: column(code, "nope") })
    expect(n.toOriginal({ line: 1, column: column(n.js, "+ 1") })).toEqual({ line: 1, column: column(code, "+ 1") })
  })

  it("maps the appended wrapper call to the wrapper's declaration", async () => {
    const n = await normalizeCode("const x = 1\nasync function main() {\n  return x\n}")
    expect(n.js.split("\n").at(-1)).toBe("return await main()")
    expect(n.toOriginal({ line: 5 })).toEqual({ line: 2 })
  })

  it("maps positions in stripped TypeScript back through the source map", async () => {
    const code = "```ts\ntype Id = number\n\n\nconst id: Id = 1\nconst label: string = 'x'\nthrow new Error(label)\n```"
    const n = await normalizeCode(code)
    const lines = n.js.split("\n")
    const throwLine = lines.findIndex((l) => l.includes("throw new Error(label)")) + 1
    const column = (lines[throwLine - 1] ?? "").indexOf("new") + 1
    expect(n.toOriginal({ line: throwLine, column })).toEqual({ line: 7, column: 7 })
    const labelLine = lines.findIndex((l) => l.includes("const label")) + 1
    expect(n.toOriginal({ line: labelLine })).toEqual({ line: 6 })
  })
})

describe("normalizeCode: syntax errors", () => {
  it("reports line, column and an excerpt with a caret in the model's message", async () => {
    const error = await syntaxErrorOf("Try this:\n```js\nconst items = [1, 2\nconst total = 3\n```")
    expect(error.data.line).toBe(4)
    expect(error.data.column).toBe(1)
    expect(error.data.excerpt).toBe("  3 | const items = [1, 2\n> 4 | const total = 3\n    | ^")
    expect(error.message).toContain("[codemode] [code] SyntaxError: Unexpected token (line 4, column 1)")
  })

  it("reports errors in TypeScript code at the model's position", async () => {
    const error = await syntaxErrorOf("const a: number = 1\nconst b = {\n  x: 1,,\n}")
    expect([error.data.line, error.data.column]).toEqual([3, 8])
    expect(error.data.excerpt).toContain("> 3 |   x: 1,,")
  })

  it("prefers the JavaScript error when the code is JavaScript", async () => {
    const error = await syntaxErrorOf("const a = 1\nconst b = a +* 2")
    expect([error.data.line, error.data.column]).toEqual([2, 14])
  })

  it("rejects import declarations with advice", async () => {
    const error = await syntaxErrorOf("import fs from 'node:fs'\nfs.readFileSync('/etc/passwd')")
    expect(error.message).toContain("import is not available in the sandbox")
    expect(error.data.line).toBe(1)
  })

  it("rejects empty code and a fence with nothing in it", async () => {
    await expect(normalizeCode("   \n")).rejects.toThrow(/no code to run/)
    await expect(normalizeCode("```js\n```")).rejects.toThrow(/no code to run/)
  })

  it("points the caret under the column even with tabs", async () => {
    const error = await syntaxErrorOf("if (true) {\n\tconst = 1\n}")
    expect(error.data.excerpt.split("\n").at(-1)).toBe("    | \t      ^")
  })
})

describe("normalizeCode: errors at the end of the code", () => {
  it("reports an unexpected end at the end of the model's last line, not in a wrapper", async () => {
    const error = await syntaxErrorOf("const items = [1]\nitems.map((t) => t.toFixed(")
    expect([error.data.line, error.data.column]).toEqual([2, 28])
    expect(error.data.excerpt).toContain("> 2 | items.map((t) => t.toFixed(")
  })
})

describe("normalizeCode: hostile input", () => {
  it("reports absurdly deep nesting as a syntax error instead of crashing the host", async () => {
    const error = await syntaxErrorOf(`return ${"[".repeat(50_000)}${"]".repeat(50_000)}`)
    expect(error.data.line).toBe(1)
    expect(error.message).toMatch(/stack space|nested too deeply/)
  })
})
