/**
 * The typecheck corpora (typecheck-corpus/*.yaml): correct, realistic programs against the demo
 * API, the npm MCP servers (memory, filesystem, everything) and the full Cloudflare and GitHub
 * declarations must never be blocked; wrong ones (wrong tool, argument type, missing argument,
 * property not on the result, missing await, syntax) must each be caught with the exact diagnostic.
 */
import { readFileSync } from "node:fs"
import { afterAll, describe, expect, it } from "vitest"
import { parse } from "yaml"
import { createCodeMode } from "../../src/runtime/codemode.js"
import { demoSource } from "../../src/tools/demo.js"
import { createTypecheckGate, type TypecheckGate } from "../../src/runtime/typecheck.js"
import { mcp } from "../../src/tools/mcp/index.js"
import { openapi } from "../../src/tools/openapi/index.js"
import type { Tool, ToolSource } from "../../src/tools/tool.js"
import { npmServer } from "../fixtures/mcp/servers.js"
import { CLOUDFLARE_SPEC, GITHUB_SPEC } from "../server/helpers.js"

type Api = "demo" | "memory" | "filesystem" | "everything" | "cloudflare" | "github"
interface Expected {
  line: number
  column: number
  code: number
  message: string
}
interface Program {
  name: string
  api: Api
  code: string
  /** Wrong programs: the diagnostics, exactly. */
  diagnostics?: Expected[]
}

const load = (file: string): Program[] => parse(readFileSync(new URL(`./typecheck-corpus/${file}`, import.meta.url), "utf8")) as Program[]
const correct = load("correct.yaml")
const wrong = load("wrong.yaml")

const SOURCES: Record<Api, () => ToolSource> = {
  demo: () => demoSource(),
  memory: () => mcp("memory", npmServer("memory")),
  filesystem: () => mcp("filesystem", npmServer("filesystem", "/tmp")),
  everything: () => mcp("everything", npmServer("everything")),
  cloudflare: () => openapi("cloudflare", { spec: CLOUDFLARE_SPEC, baseUrl: "http://127.0.0.1:9" }),
  github: () => openapi("github", { spec: GITHUB_SPEC, baseUrl: "http://127.0.0.1:9" }),
}

/** Each API's tools, loaded once (MCP servers are closed right after listing them). */
const toolsOf = new Map<Api, Promise<Tool[]>>()
/** One gate (so one checker process) per API: what `cm.check()` uses, syntax errors included. */
const gates = new Map<Api, TypecheckGate>()

async function check(program: Program) {
  let tools = toolsOf.get(program.api)
  if (!tools) {
    const source = SOURCES[program.api]()
    tools = source.load().finally(() => source.close?.())
    toolsOf.set(program.api, tools)
  }
  let gate = gates.get(program.api)
  if (!gate) gates.set(program.api, (gate = createTypecheckGate({ timeMs: 60_000 })))
  return gate.check(program.code, await tools)
}

afterAll(async () => {
  for (const gate of gates.values()) await gate.close()
})

describe("typecheck corpus", () => {
  it("has at least 60 correct programs over every API and 40 wrong ones", () => {
    expect(correct.length).toBeGreaterThanOrEqual(60)
    expect(wrong.length).toBeGreaterThanOrEqual(40)
    expect(new Set(correct.map((p) => p.api))).toEqual(new Set(Object.keys(SOURCES)))
    expect(wrong.every((p) => p.diagnostics && p.diagnostics.length > 0)).toBe(true)
  })

  describe("never blocks a correct program", () => {
    for (const program of correct) {
      it(`${program.api}: ${program.name}`, { timeout: 180_000 }, async () => {
        const report = await check(program)
        expect(report.diagnostics.map((d) => `${d.line}:${d.column} TS${d.code} ${d.message}`)).toEqual([])
        expect(report.status).toBe("passed")
      })
    }
  })

  it("the demo API's correct programs also run to the end, checked", { timeout: 180_000 }, async () => {
    const cm = await createCodeMode({ sources: [demoSource()] })
    try {
      for (const program of correct.filter((p) => p.api === "demo")) {
        const result = await cm.execute(program.code)
        expect({ name: program.name, status: result.status, error: result.error }).toEqual({ name: program.name, status: "done", error: undefined })
      }
    } finally {
      await cm.close()
    }
  })

  describe("catches every wrong program with the exact diagnostic", () => {
    for (const program of wrong) {
      it(`${program.api}: ${program.name}`, { timeout: 180_000 }, async () => {
        const report = await check(program)
        expect(report.status).toBe("failed")
        expect(report.diagnostics.map(({ line, column, code, message }) => ({ line, column, code, message }))).toEqual(program.diagnostics)
      })
    }
  })
})
