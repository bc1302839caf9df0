/** The sandbox prelude: the generated core is the build of its readable source, and it answers by name. */
import { readFile } from "node:fs/promises"
import { describe, expect, it } from "vitest"
import { generatePreludeCore, PRELUDE_CORE_GENERATED } from "../../scripts/build-prelude.js"
import { PRELUDE_CORE } from "../../src/sandbox/quickjs/prelude-source.js"

describe("prelude core", () => {
  it("prelude-core.generated.ts is the current build of prelude-core.ts (run `npx tsx scripts/build-prelude.ts`)", async () => {
    expect(await readFile(PRELUDE_CORE_GENERATED, "utf8")).toBe(await generatePreludeCore())
  })

  it("is one function expression of the four host values, with the boundary message filled in", () => {
    expect(PRELUDE_CORE).toMatch(/^\(function\(\w+,\w+,\w+,\w+\)\{"use strict";/)
    expect(PRELUDE_CORE).toContain("can cross the sandbox boundary")
    expect(PRELUDE_CORE).not.toContain("BOUNDARY_MESSAGE")
    expect(PRELUDE_CORE).toMatch(/\{init:\w+,settle\(/)
  })
})
