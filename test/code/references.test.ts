import { describe, expect, it } from "vitest"
import { namespaceReferences } from "../../src/code/references.js"

describe("namespaceReferences", () => {
  it("finds codemode.<ns> in the syntax tree, in source order, not in strings or comments", () => {
    const js = [
      "// codemode.comment.x()",
      "const s = 'codemode.string'",
      "async function f() { return codemode.inner?.tool({}) }",
      'const [a, b] = await Promise.all([codemode.gh.list({}), codemode["db"].query({ sql: "codemode.sql" })])',
      "return codemode.gh",
    ].join("\n")
    expect(namespaceReferences(js)).toEqual([
      { namespace: "inner", line: 3, column: 38 },
      { namespace: "gh", line: 4, column: 44 },
      { namespace: "db", line: 4, column: 66 },
      { namespace: "gh", line: 5, column: 17 },
    ])
  })

  it("finds nothing in code that does not parse or names no namespace", () => {
    expect(namespaceReferences("codemode.(")).toEqual([])
    expect(namespaceReferences("const codemode2 = 1; return codemode[name].x")).toEqual([])
  })
})
