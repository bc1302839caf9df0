/**
 * codemode/anthropic against the real `@anthropic-ai/sdk` client and its types: tool definitions
 * and tool_result messages typecheck as the SDK's own types, and a full round trip (tool_use with
 * code → helper runs it → tool_result in a user message → final answer) goes over real HTTP to a
 * scripted model on 127.0.0.1.
 */
import Anthropic from "@anthropic-ai/sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { anthropicTools, runToolUses } from "../../src/integrations/anthropic.js"
import { createCodeMode, type CodeMode } from "../../src/runtime/codemode.js"
import { modelToolDefinitions } from "../../src/server/model-tools.js"
import { scriptedModelServer, type ScriptedModelServer } from "../../src/testing/index.js"
import { executeThenAnswer } from "../fixtures/model/scripts.js"
import { OPEN_TOTAL, shop } from "../fixtures/model/shop.js"

let model: ScriptedModelServer
let cm: CodeMode
let big: CodeMode
let client: Anthropic

beforeAll(async () => {
  model = await scriptedModelServer({ script: executeThenAnswer(OPEN_TOTAL) })
  // The checker is not what these tests are about.
  cm = await createCodeMode({ sources: [shop().source], typecheck: "off" })
  big = await createCodeMode({ sources: [shop().source], typecheck: "off", catalog: { tokenBudget: 10 } })
  client = new Anthropic({ baseURL: model.url, apiKey: "test-key", maxRetries: 0 })
})
afterAll(async () => {
  await Promise.all([cm?.close(), big?.close()])
  await model?.close()
})

describe("Anthropic Messages", () => {
  it("defines the tools the MCP face lists, as the SDK's Tool: execute alone, or search + execute for a big catalog", () => {
    const tools = anthropicTools(cm) satisfies Anthropic.Tool[]
    expect(tools.map((t) => t.name)).toEqual(["execute", "resume"])
    expect(tools.map((t) => [t.description, t.input_schema])).toEqual(modelToolDefinitions(cm).map((d) => [d.description, d.inputSchema]))
    expect((anthropicTools(big) satisfies Anthropic.ToolUnion[]).map((t) => t.name)).toEqual(["search", "execute", "resume"])
  })

  it("round trip over HTTP: tool_use runs, tool_result goes back in a user message, the model answers", async () => {
    model.requests.length = 0
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "What do the open orders add up to?" }]
    let reply: Anthropic.Message | undefined
    for (let turn = 0; turn < 4; turn++) {
      reply = await client.messages.create({ model: "scripted", max_tokens: 1024, messages, tools: anthropicTools(cm) })
      messages.push({ role: "assistant", content: reply.content })
      const results = await runToolUses(cm, reply)
      if (!results) break
      messages.push(results satisfies Anthropic.MessageParam)
    }
    expect(reply?.content).toEqual([{ type: "text", text: expect.stringMatching(/^answer: 42\b/) }])
    expect(model.requests).toHaveLength(2)
    const sent = (model.requests[1]!.body.messages as Anthropic.MessageParam[]).at(-1)
    expect(sent).toEqual({ role: "user", content: [{ type: "tool_result", tool_use_id: "call_0_0", content: expect.stringMatching(/^42\b/) }] })
  })

  it("search answers with declarations; failures carry is_error; other tools' blocks are the app's", async () => {
    const message = {
      content: [
        { type: "text", text: "let me look" },
        { type: "tool_use", id: "s", name: "search", input: { query: "list orders" } },
        { type: "tool_use", id: "e", name: "execute", input: { code: "return codemode.shop.nope()" } },
        { type: "tool_use", id: "w", name: "get_weather", input: {} },
      ],
    }
    const results = await runToolUses(big, message)
    expect(results?.content.map((b) => [b.tool_use_id, b.is_error ?? false])).toEqual([
      ["s", false],
      ["e", true],
    ])
    expect(results?.content[0]?.content).toContain("listOrders")
    expect(results?.content[1]?.content).toMatch(/nope/)
    const plain = { content: [{ type: "text", text: "hi" }] }
    expect(await runToolUses(cm, plain)).toBeUndefined()
  })
})
