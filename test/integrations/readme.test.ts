/**
 * Runs the examples of README.md and docs/*.md that talk to a model (marked
 * `<!-- test: scripted model -->`): the SDKs read their endpoint from the environment, which points
 * them at a scripted model on 127.0.0.1. The scripted model knows the APIs the examples use: its
 * first turn runs a program against the namespace the `execute` tool describes, the next answers
 * with the first line of the tool's result.
 */
import path from "node:path"
import { rm } from "node:fs/promises"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { allExamples, ROOT, runExample } from "../fixtures/readme-examples.js"
import { scriptedModelServer, type ScriptedModelServer, type Script } from "../../src/testing/index.js"

const MARKER = "test: scripted model"
const WORK_DIR = path.join(ROOT, ".tmp", `readme-model-blocks-${process.pid}`)

/** The program for each namespace the examples give the model. */
const PROGRAMS: Record<string, string> = {
  weather: "const days = await codemode.weather.getForecast({ city: 'Oslo', days: 7 })\nreturn days.reduce((a, b) => (b.celsius > a.celsius ? b : a))",
  demo: "for (const text of ['buy milk', 'call mum']) await codemode.demo.addTodo({ text })\nreturn (await codemode.demo.listTodos({})).map((t) => t.text)",
}

const readmeModel: Script = (request) => {
  if (request.toolResults.length > 0) return { text: `Answer: ${request.toolResults[0]?.split("\n")[0]}` }
  const offered = JSON.stringify(request.body.tools)
  const namespace = Object.keys(PROGRAMS).find((ns) => offered.includes(`codemode.${ns}`))
  if (!namespace) return { text: `no program for the tools ${offered.slice(0, 200)}` }
  return { toolCalls: [{ name: "execute", arguments: { code: PROGRAMS[namespace] } }] }
}

let model: ScriptedModelServer
beforeAll(async () => {
  model = await scriptedModelServer({ script: readmeModel })
  vi.stubEnv("OPENAI_BASE_URL", model.url)
  vi.stubEnv("OPENAI_API_KEY", "test-key")
  vi.stubEnv("ANTHROPIC_BASE_URL", model.url)
  vi.stubEnv("ANTHROPIC_API_KEY", "test-key")
  vi.stubEnv("MODEL", "scripted")
})
afterAll(async () => {
  vi.unstubAllEnvs()
  await model?.close()
  await rm(WORK_DIR, { recursive: true, force: true })
})

describe("documentation examples with a model", () => {
  const examples = allExamples(MARKER)

  it("finds one example per adapter in the README", () => {
    const readme = examples.filter((e) => e.file === "README.md").map((e) => /from "(codemode\/\w+)"/.exec(e.code)?.[1])
    expect(readme).toEqual(["codemode/ai", "codemode/openai", "codemode/openai", "codemode/anthropic"])
  })

  examples.forEach((example, n) => {
    it(`${example.file}:${example.line} runs against the scripted model and prints what the docs show`, async () => {
      const before = model.requests.length
      const printed = await runExample(example, WORK_DIR, n)
      expect(model.requests.length - before).toBeGreaterThanOrEqual(2) // a tool call, then the answer
      if (example.output !== undefined) expect(printed.trimEnd()).toBe(example.output.trimEnd())
    }, 120_000) // each example's instance starts its own typechecker and sandbox pool, cold: slow on a loaded machine
  })
})
