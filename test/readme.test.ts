/**
 * Runs the code examples of README.md and docs/*.md, so the documentation stays true.
 *
 * A ```ts / ```js block preceded by a `<!-- test -->` line is executed (in this process, with
 * `import … from "codemode"` and `"codemode/<subpath>"` pointing at the sources of package.json "exports"). When the next fenced block is preceded by
 * `<!-- output -->`, what the example printed with console.log must equal that block.
 */
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { mkdir, rm, writeFile } from "node:fs/promises"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { format } from "node:util"
import { afterAll, describe, expect, it, vi } from "vitest"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
/** Inside the repository (so bare imports like "zod" resolve) and git-ignored. */
const WORK_DIR = path.join(ROOT, ".tmp", `readme-blocks-${process.pid}`)

interface Example {
  file: string
  line: number
  language: string
  code: string
  output?: string
}

const MARKER = /^\s*<!--\s*test\s*-->\s*$/
const OUTPUT_MARKER = /^\s*<!--\s*output\s*-->\s*$/
const FENCE = /^(`{3,}|~{3,})\s*(\w*)/

/** The fenced block starting at `lines[start]` (a fence line): its language, code and end index. */
function blockAt(lines: string[], start: number): { language: string; code: string; end: number } | undefined {
  const open = FENCE.exec(lines[start] ?? "")
  if (!open) return undefined
  const fence = open[1] as string
  let end = start + 1
  while (end < lines.length && !(lines[end] ?? "").startsWith(fence)) end++
  return { language: open[2] ?? "", code: lines.slice(start + 1, end).join("\n"), end }
}

/** The next non-blank line index at or after `from`. */
function nextContent(lines: string[], from: number): number {
  let i = from
  while (i < lines.length && (lines[i] ?? "").trim() === "") i++
  return i
}

export function extractExamples(file: string, text: string): Example[] {
  const lines = text.split("\n")
  const examples: Example[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!MARKER.test(lines[i] ?? "")) continue
    const start = nextContent(lines, i + 1)
    const block = blockAt(lines, start)
    if (!block || !["ts", "typescript", "js", "javascript"].includes(block.language)) {
      throw new Error(`${file}:${i + 1}: <!-- test --> must be followed by a ts or js code block`)
    }
    const example: Example = { file, line: start + 1, language: block.language, code: block.code }
    const after = nextContent(lines, block.end + 1)
    if (OUTPUT_MARKER.test(lines[after] ?? "")) {
      const output = blockAt(lines, nextContent(lines, after + 1))
      if (!output) throw new Error(`${file}:${after + 1}: <!-- output --> must be followed by a code block`)
      example.output = output.code
      i = output.end
    } else {
      i = block.end
    }
    examples.push(example)
  }
  return examples
}

function documents(): string[] {
  const docs = existsSync(path.join(ROOT, "docs")) ? readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")) : []
  return ["README.md", ...docs.sort().map((f) => path.join("docs", f))].filter((f) => existsSync(path.join(ROOT, f)))
}

/** `codemode` and each `codemode/<subpath>` → the URL of its source (`./dist/x.js` is built from `src/x.ts`). */
const ENTRY_URLS = new Map(
  Object.entries((JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { exports: Record<string, { import: string }> }).exports).map(([subpath, target]) => [
    subpath === "." ? "codemode" : `codemode/${subpath.slice(2)}`,
    pathToFileURL(path.join(ROOT, target.import.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"))).href,
  ]),
)

afterAll(async () => {
  await rm(WORK_DIR, { recursive: true, force: true })
})

describe("documentation examples", () => {
  const all = documents().flatMap((file) => extractExamples(file, readFileSync(path.join(ROOT, file), "utf8")))

  it("finds the marked examples", () => {
    expect(all.length).toBeGreaterThan(0)
  })

  all.forEach((example, n) => {
    it(`${example.file}:${example.line} runs${example.output === undefined ? "" : " and prints what the docs show"}`, async () => {
      await mkdir(WORK_DIR, { recursive: true })
      const file = path.join(WORK_DIR, `example-${n}.${example.language.startsWith("t") ? "ts" : "js"}`)
      const code = example.code.replace(/(from\s+|import\s*\(\s*)(["'])(codemode(?:\/[\w-]+)?)\2/g, (_all, lead: string, quote: string, name: string) => {
        const url = ENTRY_URLS.get(name)
        if (url === undefined) throw new Error(`${example.file}:${example.line} imports "${name}", which package.json does not export`)
        return `${lead}${quote}${url}${quote}`
      })
      await writeFile(file, code)
      const printed: string[] = []
      const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
        printed.push(format(...args))
      })
      try {
        await import(pathToFileURL(file).href)
      } finally {
        spy.mockRestore()
      }
      if (example.output !== undefined) expect(printed.join("\n").trimEnd()).toBe(example.output.trimEnd())
    })
  })

  it("extracts blocks, outputs and rejects a marker on a non-code block", () => {
    const md = "text\n<!-- test -->\n```ts\nconsole.log(1)\n```\n<!-- output -->\n```text\n1\n```\n\n```ts\nnot marked\n```\n"
    expect(extractExamples("x.md", md)).toEqual([{ file: "x.md", line: 3, language: "ts", code: "console.log(1)", output: "1" }])
    expect(() => extractExamples("y.md", "<!-- test -->\n```sh\nls\n```")).toThrow(/y\.md:1/)
  })
})

describe("the package", () => {
  // Self-reference through package.json "exports": what users get. Needs `npm run build` (CI does it).
  it.skipIf(!existsSync(path.join(ROOT, "dist", "index.js")))("resolves `import … from \"codemode\"` to the build", () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", 'const m = await import("codemode"); console.log(typeof m.createCodeMode, typeof m.functions)'], {
      cwd: ROOT,
      encoding: "utf8",
    })
    expect(out.trim()).toBe("function function")
  })

  it.skipIf(!existsSync(path.join(ROOT, "dist", "index.js")))("resolves every subpath export to the build", () => {
    const names = [...ENTRY_URLS.keys()]
    const script = `for (const name of ${JSON.stringify(names)}) console.log(name, Object.keys(await import(name)).length > 0)`
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" })
    expect(out.trim().split("\n")).toEqual(names.map((n) => `${n} true`))
  })
})
