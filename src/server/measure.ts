/**
 * What a client pays in context for a codemode server, measured through a real MCP client over an
 * in-memory transport: the exact `tools/list` JSON (the fixed context), and the typical cost of one
 * task — one `search` call with its result plus one `execute` call that calls the best hit.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { CallToolResult, Tool as McpTool } from "@modelcontextprotocol/sdk/types.js"
import { tokenizer } from "../lazy.js"
import type { JSONSchema, Tool } from "../tools/tool.js"
import type { CodeModeServer } from "./server.js"

/** Options of {@link measureContext}. */
export interface MeasureOptions {
  /** Task queries. Default: the first sentence of the descriptions of `samples` tools spread evenly over the catalog. */
  queries?: string[]
  /** Number of sampled tools when `queries` is not given. Default 20. */
  samples?: number
}

/** One measured task. */
export interface TaskMeasure {
  query: string
  /** Tokens of the `search` call (name + arguments JSON) and its result text; 0 when there is no search tool. */
  searchTokens: number
  /** Tokens of the `execute` call (name + arguments JSON) calling the best hit. */
  executeTokens: number
  /** The function the execute call uses, `namespace.name`. */
  tool?: string
}

export interface ContextMeasure {
  /** `JSON.stringify` of the tools array of `tools/list`, exactly as the client received it. */
  toolsList: string
  /** o200k tokens of `toolsList`. */
  fixedTokens: number
  /** Mean of search + execute tokens over the tasks, rounded. */
  perTaskTokens: number
  tasks: TaskMeasure[]
}

function firstSentence(text: string): string {
  // the OpenAPI source puts a "Deprecated." paragraph before a deprecated operation's summary
  const line = text.trim().replace(/^deprecated\.?\s*\n\s*/i, "").split("\n")[0] ?? ""
  return (/^.*?[.!?](\s|$)/.exec(line)?.[0] ?? line).trim()
}

/** Queries a user might type: each sampled tool's summary, or its name in words. */
function sampleQueries(tools: readonly Tool[], samples: number): string[] {
  const step = Math.max(1, Math.floor(tools.length / samples))
  const picked: string[] = []
  for (let i = 0; i < tools.length && picked.length < samples; i += step) {
    const tool = tools[i] as Tool
    const summary = tool.description ? firstSentence(tool.description) : ""
    picked.push(summary || tool.name.replace(/[_-]+/g, " "))
  }
  return picked
}

const PLACEHOLDERS: Record<string, unknown> = { string: "x", number: 1, integer: 1, boolean: true, array: [], object: {} }

/** The required top-level arguments with a placeholder of their type: the smallest plausible call. */
function requiredArgs(schema: JSONSchema | undefined): Record<string, unknown> {
  if (typeof schema !== "object" || schema === null) return {}
  const props = (schema.properties ?? {}) as Record<string, { type?: unknown }>
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : []
  return Object.fromEntries(required.map((k) => [k, PLACEHOLDERS[String(props[k]?.type)] ?? "x"]))
}

const countTokens = (text: string): number => tokenizer().countTokens(text)
const callTokens = (name: string, args: unknown): number => countTokens(JSON.stringify({ name, arguments: args }))
const resultText = (result: CallToolResult): string => result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")

/** Measures `server` as a client sees it. Read-only: `execute` is never called. */
export async function measureContext(server: CodeModeServer, options: MeasureOptions = {}): Promise<ContextMeasure> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  const session = server.createSession()
  await session.connect(serverSide)
  const client = new Client({ name: "codemode-measure", version: "0" })
  try {
    await client.connect(clientSide)
    const listed: McpTool[] = (await client.listTools()).tools
    const toolsList = JSON.stringify(listed)
    const tools = server.tools()
    const byId = new Map(tools.map((t) => [`${t.namespace}.${t.name}`, t]))
    const hasSearch = listed.some((t) => t.name === "search")
    const queries = options.queries ?? sampleQueries(tools, options.samples ?? 20)
    const tasks: TaskMeasure[] = []
    for (const [i, query] of queries.entries()) {
      let searchTokens = 0
      let target: Tool | undefined
      if (hasSearch) {
        const result = (await client.callTool({ name: "search", arguments: { query } })) as CallToolResult
        const text = resultText(result)
        searchTokens = callTokens("search", { query }) + countTokens(text)
        // the best match's declaration, or the first one-line signature (the closest when nothing matches well)
        const declared = /declare namespace codemode\.(\w+)[\s\S]*?function (\w+)\(/.exec(text)
        const line = /codemode\.(\w+)\.(\w+)\(/.exec(text)
        const [, ns, fn] = declared ?? line ?? []
        target = ns && fn ? byId.get(`${ns}.${fn}`) : undefined
      } else {
        target = tools[Math.floor((i * tools.length) / Math.max(1, queries.length))]
      }
      const call = target ? `codemode.${target.namespace}.${target.name}(${JSON.stringify(requiredArgs(target.inputSchema))})` : "undefined"
      const code = `const result = await ${call}\nreturn result`
      tasks.push({ query, searchTokens, executeTokens: callTokens("execute", { code }), ...(target ? { tool: `${target.namespace}.${target.name}` } : {}) })
    }
    const total = tasks.reduce((sum, t) => sum + t.searchTokens + t.executeTokens, 0)
    return { toolsList, fixedTokens: countTokens(toolsList), perTaskTokens: tasks.length ? Math.round(total / tasks.length) : 0, tasks }
  } finally {
    await client.close().catch(() => undefined)
    await session.close().catch(() => undefined)
  }
}
