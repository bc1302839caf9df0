/**
 * Runs the code examples of README.md and docs/*.md, so the documentation stays true.
 *
 * A ```ts / ```js block preceded by a `<!-- test -->` line is executed (in this process, with
 * `import … from "codemode"` and `"codemode/<subpath>"` pointing at the sources of package.json
 * "exports"). When the next fenced block is preceded by `<!-- output -->`, what the example printed
 * with console.log must equal that block. Examples that talk to a model are marked
 * `<!-- test: scripted model -->` and run by test/integrations/readme.test.ts.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { rm } from "node:fs/promises"
import path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { allExamples, entryUrls, extractExamples, ROOT, runExample } from "./fixtures/readme-examples.js"

/** Inside the repository (so bare imports like "zod" resolve) and git-ignored. */
const WORK_DIR = path.join(ROOT, ".tmp", `readme-blocks-${process.pid}`)

afterAll(async () => {
  await rm(WORK_DIR, { recursive: true, force: true })
})

describe("documentation examples", () => {
  const all = allExamples()

  it("finds the marked examples", () => {
    expect(all.length).toBeGreaterThan(0)
  })

  all.forEach((example, n) => {
    it(`${example.file}:${example.line} runs${example.output === undefined ? "" : " and prints what the docs show"}`, async () => {
      const printed = await runExample(example, WORK_DIR, n)
      if (example.output !== undefined) expect(printed.trimEnd()).toBe(example.output.trimEnd())
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
    const names = [...entryUrls().keys()]
    const script = `for (const name of ${JSON.stringify(names)}) console.log(name, Object.keys(await import(name)).length > 0)`
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" })
    expect(out.trim().split("\n")).toEqual(names.map((n) => `${n} true`))
  })
})
