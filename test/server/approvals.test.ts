/**
 * Approvals over MCP, end to end against a real HTTP API (side effects counted at the orders server):
 * a client that can elicit is asked inline; one that cannot gets a paused result and `resume`.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { ElicitRequestSchema, type ElicitRequest, type ElicitResult } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest"
import type { Policy } from "../../src/runtime/policy.js"
import { listenHttp, type HttpEndpoint } from "../../src/server/http.js"
import { createCodeModeServer, type CodeModeServer } from "../../src/server/server.js"
import { openapi } from "../../src/tools/openapi/index.js"
import { startOrdersServer, type OrdersServer } from "../fixtures/orders/server.js"
import { connect, textOf } from "./helpers.js"

const ASK_DELETE: Policy = { rules: [{ tool: "orders.deleteOrder", action: "ask" }] }

/** Lists, deletes order `id`, lists again: the delete needs approval under ASK_DELETE. */
const deleteOne = (id: number) =>
  [
    "const before = await codemode.orders.listOrders()",
    `await codemode.orders.deleteOrder({ id: ${id} })`,
    "const after = await codemode.orders.listOrders()",
    `return { had: before.some((o) => o.id === ${id}), has: after.some((o) => o.id === ${id}) }`,
  ].join("\n")
const DELETED = /^\{"had":true,"has":false\}/

const catchDelete = (id: number) => `try { await codemode.orders.deleteOrder({ id: ${id} }); return "deleted" } catch (e) { return "caught: " + e.message }`

/** Short, so that an unanswered question is denied within the test; long enough for an in-memory answer. */
const APPROVAL_TIMEOUT_MS = 3_000

const TOKEN = /resumeToken: (cmr1\.[\w-]+\.[\w-]+)/

// One API and one server for the file (loading a sandbox per test is slow on shared cores); each
// test deletes an order of its own and counts only the requests made since it started.
let orders: OrdersServer
let asking: CodeModeServer
const clients: Client[] = []
let nextOrder = 100
let mark = 0

beforeAll(async () => {
  orders = await startOrdersServer()
  asking = await createCodeModeServer({ sources: [openapi("orders", { spec: orders.specUrl })], policy: ASK_DELETE, approvalTimeoutMs: APPROVAL_TIMEOUT_MS })
})
afterAll(async () => {
  await asking?.close()
  await orders?.close()
})
beforeEach(() => {
  mark = orders.requests.length
})
const closeClients = () => Promise.allSettled(clients.splice(0).map((c) => c.close()))
afterEach(closeClients)

/** A fresh order (put straight into the API's store, not through a request); its id. */
function newOrder(item = "tea"): number {
  const id = nextOrder++
  orders.orders.set(id, { id, item })
  return id
}

/** How many requests matching "METHOD /path" reached the API since the test started. */
const sent = (request: string) => orders.requests.slice(mark).filter((r) => r === request).length

/** Answers every elicitation with `answer` and records the questions. */
function answerElicitations(client: Client, answer: ElicitResult): ElicitRequest["params"][] {
  const asked: ElicitRequest["params"][] = []
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params)
    return answer
  })
  return asked
}

type Capabilities = { elicitation?: Record<string, unknown> }

async function inMemory(capabilities: Capabilities = {}): Promise<Client> {
  const client = await connect(asking, { capabilities })
  clients.push(client)
  return client
}

async function overHttp(url: string, capabilities: Capabilities = {}): Promise<Client> {
  const client = new Client({ name: "http-approvals", version: "0" }, { capabilities })
  await client.connect(new StreamableHTTPClientTransport(new URL(url)))
  clients.push(client)
  return client
}

const execute = (client: Client, code: string) => client.callTool({ name: "execute", arguments: { code } })
const resume = (client: Client, args: Record<string, unknown>) => client.callTool({ name: "resume", arguments: args })

function tokenOf(result: unknown): string {
  const match = TOKEN.exec(textOf(result))
  if (!match?.[1]) throw new Error(`no resume token in: ${textOf(result)}`)
  return match[1]
}

describe("approvals by elicitation", () => {
  it("asks a client that can elicit, naming the tool and its arguments; approved, the call is made once", async () => {
    const id = newOrder()
    const client = await inMemory({ elicitation: {} })
    const asked = answerElicitations(client, { action: "accept", content: { approve: true } })
    const result = await execute(client, deleteOne(id))
    expect(result.isError).toBeFalsy()
    expect(textOf(result)).toMatch(DELETED)
    expect(asked).toHaveLength(1) // the reads are allowed without asking
    expect(asked[0]?.message).toContain(`orders.deleteOrder({"id":${id}})`)
    expect(asked[0]?.message).toContain('rules[0] {tool:"orders.deleteOrder"} → ask')
    expect(sent(`DELETE /orders/${id}`)).toBe(1)
  })

  it("a declined elicitation denies the call: the program can catch it and nothing reaches the API", async () => {
    const id = newOrder()
    const client = await inMemory({ elicitation: {} })
    const asked = answerElicitations(client, { action: "decline" })
    const result = await execute(client, catchDelete(id))
    expect(asked).toHaveLength(1)
    expect(result.isError).toBeFalsy()
    expect(textOf(result)).toMatch(new RegExp(`^caught: codemode\\.orders\\.deleteOrder\\(\\{"id":${id}\\}\\) was denied by the approver`))
    expect(sent(`DELETE /orders/${id}`)).toBe(0)
    expect(orders.orders.has(id)).toBe(true)
  })

  it("accepting the form with approve:false is a no as well; uncaught, the run fails", async () => {
    const id = newOrder()
    const client = await inMemory({ elicitation: {} })
    answerElicitations(client, { action: "accept", content: { approve: false } })
    const result = await execute(client, `await codemode.orders.deleteOrder({ id: ${id} })\nreturn "deleted"`)
    expect(result.isError).toBe(true)
    expect(textOf(result)).toContain("was denied by the approver")
    expect(sent(`DELETE /orders/${id}`)).toBe(0)
  })

  it("an unanswered question is denied after approvalTimeoutMs, however long the SDK would wait", async () => {
    const elicit = vi.spyOn(Server.prototype, "elicitInput")
    try {
      const id = newOrder()
      const client = await inMemory({ elicitation: {} })
      client.setRequestHandler(ElicitRequestSchema, () => new Promise<ElicitResult>(() => undefined)) // a user who never answers
      const started = Date.now()
      const result = await execute(client, catchDelete(id))
      expect(Date.now() - started).toBeGreaterThanOrEqual(APPROVAL_TIMEOUT_MS)
      expect(textOf(result)).toMatch(/^caught: .*was not approved in time \(denied\)/)
      expect(sent(`DELETE /orders/${id}`)).toBe(0)
      // A person may take minutes: the SDK's own request timeout (60 s by default) must not cut the question short.
      expect(elicit.mock.calls[0]?.[1]?.timeout).toBeGreaterThanOrEqual(APPROVAL_TIMEOUT_MS)
    } finally {
      elicit.mockRestore()
    }
  })

  it("a client that declares only URL elicitation is not asked by form: the run pauses instead of being denied", async () => {
    const id = newOrder()
    const client = await inMemory({ elicitation: { url: {} } })
    const result = await execute(client, deleteOne(id))
    expect(textOf(result)).toMatch(/^PAUSED: 1 call needs approval/)
    expect(sent(`DELETE /orders/${id}`)).toBe(0)
  })
})

describe("approvals by resume (no elicitation)", () => {
  it("pauses, resumes once with approve, answers a second resume with the settled result", async () => {
    const id = newOrder()
    const client = await inMemory()
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["execute", "resume"])
    const paused = await execute(client, deleteOne(id))
    expect(paused.isError).toBeFalsy()
    const text = textOf(paused)
    expect(text).toMatch(/^PAUSED: 1 call needs approval/)
    expect(text).toContain(`- c1: codemode.orders.deleteOrder({"id":${id}})`)
    expect(sent(`DELETE /orders/${id}`)).toBe(0)
    expect(sent("GET /orders")).toBe(1)

    const token = tokenOf(paused)
    const done = await resume(client, { token, decision: "approve" })
    expect(done.isError).toBeFalsy()
    expect(textOf(done)).toMatch(DELETED)
    expect(sent(`DELETE /orders/${id}`)).toBe(1)
    expect(sent("GET /orders")).toBe(2) // the first list was replayed from the journal

    const again = await resume(client, { token, decision: "approve" })
    expect(again.isError).toBeFalsy()
    expect(textOf(again)).toBe(textOf(done))
    expect(sent(`DELETE /orders/${id}`)).toBe(1)
    expect(sent("GET /orders")).toBe(2)
  })

  it("refuses a tampered token with RESUME_INVALID's message and runs nothing", async () => {
    const id = newOrder()
    const client = await inMemory()
    const token = tokenOf(await execute(client, deleteOne(id)))
    const [prefix, payload = "", signature] = token.split(".")
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>
    const forged = [prefix, Buffer.from(JSON.stringify({ ...claims, pause: 2 })).toString("base64url"), signature].join(".")
    const result = await resume(client, { token: forged, decision: "approve" })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/^\[codemode\] \[runs\] invalid resume token: the signature does not match/)
    const garbage = await resume(client, { token: "not-a-token", decision: "approve" })
    expect(garbage.isError).toBe(true)
    expect(textOf(garbage)).toContain("invalid resume token: not a codemode resume token")
    expect(sent(`DELETE /orders/${id}`)).toBe(0)
  })

  it("denied by resume, the program sees the denial and the API never gets the call", async () => {
    const id = newOrder()
    const client = await inMemory()
    const token = tokenOf(await execute(client, catchDelete(id)))
    const result = await resume(client, { token, decisions: { c0: "deny" } })
    expect(result.isError).toBeFalsy()
    expect(textOf(result)).toMatch(/^caught: .*was denied by the approver/)
    expect(sent(`DELETE /orders/${id}`)).toBe(0)
  })

  it("Promise.all of list + delete + create: one pending call; after approve every request reached the API once", async () => {
    const id = newOrder()
    const client = await inMemory()
    const code = [
      "const [list, gone, created] = await Promise.all([",
      "  codemode.orders.listOrders(),",
      `  codemode.orders.deleteOrder({ id: ${id} }),`,
      '  codemode.orders.createOrder({ body: { item: "scone" } }),',
      "])",
      `return { listed: list.some((o) => o.id === ${id}), gone, created: created.item }`,
    ].join("\n")
    const paused = await execute(client, code)
    const text = textOf(paused)
    expect(text).toMatch(/^PAUSED: 1 call needs approval/)
    expect(text.match(/^- c\d+: .*$/gm)).toEqual([expect.stringMatching(new RegExp(`^- c1: codemode\\.orders\\.deleteOrder\\(\\{"id":${id}\\}\\)`))])
    expect(sent(`DELETE /orders/${id}`)).toBe(0)

    const done = await resume(client, { token: tokenOf(paused), decision: "approve" })
    expect(done.isError).toBeFalsy()
    expect(textOf(done)).toMatch(/^\{"listed":true,"gone":null,"created":"scone"\}/)
    expect(orders.requests.slice(mark).sort()).toEqual([`DELETE /orders/${id}`, "GET /orders", "POST /orders"])
  })
})

describe("approvals over Streamable HTTP", () => {
  let safe: CodeModeServer | undefined
  let http: HttpEndpoint | undefined
  afterEach(async () => {
    await closeClients() // before the endpoint, so that they can end their sessions
    await http?.close()
    await safe?.close()
  })

  it('preset "safe": reads run unasked, writes are elicited over HTTP; a paused run resumes in another session', async () => {
    safe = await createCodeModeServer({ sources: [openapi("orders", { spec: orders.specUrl })], policy: "safe" })
    http = await listenHttp(safe, { port: 0 })
    const eliciting = await overHttp(http.url, { elicitation: {} })
    const asked = answerElicitations(eliciting, { action: "accept", content: { approve: true } })
    const created = await execute(eliciting, 'const all = await codemode.orders.listOrders()\nconst o = await codemode.orders.createOrder({ body: { item: "pie" } })\nreturn [all.length > 0, o.item]')
    expect(textOf(created)).toMatch(/^\[true,"pie"\]/)
    expect(asked.map((a) => a.message)).toEqual([expect.stringContaining('orders.createOrder({"body":{"item":"pie"}}). preset safe: default → ask.')])
    expect(sent("POST /orders")).toBe(1)

    const id = newOrder()
    const plain = await overHttp(http.url)
    const paused = await execute(plain, deleteOne(id))
    expect(textOf(paused)).toContain("preset safe: default → ask")
    expect(sent(`DELETE /orders/${id}`)).toBe(0)
    const other = await overHttp(http.url) // another session of the same server: the token is all it needs
    const done = await resume(other, { token: tokenOf(paused), decision: "approve" })
    expect(textOf(done)).toMatch(DELETED)
    expect(sent(`DELETE /orders/${id}`)).toBe(1)
    expect(sent("POST /orders")).toBe(1)
  })
})
