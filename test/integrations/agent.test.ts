/**
 * The agent loop over real HTTP: a scripted OpenAI-compatible model on 127.0.0.1 replays turns
 * (streamed text, tool calls carrying code, faults) to `cm.agent()`, through the real `openai` client.
 */
import { getEventListeners } from "node:events"
import { createServer as createHttpServer, type ServerResponse } from "node:http"
import { createServer as createNetServer, type AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CodeModeError, createCodeMode, demoSource, type CodeMode } from "../../src/index.js"
import type { ChatMessage } from "../../src/integrations/agent/agent.js"
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
    // this instance offers three tools (its policy can ask, so runs can pause)
    expect(unknown).toMatchObject({ isError: true, text: expect.stringMatching(/unknown tool "fetch": the tools are search, execute and resume$/) })
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
    expect((error as Error).message).toMatch(/stream (broke|ended) .*before the turn did/)
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

/** A raw endpoint on 127.0.0.1 for wire shapes the scripted model does not make: `answer` writes the n-th response (from 1). */
async function rawEndpoint(answer: (n: number, res: ServerResponse) => void) {
  let n = 0
  const server = createHttpServer((req, res) => {
    req.resume()
    req.on("end", () => answer(++n, res))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const close = () => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close }
}
/** One streamed Chat Completions chunk. */
const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
const sse = (res: ServerResponse, ...chunks: string[]) => {
  res.writeHead(200, { "content-type": "text/event-stream" })
  res.end(`${chunks.join("")}data: [DONE]\n\n`)
}
const toolDelta = (call: { index?: number; id?: string; name?: string; arguments: string }) => ({
  tool_calls: [{ ...(call.index === undefined ? {} : { index: call.index }), ...(call.id ? { id: call.id, type: "function" } : {}), function: { ...(call.name ? { name: call.name } : {}), arguments: call.arguments } }],
})

describe("faults of the wire", () => {
  it("waits no longer than timeoutMs when Retry-After asks for more", async () => {
    model.play([{ status: 429, retryAfter: 3600 }, { text: "ok" }])
    const { agent, events } = await agentWith({ timeoutMs: 300 })
    expect((await agent.send("hi")).text).toBe("ok")
    expect(ofType(events, "retry")).toEqual([{ type: "retry", turn: 1, attempt: 1, status: 429, retryAfter: "0.3" }])
  })

  it("ends a task waiting to retry at once with ABORTED", async () => {
    model.play([{ status: 429, retryAfter: 40 }, { text: "late" }])
    const task = new AbortController()
    const { agent } = await agentWith({ onEvent: (e) => e.type === "retry" && setTimeout(() => task.abort(), 50) })
    const started = Date.now()
    const error = await agent.send("hi", { signal: task.signal }).catch((e: unknown) => e)
    expect(CodeModeError.is(error, "ABORTED")).toBe(true)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it("fails a stream that stalls after its headers, saying so", async () => {
    const endpoint = await rawEndpoint((_, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" })
      res.write(chunk({ content: "hel" })) // and nothing more
    })
    try {
      const { agent, events } = await agentWith({ baseURL: endpoint.url, streamIdleMs: 200 })
      const error = await agent.send("hi").catch((e: unknown) => e)
      expect(CodeModeError.is(error, "MODEL_FAILED")).toBe(true)
      expect((error as Error).message).toMatch(/the stream stalled \(nothing came for 200 ms\) before the turn did; received text "hel"/)
      expect(ofType(events, "error")[0]).toMatchObject({ received: "hel" })
    } finally {
      await endpoint.close()
    }
  })

  it("takes a stream cut after its finish_reason (only the usage and [DONE] missing) as a whole turn", async () => {
    // role, the call's name, its arguments, the finish: 4 chunks, then the usage chunk is never sent
    model.play([{ toolCalls: [{ name: "execute", arguments: { code: "return 1" } }], chunkChars: 100, usage: { prompt_tokens: 1, completion_tokens: 1 }, cutAfterChunks: 4 }, { text: "one" }])
    const { agent, events } = await agentWith({ maxRetries: 0 })
    expect(await agent.send("hi")).toMatchObject({ text: "one", turns: 2 })
    expect(ofType(events, "tool-result")[0]!.text).toMatch(/^1/)
  })

  it("joins tool-call deltas without an index or repeating the name in each piece, and fails a tool_calls turn without calls", async () => {
    const code = '{"code":"return 41+1"}'
    const endpoint = await rawEndpoint((n, res) => {
      if (n === 1) return sse(res, chunk(toolDelta({ id: "c1", name: "execute", arguments: code })), chunk({}, "tool_calls"))
      if (n === 2) return sse(res, ...[code.slice(0, 9), code.slice(9)].map((piece) => chunk(toolDelta({ index: 0, id: "c2", name: "execute", arguments: piece }))), chunk({}, "tool_calls"))
      if (n === 3) return sse(res, chunk({ content: "42" }, "stop"))
      sse(res, chunk({ content: "let me see" }), chunk({}, "tool_calls"))
    })
    try {
      const { agent, events } = await agentWith({ baseURL: endpoint.url })
      expect((await agent.send("hi")).text).toBe("42")
      expect(ofType(events, "tool-call").map((e) => [e.id, e.name, e.arguments])).toEqual([
        ["c1", "execute", { code: "return 41+1" }],
        ["c2", "execute", { code: "return 41+1" }],
      ])
      expect(ofType(events, "tool-result").map((e) => e.text.split("\n")[0])).toEqual(["42", "42"])
      const error = await agent.send("again").catch((e: unknown) => e)
      expect(CodeModeError.is(error, "MODEL_FAILED")).toBe(true)
      expect((error as Error).message).toMatch(/finish_reason "tool_calls"\) but no tool call came; received text "let me see"/)
    } finally {
      await endpoint.close()
    }
  })

  it("gives calls sent without an id ids of their own, unique across turns and tasks, streamed or not", async () => {
    for (const stream of [true, false]) {
      const calls = [{ name: "execute", id: "", arguments: { code: "return 'A'" } }, { name: "execute", id: "", arguments: { code: "return 'B'" } }]
      model.play([{ toolCalls: calls }, { toolCalls: calls }, { text: "done" }, { toolCalls: calls }, { text: "done" }])
      const { agent } = await agentWith({ stream })
      await agent.send("hi")
      await agent.send("again")
      const conversation = agent.messages()
      const ids = conversation.flatMap((m) => (m.role === "assistant" ? (m.tool_calls ?? []).map((c) => c.id) : []))
      expect(ids).toHaveLength(6)
      expect(new Set(ids).size).toBe(6)
      expect(ids.every(Boolean)).toBe(true)
      expect(conversation.flatMap((m) => (m.role === "tool" ? [m.tool_call_id] : []))).toEqual(ids)
    }
  })

  it("reports a reply cut by the model's length limit, and tells the model its cut arguments were cut", async () => {
    const endpoint = await rawEndpoint((n, res) => {
      if (n === 1) return sse(res, chunk(toolDelta({ index: 0, id: "c1", name: "execute", arguments: '{"code":"return [1, 2' })), chunk({}, "length"))
      sse(res, chunk({ content: "The three open items are: 1. mil" }, "length"))
    })
    try {
      const { agent, events } = await agentWith({ baseURL: endpoint.url })
      expect(await agent.send("hi")).toMatchObject({ text: "The three open items are: 1. mil", stopped: "length", turns: 2 })
      expect(ofType(events, "done")[0]).toMatchObject({ stopped: "length" })
      const result = ofType(events, "tool-result")[0]!
      expect(result).toMatchObject({ isError: true })
      expect(result.text).toMatch(/the model's output was cut by its length limit inside the arguments of execute/)
      expect(result.text).not.toMatch(/quoted/)
    } finally {
      await endpoint.close()
    }
  })

  it("retries (and says so) as the client does: 408 and connection errors too, not what x-should-retry: false stops", async () => {
    model.play([{ status: 408 }, { text: "ok" }])
    const first = await agentWith()
    expect((await first.agent.send("hi")).text).toBe("ok")
    expect(ofType(first.events, "retry")).toMatchObject([{ status: 408, attempt: 1 }])

    const sent = model.requests.length
    model.play(() => {
      throw new Error("boom") // a 500 with x-should-retry: false
    })
    const second = await agentWith()
    await expect(second.agent.send("hi")).rejects.toMatchObject({ code: "MODEL_FAILED" })
    expect(model.requests.length - sent).toBe(1)
    expect(ofType(second.events, "retry")).toEqual([])

    const closed = createNetServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const third = await agentWith({ baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 1 })
    await expect(third.agent.send("hi")).rejects.toMatchObject({ code: "MODEL_FAILED" })
    expect(ofType(third.events, "retry")).toMatchObject([{ attempt: 1, error: expect.stringMatching(/ECONNREFUSED/) }])
    expect(ofType(third.events, "retry")[0]!.status).toBeUndefined()
  })

  it("leaves no listener on the task's signal, however many turns", async () => {
    model.play([...Array.from({ length: 12 }, () => ({ toolCalls: [{ name: "execute", arguments: { code: "return 1" } }] })), { text: "done" }])
    const task = new AbortController()
    const { agent } = await agentWith({ maxTurns: 20 })
    expect((await agent.send("hi", { signal: task.signal })).turns).toBe(13)
    expect(getEventListeners(task.signal, "abort")).toHaveLength(0)
  })
})

describe("the conversation", () => {
  it("stays whole when a listener throws: the error is reported once and the task goes on", async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.message)
    process.on("warning", onWarning)
    try {
      for (const bad of ["text", "tool-result"]) {
        model.play([{ text: "ok", toolCalls: [{ name: "execute", arguments: { code: "return 1" } }] }, { text: "done" }])
        const agent = await cm.agent({ baseURL: model.url, model: "scripted", onEvent: (e) => {
          if (e.type === bad) throw new Error(`listener bug on ${bad}`)
        } })
        expect((await agent.send("hi")).text).toBe("done")
        expect(agent.messages().map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "assistant"])
      }
      await new Promise((resolve) => setImmediate(resolve))
      expect(warnings).toEqual([expect.stringMatching(/listener threw on a "text" event \(Error: listener bug on text\)/), expect.stringMatching(/"tool-result" event/)])
    } finally {
      process.off("warning", onWarning)
    }
  })

  it("answers every call of a turn, run or not, when the task is cancelled mid-turn", async () => {
    const task = new AbortController()
    model.play([{ toolCalls: [{ name: "execute", arguments: { code: "return 1" } }, { name: "execute", arguments: { code: "return 2" } }] }])
    const { agent } = await agentWith({ onEvent: (e) => e.type === "tool-result" && task.abort() })
    await expect(agent.send("hi", { signal: task.signal })).rejects.toMatchObject({ code: "ABORTED" })
    const conversation = agent.messages()
    expect(conversation.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "tool"])
    expect(conversation.at(-1)).toMatchObject({ content: expect.stringMatching(/not run/) })
  })

  it("a task that fails before any reply leaves the conversation as it was; messages() is a copy", async () => {
    model.play([]) // the scripted model answers 400: no turn
    const { agent } = await agentWith()
    await expect(agent.send("hi")).rejects.toMatchObject({ code: "MODEL_FAILED" })
    const conversation = agent.messages() as ChatMessage[]
    expect(conversation.map((m) => m.role)).toEqual(["system"])
    conversation.push({ role: "user", content: "not sent" })
    expect(agent.messages()).toHaveLength(1)
  })
})

describe("approval events", () => {
  const ASK = { policy: { rules: [{ tool: "demo.addTodo", action: "ask" as const }] } }
  const ADD = { toolCalls: [{ name: "execute", arguments: { code: "return (await codemode.demo.addTodo({ text: 'x' })).text" } }] }

  it("come from the instance's own approver too", async () => {
    const own = await createCodeMode({ sources: [demoSource()], typecheck: "off", onApproval: async () => "approve", ...ASK })
    try {
      model.play([ADD, { text: "done" }])
      const events: AgentEvent[] = []
      const agent = await own.agent({ baseURL: model.url, model: "scripted", onEvent: (e) => events.push(e) })
      await agent.send("hi")
      expect(ofType(events, "approval")).toMatchObject([{ tool: "demo.addTodo", args: { text: "x" }, decision: "approve", reason: expect.stringMatching(/ask/) }])
      expect(ofType(events, "tool-result")[0]!.text).toMatch(/^x/)
    } finally {
      await own.close()
    }
  })

  it("say timeout, not approve, for an answer that came after the timeout", async () => {
    const slow = await createCodeMode({ sources: [demoSource()], typecheck: "off", approvalTimeoutMs: 200, ...ASK })
    try {
      model.play([ADD, { text: "done" }])
      const events: AgentEvent[] = []
      const late = () => new Promise<"approve">((resolve) => setTimeout(() => resolve("approve"), 600))
      const agent = await slow.agent({ baseURL: model.url, model: "scripted", onApproval: late, onEvent: (e) => events.push(e) })
      await agent.send("hi")
      expect(ofType(events, "approval")).toMatchObject([{ tool: "demo.addTodo", decision: "timeout" }])
      expect(ofType(events, "tool-result")[0]).toMatchObject({ isError: true })
    } finally {
      await slow.close()
    }
  })
})

describe("the scripted model", () => {
  it("keeps a turn's text beside its tool calls in every format", async () => {
    const turn = { text: "Let me look.", toolCalls: [{ name: "execute", arguments: { code: "return 1" } }] }
    model.play([turn, turn, turn])
    for (const [path, body] of [["/chat/completions", { messages: [] }], ["/responses", { input: [] }], ["/messages", { messages: [] }]] as const) {
      const answer = await (await fetch(model.url + path, { method: "POST", body: JSON.stringify(body) })).text()
      expect(answer, path).toContain("Let me look.")
      expect(answer, path).toContain("return 1")
    }
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
