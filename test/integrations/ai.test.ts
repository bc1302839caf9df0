/**
 * codemode/ai with the real AI SDK (`ai` 6): `generateText` drives the code-mode tools against a
 * scripted OpenAI-compatible model over real HTTP (`@ai-sdk/openai-compatible`), and AI SDK tool
 * sets (zod 4, zod 3, `jsonSchema()`, streaming execute, `needsApproval`) become a codemode
 * namespace that programs call.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createOpenAICompatible } from "@ai-sdk/openai-compatible"
import { generateText, jsonSchema, stepCountIs, tool, type FlexibleSchema, type ModelMessage } from "ai"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { z } from "zod"
import { z as z3 } from "zod/v3"
import { aiTools, codeModeTools, CodeModeToolError } from "../../src/integrations/ai.js"
import type { ApprovalRequest } from "../../src/runtime/program-run.js"
import { createCodeMode, type CodeMode, type CodeModeOptions } from "../../src/runtime/codemode.js"
import type { ExecuteArgs } from "../../src/server/definitions.js"
import { modelToolDefinitions } from "../../src/server/model-tools.js"
import { scriptedModelServer, type ScriptedModelServer } from "../../src/testing/index.js"
import { executeThenAnswer, executeThenApprove } from "../fixtures/model/scripts.js"
import { OPEN_TOTAL, shop } from "../fixtures/model/shop.js"

let server: ScriptedModelServer
let model: ReturnType<ReturnType<typeof createOpenAICompatible>["chatModel"]>
const open: CodeMode[] = []
/** Instances shared by the tests (each has its own sandbox pool): the shop, and the shop searched. */
let small: CodeMode
let big: CodeMode

beforeAll(async () => {
  server = await scriptedModelServer({ script: executeThenAnswer(OPEN_TOTAL) })
  model = createOpenAICompatible({ name: "scripted", baseURL: server.url, apiKey: "test-key" }).chatModel("scripted")
  small = await codemode({ sources: [shop().source] })
  big = await codemode({ sources: [shop().source], catalog: { tokenBudget: 10 } })
})
afterAll(async () => {
  await Promise.all(open.map((cm) => cm.close()))
  await server?.close()
})

async function codemode(options: CodeModeOptions): Promise<CodeMode> {
  const cm = await createCodeMode({ typecheck: "off", ...options }) // the checker is not what these tests are about
  open.push(cm)
  return cm
}

/** The AI SDK app of the shop: its own tools, one that sends mail only after approval. */
function appTools(sent: string[]) {
  return {
    getWeather: tool({
      description: "The weather in a city.",
      inputSchema: z.object({ city: z.string() }),
      outputSchema: z.object({ city: z.string(), celsius: z.number() }),
      execute: async ({ city }) => ({ city, celsius: city.length }),
    }),
    sendEmail: tool({
      description: "Send an email.",
      inputSchema: z.object({ to: z.string(), body: z.string() }),
      needsApproval: async ({ to }) => !to.endsWith("@example.com"),
      execute: async ({ to }) => {
        sent.push(to)
        return `sent to ${to}`
      },
    }),
  }
}

describe("codeModeTools", () => {
  it("offers what the MCP face offers: execute (+ resume) for a small catalog, search + execute for a big one", async () => {
    for (const cm of [small, big]) {
      const tools = codeModeTools(cm)
      const definitions = modelToolDefinitions(cm)
      expect(Object.keys(tools)).toEqual(definitions.map((d) => d.name))
      expect(Object.values(tools).map((t) => t.description)).toEqual(definitions.map((d) => d.description))
    }
    expect(Object.keys(codeModeTools(big))).toEqual(["search", "execute", "resume"])
  })

  it("takes the MCP face's arguments: execute saves the program with saveAs when the instance keeps procedures", async () => {
    const cm = await codemode({ sources: [shop().source], procedures: { db: join(mkdtempSync(join(tmpdir(), "codemode-ai-")), "state.db") } })
    const execute = codeModeTools(cm).execute
    const input = (execute.inputSchema as z.ZodType).parse({ code: "return 1", saveAs: { name: "one" } })
    expect(input).toEqual({ code: "return 1", saveAs: { name: "one" } })
    expect(await execute.execute!(input as ExecuteArgs, { toolCallId: "t", messages: [] })).toMatch(/Saved as procedure codemode\.procedures\.one/)
    expect((await cm.procedures.list()).map((p) => p.name)).toEqual(["one"])
  })

  it("generateText over HTTP: the model's execute runs, its result goes back as the tool message, the model answers", async () => {
    server.play(executeThenAnswer(OPEN_TOTAL))
    server.requests.length = 0
    const result = await generateText({ model, tools: codeModeTools(small), stopWhen: stepCountIs(4), prompt: "What do the open orders add up to?" })
    expect(result.text).toMatch(/^answer: 42\b/)
    expect(result.steps).toHaveLength(2)
    expect(server.requests[0]!.tools).toEqual(["execute", "resume"])
    const toolMessage = (server.requests[1]!.body.messages as Array<Record<string, unknown>>).find((m) => m.role === "tool")
    expect(toolMessage).toMatchObject({ tool_call_id: "call_0_0", content: expect.stringMatching(/^42\b/) })
  })

  it("a failed run is a tool error the model reads", async () => {
    server.play(executeThenAnswer("return codemode.shop.listOrders({ status: 7 })"))
    const result = await generateText({ model, tools: codeModeTools(small), stopWhen: stepCountIs(4), prompt: "x" })
    const error = result.steps[0]!.content.find((part) => part.type === "tool-error")
    expect(error).toMatchObject({ toolName: "execute", error: expect.any(CodeModeToolError) })
    expect(result.text).toMatch(/^answer: .*invalid input/s)
  })
})

/** A Standard Schema (with its JSON Schema converter) as a library other than zod would make it. */
const handmadeStandardSchema = {
  "~standard": {
    version: 1,
    vendor: "handmade",
    validate: (value: unknown) => (typeof (value as { q?: unknown })?.q === "string" ? { value: value as { q: string } } : { issues: [{ message: "q must be a string" }] }),
    jsonSchema: {
      input: () => ({ type: "object", properties: { q: { type: "string" } }, required: ["q"] }),
      output: () => ({ type: "object", properties: { q: { type: "string" } }, required: ["q"] }),
    },
  },
} as unknown as FlexibleSchema<{ q: string }>

describe("aiTools: an AI SDK tool set as a codemode namespace", () => {
  it("types the tools from their schemas (zod 4, zod 3, Standard Schema, jsonSchema) and runs them, streaming ones to their last value", async () => {
    const cm = await codemode({
      sources: [
        aiTools("app", {
          ...appTools([]),
          legacy: tool({ inputSchema: z3.object({ n: z3.number().int() }), execute: async ({ n }) => n * 2 }),
          raw: tool({
            inputSchema: jsonSchema<{ word: string }>(
              { type: "object", properties: { word: { type: "string" } }, required: ["word"] },
              { validate: (v) => (typeof (v as { word?: unknown }).word === "string" ? { success: true, value: v as { word: string } } : { success: false, error: new Error("word must be a string") }) },
            ),
            execute: async ({ word }) => word.toUpperCase(),
          }),
          measure: tool({ inputSchema: handmadeStandardSchema, execute: async ({ q }) => q.length }),
          countdown: tool({
            inputSchema: z.object({ from: z.number() }),
            async *execute({ from }) {
              for (let i = from; i >= 0; i--) yield i
            },
          }),
        }),
      ],
    })
    const declarations = cm.declarations()
    expect(declarations).toContain("function getWeather(args: GetWeatherArgs): Promise<GetWeatherResult>")
    expect(declarations).toContain("interface GetWeatherResult { city: string; celsius: number }")
    expect(declarations).toContain("interface LegacyArgs { n: number }")
    expect(declarations).toContain("interface RawArgs { word: string }")
    expect(declarations).toContain("interface MeasureArgs { q: string }")
    const result = await cm.execute(
      "return [await codemode.app.getWeather({ city: 'Oslo' }), await codemode.app.legacy({ n: 21 }), await codemode.app.raw({ word: 'hi' }), await codemode.app.countdown({ from: 3 }), await codemode.app.measure({ q: 'abc' })]",
    )
    expect(result).toMatchObject({ status: "done", value: [{ city: "Oslo", celsius: 4 }, 42, "HI", 0, 3] })
    const bad = await cm.execute("return await codemode.app.legacy({ n: 1.5 })")
    expect(bad).toMatchObject({ status: "failed", error: { message: expect.stringMatching(/app\.legacy.*invalid input/s) } })
    const badStandard = await cm.execute("return await codemode.app.measure({ q: 3 })")
    expect(badStandard).toMatchObject({ status: "failed", error: { message: expect.stringMatching(/app\.measure.*invalid input.*q must be a string/s) } })
    const badRaw = await cm.execute("return await codemode.app.raw({ word: 3 })")
    expect(badRaw).toMatchObject({ status: "failed", error: { message: expect.stringMatching(/word must be a string/) } })
  })

  it("needsApproval reaches the app through generateText as the inner tool's name and input", async () => {
    const sent: string[] = []
    const cm = await codemode({ sources: [aiTools("app", appTools(sent))] })
    const asked: ApprovalRequest[] = []
    server.play(
      executeThenAnswer(
        "const a = await codemode.app.sendEmail({ to: 'me@example.com', body: 'hi' })\n" +
          "let b; try { b = await codemode.app.sendEmail({ to: 'ceo@corp.com', body: 'hi' }) } catch (e) { b = e.message }\nreturn [a, b]",
      ),
    )
    const tools = codeModeTools(cm, {
      onApproval: async (request) => {
        asked.push(request)
        return "deny"
      },
    })
    const result = await generateText({ model, tools, stopWhen: stepCountIs(4), prompt: "mail people" })
    expect(asked.map((r) => [r.tool, r.args])).toEqual([["app.sendEmail", { to: "ceo@corp.com", body: "hi" }]])
    expect(sent).toEqual(["me@example.com"])
    expect(result.text).toMatch(/sent to me@example\.com.*was denied by the approver/s)
  })

  it("deferred: the run pauses, the model resumes it with the token after asking the user", async () => {
    const sent: string[] = []
    const cm = await codemode({ sources: [aiTools("app", appTools(sent))] })
    server.play(executeThenApprove("return await codemode.app.sendEmail({ to: 'ceo@corp.com', body: 'hi' })"))
    const messages: ModelMessage[] = [{ role: "user", content: "mail the ceo" }]
    const result = await generateText({ model, tools: codeModeTools(cm), stopWhen: stepCountIs(5), messages })
    expect(result.steps.map((s) => s.toolCalls.map((c) => c?.toolName))).toEqual([["execute"], ["resume"], []])
    expect(String(result.steps[0]!.toolResults[0]?.output)).toMatch(/PAUSED: 1 call needs approval[\s\S]*codemode\.app\.sendEmail\(\{"to":"ceo@corp\.com","body":"hi"\}\)/)
    expect(result.text).toMatch(/^done: sent to ceo@corp\.com\b/)
    expect(sent).toEqual(["ceo@corp.com"])
  })

  it("refuses a tool without execute and a bad namespace, at once", () => {
    const clientSide = tool({ inputSchema: z.object({}) })
    expect(() => aiTools("app", { ask: clientSide })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(/"ask" has no execute/) }))
    expect(() => aiTools("my-app", {})).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }))
  })
})
