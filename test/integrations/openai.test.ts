/**
 * codemode/openai against the real `openai` client and its types: the tool definitions and the
 * messages typecheck as the SDK's own types, and full round trips (model asks execute → helper runs
 * it → tool message sent back → final answer) go over real HTTP to a scripted model on 127.0.0.1,
 * for Chat Completions and for Responses.
 */
import OpenAI from "openai"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { chatTools, responsesTools, runChatToolCalls, runResponsesToolCalls } from "../../src/integrations/openai.js"
import { createCodeMode, type CodeMode } from "../../src/runtime/codemode.js"
import { modelToolDefinitions } from "../../src/server/model-tools.js"
import { scriptedModelServer, type ScriptedModelServer } from "../../src/testing/index.js"
import { executeThenAnswer, executeThenApprove } from "../fixtures/model/scripts.js"
import { OPEN_TOTAL, shop } from "../fixtures/model/shop.js"

let model: ScriptedModelServer
let cm: CodeMode
let client: OpenAI
const { source, refunded } = shop()

beforeAll(async () => {
  model = await scriptedModelServer({ script: executeThenAnswer(OPEN_TOTAL) })
  cm = await createCodeMode({ sources: [source], typecheck: "off" }) // the checker is not what these tests are about
  client = new OpenAI({ baseURL: model.url, apiKey: "test-key", maxRetries: 0 })
})
afterAll(async () => {
  await cm?.close()
  await model?.close()
})

/** The app's chat loop, as the README shows it: until the model stops calling tools. */
async function chat(prompt: string): Promise<{ text: string | null; messages: OpenAI.Chat.ChatCompletionMessageParam[] }> {
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: prompt }]
  for (let turn = 0; turn < 5; turn++) {
    const completion = await client.chat.completions.create({ model: "scripted", messages, tools: chatTools(cm) })
    const message = completion.choices[0]!.message
    messages.push(message)
    const results = await runChatToolCalls(cm, message)
    if (results.length === 0) return { text: message.content, messages }
    messages.push(...results)
  }
  throw new Error("the model did not finish")
}

describe("Chat Completions", () => {
  it("defines the tools the MCP face lists, as the SDK's ChatCompletionTool", () => {
    const tools = chatTools(cm) satisfies OpenAI.Chat.ChatCompletionTool[]
    const mcp = modelToolDefinitions(cm)
    expect(tools.map((t) => t.function.name)).toEqual(["execute", "resume"]) // small catalog; refunds can pause
    expect(tools.map((t) => [t.function.description, t.function.parameters])).toEqual(mcp.map((d) => [d.description, d.inputSchema]))
    expect(tools[0]!.function.description).toContain("listOrders")
  })

  it("round trip over HTTP: execute runs, the tool message goes back, the model answers", async () => {
    model.requests.length = 0
    const { text, messages } = await chat("What do the open orders add up to?")
    expect(text).toMatch(/^answer: 42\b/)
    expect(model.requests).toHaveLength(2)
    expect(model.requests[0]!.body.tools).toEqual(JSON.parse(JSON.stringify(chatTools(cm))))
    const sent = (model.requests[1]!.body.messages as Array<Record<string, unknown>>).find((m) => m.role === "tool")
    expect(sent).toEqual({ role: "tool", tool_call_id: "call_0_0", content: expect.stringMatching(/^42\b/) })
    expect(messages.filter((m) => m.role === "tool")).toHaveLength(1)
  })

  it("answers a failing program, malformed JSON and leaves other tools' calls to the app", async () => {
    const message: OpenAI.Chat.ChatCompletionMessage = {
      role: "assistant",
      content: null,
      refusal: null,
      tool_calls: [
        { id: "a", type: "function", function: { name: "execute", arguments: JSON.stringify({ code: "throw new Error('boom')" }) } },
        { id: "b", type: "function", function: { name: "execute", arguments: "{code:" } },
        { id: "c", type: "function", function: { name: "get_weather", arguments: "{}" } },
        { id: "d", type: "custom", custom: { name: "execute", input: "x" } },
      ],
    }
    const results = await runChatToolCalls(cm, message)
    expect(results.map((r) => r.tool_call_id)).toEqual(["a", "b"])
    expect(results[0]!.content).toContain("boom")
    expect(results[1]!.content).toMatch(/^\[codemode\] \[openai\] the arguments of execute are not valid JSON/)
    const plain: OpenAI.Chat.ChatCompletionMessage = { role: "assistant", content: "hi", refusal: null }
    expect(await runChatToolCalls(cm, plain)).toEqual([])
  })

  it("a call that needs approval pauses; the model resumes it with the token it was given", async () => {
    model.play(executeThenApprove("return await codemode.shop.refund({ id: 3 })"))
    const { text, messages } = await chat("Refund order 3")
    expect(messages.filter((m) => m.role === "tool").map((m) => String(m.content).split("\n")[0])).toEqual([
      expect.stringMatching(/^PAUSED: 1 call needs approval/),
      '{"refunded":3}',
    ])
    expect(text).toMatch(/^done: \{"refunded":3\}/)
    expect(refunded).toEqual([3])
  })

  it("inline approvals reach the app as the inner tool's name and arguments", async () => {
    const asked: Array<[string, unknown]> = []
    const message = { tool_calls: [{ id: "x", type: "function", function: { name: "execute", arguments: JSON.stringify({ code: "return await codemode.shop.refund({ id: 1 })" }) } }] }
    const [result] = await runChatToolCalls(cm, message, {
      onApproval: async (request) => {
        asked.push([request.tool, request.args])
        return "deny"
      },
    })
    expect(asked).toEqual([["shop.refund", { id: 1 }]])
    expect(result!.content).toMatch(/was denied by the approver/)
    expect(refunded).toEqual([3])
  })
})

describe("Responses", () => {
  it("defines the tools as the SDK's FunctionTool and round-trips function_call_output over HTTP", async () => {
    model.play(executeThenAnswer(OPEN_TOTAL))
    model.requests.length = 0
    const tools = responsesTools(cm) satisfies OpenAI.Responses.FunctionTool[]
    expect(tools.map((t) => t.name)).toEqual(["execute", "resume"])
    const first = await client.responses.create({ model: "scripted", input: "What do the open orders add up to?", tools })
    const outputs = (await runResponsesToolCalls(cm, first)) satisfies OpenAI.Responses.ResponseInputItem[]
    expect(outputs).toEqual([{ type: "function_call_output", call_id: "call_0_0", output: expect.stringMatching(/^42\b/) }])
    const second = await client.responses.create({ model: "scripted", previous_response_id: first.id, input: outputs, tools })
    expect(second.output_text).toMatch(/^answer: 42\b/)
    expect(await runResponsesToolCalls(cm, second)).toEqual([])
    expect(model.requests[1]!.body.input).toEqual(JSON.parse(JSON.stringify(outputs)))
  })
})
