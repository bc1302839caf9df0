/** `codemode search "<query>"`: the ranked functions for a task, as the MCP `search` tool finds them. */
import { Command } from "commander"
import { codemodeError } from "../errors.js"
import type { CodeMode, SearchResult } from "../runtime/codemode.js"
import { readProgram } from "./input.js"
import { reportHostFailure } from "./session.js"
import { configFromFlags, type SourceFlags } from "./sources.js"

interface SearchFlags extends SourceFlags {
  limit: string
  detail: string
  json?: boolean
  code?: string
}

/** Runs `body` with a codemode instance of `flags` (sources, and the config's search settings), then closes it. */
async function withSearch(flags: SourceFlags, body: (cm: CodeMode) => Promise<void>): Promise<void> {
  const { createCodeMode } = await import("../runtime/codemode.js") // not loaded by `--help`
  const config = await configFromFlags(flags)
  const cm = await createCodeMode({ sources: config.sources, ...(config.search ? { search: config.search } : {}) })
  try {
    await body(cm)
  } finally {
    await cm.close()
  }
}

const warn = (result: SearchResult) => {
  for (const warning of result.ok ? (result.warnings ?? []) : []) process.stderr.write(`${warning}\n`)
}

function checkFlags(flags: SearchFlags): { limit: number; detail: "compact" | "full" } {
  const limit = Number(flags.limit)
  if (!Number.isInteger(limit) || limit < 1) {
    throw codemodeError("CONFIG_INVALID", "cli", `--limit must be a positive integer, got ${JSON.stringify(flags.limit)}`)
  }
  if (flags.detail !== "compact" && flags.detail !== "full") {
    throw codemodeError("CONFIG_INVALID", "cli", `--detail must be compact or full, got ${JSON.stringify(flags.detail)}`)
  }
  return { limit, detail: flags.detail }
}

/** `--code`: a search program over the catalog, run in the sandbox; prints what the MCP `search` tool would say, or the result as JSON. */
async function codeSearch(program: string, flags: SearchFlags): Promise<void> {
  const { limit, detail } = checkFlags(flags)
  const code = program === "-" ? await readProgram("-") : program
  await withSearch(flags, async (cm) => {
    const result = await cm.search({ code, limit, detail })
    warn(result)
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    else {
      const { codeSearchText } = await import("../server/code-search-text.js")
      const { text, isError } = codeSearchText(result)
      process.stdout.write(`${text}\n`)
      if (isError) process.exitCode = 1
    }
  })
}

async function search(query: string, flags: SearchFlags): Promise<void> {
  const { limit, detail } = checkFlags(flags)
  await withSearch(flags, async (cm) => printHits(cm, query, limit, detail, flags))
}

async function printHits(cm: CodeMode, query: string, limit: number, detail: "compact" | "full", flags: SearchFlags): Promise<void> {
  const catalog = cm.catalog()
  // With --openapi, --namespace names that source (so the filter keeps all of it); with --config it selects one.
  const namespace = flags.namespace !== undefined && flags.openapi === undefined ? flags.namespace : undefined
  if (namespace !== undefined && !catalog.namespaces.some((n) => n.name === namespace)) {
    throw codemodeError("CONFIG_INVALID", "cli", `no namespace "${namespace}"; namespaces: ${catalog.namespaces.map((n) => n.name).join(", ")}`)
  }
  const result = await cm.search({ query, limit, detail, ...(namespace === undefined ? {} : { namespace }) })
  warn(result)
  const hits = result.ok ? result.hits : []
  if (flags.json) {
    const results = hits.map((h, i) => ({
      rank: i + 1,
      name: h.name,
      namespace: h.namespace,
      ...(h.operationId === undefined ? {} : { operationId: h.operationId }),
      score: Math.round(h.score * 1000) / 1000,
      relevance: Math.round(h.relevance * 1000) / 1000,
      good: h.good,
      detail: h.detail,
      signature: h.signature,
    }))
    process.stdout.write(`${JSON.stringify({ query, results }, null, 2)}\n`)
    return
  }
  if (hits.length === 0) {
    process.stdout.write(`no match for "${query}" among ${catalog.tools.length} functions\n`)
    return
  }
  if (!hits.some((h) => h.good)) process.stdout.write(`no good match for "${query}"; closest:\n\n`)
  const blocks = hits.map((h, i) => `${i + 1}. ${h.name}${h.operationId === undefined ? "" : `  (operationId ${h.operationId})`}\n${h.signature}`)
  process.stdout.write(`${blocks.join("\n\n")}\n`)
}

export function searchCommand(): Command {
  return new Command("search")
    .description("find the functions for a task: ranked matches as TypeScript signatures (what the MCP `search` tool returns)")
    .argument("[query]", 'the task in plain words, e.g. "create a DNS record"')
    .option("--openapi <spec>", "OpenAPI 3.x spec (file or URL, JSON or YAML, .gz ok)")
    .option("-c, --config <file>", "codemode.json (or a Claude Desktop / Cursor config with mcpServers)")
    .option("--namespace <ns>", "namespace of the --openapi tools; with --config only, search just this namespace")
    .option("--limit <n>", "number of results", "5")
    .option("--detail <level>", "compact: the best result in full, the others on one line; full: all in full", "compact")
    .option("--code <program>", "instead of a query: JavaScript over `tools` (every function's namespace, name, summary, description, method, path, tags, parameters) returning the ones to show; - reads it from standard input")
    .option("--json", "print { query, results: [{ rank, name, namespace, operationId, score, relevance, good, detail, signature }] } (with --code: { ok, hits, matched, value?, logs, error? })")
    .action(async (query: string | undefined, flags: SearchFlags) => {
      try {
        if ((query === undefined) === (flags.code === undefined)) throw codemodeError("CONFIG_INVALID", "cli", "give a query or --code <program>, not both")
        if (flags.code !== undefined) await codeSearch(flags.code, flags)
        else await search(query as string, flags)
      } catch (error) {
        reportHostFailure(error)
      }
    })
}
