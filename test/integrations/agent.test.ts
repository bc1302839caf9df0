/**
 * The agent loop over real HTTP: a scripted OpenAI-compatible model on 127.0.0.1 replays turns
 * (streamed text, tool calls carrying code, faults) to `cm.agent()`, through the real `openai` client.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CodeModeError, createCodeMode, demoSource, type CodeMode } from "../../src/index.js"
import { modelToolDefinitions } from "../../src/server/model-tools.js"
import type { AgentEvent } from "../../src/integrations/agent/events.js"
import { resolveEndpoint } from "../../src/integrations/agent/client.js"
import { scriptedModelServer, type ScriptedModelServer } from "../../src/testing/index.js"

let model: ScriptedModelServer
let cm: CodeMode

beforeAll(async () => {
  model = await scriptedModelServer()
  // tokenBudget 1: a catalog searched rather than described whole, so the model is offered search + execute
  cm = await createCodeMode({ sources: [demoSource()], typecheck: "off", catalog: { tokenBudget: 1 }, policy: { rules: [{ tool: "demo.completeTodo", action: "ask" }] } })
})
afterAll(async () => {
  await cm?.close()
  await model?.close()
})

/** An agent on the scripted model recording its events. */
async function agentWith(options: Parameters<CodeMode["agent"]>[0] = {}) {
  const events: AgentEvent[] = []
  const agent = await cm.agent({ baseURL: model.url, model: "scripted", onEvent: (e) => events.push(e), ...options })
  return { agent, events }
}
const ofType = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) => events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type)
const lastRequest = () => model.requests.at(-1)!

describe("cm.agent()", () => {
  it("streams text, runs the code of a tool call and sends the result back until the model answers", async () => {
    model.play([
      { text: "Adding it now.", toolCalls: [{ name: "execute", arguments: { code: "const t = await codemode.demo.addTodo({ text: 'milk' }); return t.text" } }] },
      { text: "Added milk." },
    ])
    const { agent, events } = await agentWith()
    const reply = await agent.send("add milk")
    expect(reply).toMatchObject({ text: "Added milk.", turns: 2 })
    // streamed in pieces, in order
    expect(ofType(events, "text").filter((e) => e.turn === 1).map((e) => e.delta)).toEqual(["Adding i", "t now."])
    expect(ofType(events, "tool-call")[0]).toMatchObject({ name: "execute", code: "const t = await codemode.demo.addTodo({ text: 'milk' }); return t.text" })
    expect(ofType(events, "call")[0]).toMatchObject({ tool: "demo.addTodo", args: { text: "milk" }, ok: true })
    expect(ofType(events, "tool-result")[0]).toMatchObject({ name: "execute", isError: false, status: "done" })
    expect(ofType(events, "tool-result")[0]!.text).toMatch(/^milk/)
    // the tool result went back to the model as a tool message answering its call
    const sent = lastRequest().messages
    expect(sent.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_0_0" })
    expect(String(sent.at(-1)!.content)).toMatch(/^milk/)
    expect(sent.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool"])
    expect(lastRequest().stream).toBe(true)
    // tokens: counted with o200k on the body sent when the endpoint reports no usage
    const usage = ofType(events, "usage")
    expect(usage.map((u) => u.source)).toEqual(["o200k", "o200k"])
    expect(usage[1]!.promptTokens).toBeGreaterThan(usage[0]!.promptTokens)
    expect(reply.promptTokens).toBe(usage[0]!.promptTokens + usage[1]!.promptTokens)
    expect(ofType(events, "done")).toHaveLength(1)
  })

  it("offers exactly the tools the MCP face lists", async () => {
    model.play([{ text: "ok" }])
    const { agent } = await agentWith()
    await agent.send("hi")
    const listed = modelToolDefinitions(cm)
    expect(lastRequest().body.tools).toEqual(listed.map((d) => ({ type: "function", function: { name: d.name, description: d.description, parameters: d.inputSchema } })))
  })

  it("works the same with whole (non-streamed) responses, and keeps the conversation between tasks", async () => {
    model.play([{ toolCalls: [{ name: "execute", arguments: { code: "return 6 * 7" } }] }, { text: "42" }, { text: "still here" }])
    const { agent, events } = await agentWith({ stream: false })
    expect((await agent.send("6 times 7?")).text).toBe("42")
    expect(lastRequest().stream).toBeFalsy()
    expect(ofType(events, "tool-result")[0]!.text).toMatch(/^42/)
    await agent.send("and now?")
    expect(lastRequest().messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "assistant", "user"])
    agent.reset()
    expect(agent.messages().map((m) => m.role)).toEqual(["system"])
  })

  it("reports the endpoint's own usage when it gives one", async () => {
    model.play([{ text: "hi", usage: { prompt_tokens: 120, completion_tokens: 3 } }])
    const { agent, events } = await agentWith()
    const reply = await agent.send("hello")
    expect(ofType(events, "usage")[0]).toMatchObject({ source: "endpoint", promptTokens: 120, completionTokens: 3 })
    expect(reply).toMatchObject({ promptTokens: 120, completionTokens: 3 })
    expect(lastRequest().body.stream_options).toEqual({ include_usage: true })
  })

  it("sends malformed tool-call JSON back to the model as a tool error it can fix", async () => {
    model.play([
      { toolCalls: [{ name: "execute", arguments: '{"code": "return 1' }] },
      { toolCalls: [{ name: "execute", arguments: { code: "return 1" } }] },
      { text: "1" },
    ])
    const { agent, events } = await agentWith()
    const reply = await agent.send("one")
    expect(reply.text).toBe("1")
    expect(ofType(events, "tool-call")[0]).toMatchObject({ malformed: true, arguments: '{"code": "return 1' })
    const second = model.requests.at(-2)!.messages.at(-1)!
    expect(second).toMatchObject({ role: "tool", tool_call_id: "call_0_0" })
    expect(String(second.content)).toMatch(/arguments of execute are not valid JSON/)
    expect(ofType(events, "tool-result").map((r) => r.isError)).toEqual([true, false])
  })

  it("answers a call of an unknown tool or with bad arguments with the MCP face's message", async () => {
    model.play([{ toolCalls: [{ name: "fetch", arguments: {} }, { name: "execute", arguments: { program: "x" } }] }, { text: "sorry" }])
    const { agent, events } = await agentWith()
    await agent.send("x")
    const [unknown, invalid] = ofType(events, "tool-result")
    expect(unknown).toMatchObject({ isError: true, text: expect.stringMatching(/unknown tool "fetch"/) })
    expect(invalid).toMatchObject({ isError: true, text: expect.stringMatching(/invalid arguments for execute: code/) })
  })

  it("retries after HTTP 429 (honouring Retry-After) and 500, and says so", async () => {
    model.play([{ status: 429, retryAfter: 0 }, { status: 500 }, { text: "made it" }])
    const { agent, events } = await agentWith()
    const before = model.requests.length
    expect((await agent.send("try")).text).toBe("made it")
    expect(model.requests.length - before).toBe(3)
    expect(ofType(events, "retry")).toEqual([
      { type: "retry", turn: 1, status: 429, attempt: 1, retryAfter: "0" },
      { type: "retry", turn: 1, status: 500, attempt: 2 },
    ])
    // the retried request counts once, in the turn that succeeded
    expect(ofType(events, "usage")).toHaveLength(1)
  })

  it("fails with MODEL_FAILED and the status once the retries are spent", async () => {
    model.play([{ status: 429, retryAfter: 0 }, { status: 429, retryAfter: 0 }])
    const { agent, events } = await agentWith({ maxRetries: 1 })
    const error = await agent.send("x").catch((e: unknown) => e)
    expect(CodeModeError.is(error, "MODEL_FAILED")).toBe(true)
    expect((error as CodeModeError).data).toMatchObject({ status: 429 })
    expect(ofType(events, "error")[0]).toMatchObject({ code: "MODEL_FAILED", turn: 1 })
  })

  it("fails a stream cut mid-way with what was received, rather than hanging or passing half a turn on", async () => {
    model.play([{ text: "The answer is forty-two, because", chunkChars: 4, cutAfterChunks: 4 }])
    const { agent, events } = await agentWith({ maxRetries: 0 })
    const error = await agent.send("why?").catch((e: unknown) => e)
    expect(CodeModeError.is(error, "MODEL_FAILED")).toBe(true)
    expect((error as Error).message).toMatch(/stream (broke|ended) before the turn/)
    expect((error as Error).message).toContain('received text "The answer i"')
    expect(ofType(events, "error")[0]).toMatchObject({ received: "The answer i" })
    expect(ofType(events, "done")).toHaveLength(0)
  })

  it("fails a cut inside a tool call's arguments, naming the call", async () => {
    model.play([{ toolCalls: [{ name: "execute", arguments: { code: "return 'a long program that is cut'" } }], cutAfterChunks: 5 }])
    const { agent } = await agentWith({ maxRetries: 0 })
    const error = await agent.send("go").catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/a call of execute with arguments "\{\\"code\\"/)
  })

  it("shows approvals inline: the policy asks, the handler answers, the program goes on", async () => {
    model.play([
      { toolCalls: [{ name: "execute", arguments: { code: "const t = await codemode.demo.addTodo({ text: 'a' }); return (await codemode.demo.completeTodo({ id: t.id })).done" } }] },
      { text: "done" },
    ])
    const asked: string[] = []
    const { agent, events } = await agentWith({ onApproval: async (request) => (asked.push(request.tool), "approve") })
    await agent.send("add and complete")
    expect(asked).toEqual(["demo.completeTodo"])
    expect(ofType(events, "approval")).toEqual([expect.objectContaining({ tool: "demo.completeTodo", decision: "approve", args: { id: expect.any(Number) } })])
    expect(ofType(events, "tool-result")[0]!.text).toMatch(/^true/)
  })

  it("without an approver the run pauses, and the model resumes it with the token it was given", async () => {
    model.play((request, index) => {
      if (index === 0) return { toolCalls: [{ name: "execute", arguments: { code: "return (await codemode.demo.completeTodo({ id: 1 })).done" } }] }
      const token = /resumeToken: (\S+)/.exec(String(request.messages.at(-1)?.content))?.[1]
      if (index === 1) return { text: "The user approves.", toolCalls: [{ name: "resume", arguments: { token, decision: "approve" } }] }
      return { text: "completed" }
    })
    const { agent, events } = await agentWith({ onApproval: false })
    await agent.send("complete the first to-do")
    expect(ofType(events, "tool-result").map((r) => r.status)).toEqual(["paused", "done"])
    expect(ofType(events, "tool-result")[1]!.text).toMatch(/^true/)
  })

  it("stops at maxTurns", async () => {
    model.play(() => ({ toolCalls: [{ name: "execute", arguments: { code: "return 1" } }] }))
    const { agent, events } = await agentWith({ maxTurns: 2 })
    const reply = await agent.send("loop")
    expect(reply).toMatchObject({ turns: 2, stopped: "max-turns" })
    expect(ofType(events, "done")[0]).toMatchObject({ stopped: "max-turns" })
  })

  it("plays search then execute on a catalog too big for one description", async () => {
    model.play([
      { toolCalls: [{ name: "search", arguments: { query: "list to-do items" } }] },
      { toolCalls: [{ name: "execute", arguments: { code: "return (await codemode.demo.listTodos({ done: false })).length >= 0" } }] },
      { text: "yes" },
    ])
    const { agent, events } = await agentWith()
    await agent.send("any?")
    // resume too: the policy can ask, so runs can pause
    expect(lastRequest().tools).toEqual(["search", "execute", "resume"])
    expect(ofType(events, "tool-result")[0]!.text).toMatch(/listTodos/)
    expect(ofType(events, "tool-result")[1]!.text).toMatch(/^true/)
  })
})

describe("the endpoint", () => {
  it("without one, says what to set", () => {
    expect(() => resolveEndpoint({}, {})).toThrow(/set OPENAI_BASE_URL .* OPENAI_API_KEY/)
    expect(() => resolveEndpoint({ baseURL: "http://127.0.0.1:1/v1" }, {})).toThrow(/--model/)
    expect(resolveEndpoint({}, { OPENAI_API_KEY: "k", OPENAI_MODEL: "m" })).toEqual({ baseURL: "https://api.openai.com/v1", apiKey: "k", model: "m" })
    expect(resolveEndpoint({ model: "m" }, { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" })).toMatchObject({ baseURL: "http://127.0.0.1:9/v1", model: "m" })
  })
})
