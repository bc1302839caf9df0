/** `codemode search "<query>"`: the ranked functions for a task, as the MCP `search` tool finds them. */
import { Command } from "commander"
import { codemodeError } from "../errors.js"
import type { CatalogSearchOptions } from "../runtime/catalog.js"
import type { CodeMode, SearchResult } from "../runtime/codemode.js"
import { readProgram } from "./input.js"
import { reportHostFailure, withCodeMode, type SessionFlags } from "./session.js"
import { addSourceFlags } from "./sources.js"

interface SearchFlags extends SessionFlags {
  limit: string
  detail: string
  json?: boolean
  code?: string
}

/** `--limit` and `--detail` as search options; throws `CONFIG_INVALID` for a bad value. */
function searchOptions(flags: SearchFlags): Required<Pick<CatalogSearchOptions, "limit" | "detail">> {
  const limit = Number(flags.limit)
  if (!Number.isInteger(limit) || limit < 1) {
    throw codemodeError("CONFIG_INVALID", "cli", `--limit must be a positive integer, got ${JSON.stringify(flags.limit)}`)
  }
  if (flags.detail !== "compact" && flags.detail !== "full") {
    throw codemodeError("CONFIG_INVALID", "cli", `--detail must be compact or full, got ${JSON.stringify(flags.detail)}`)
  }
  return { limit, detail: flags.detail }
}

/** The warnings of a search (embeddings down: ranked lexically) go to stderr. */
function warn(result: SearchResult): void {
  for (const warning of result.ok ? (result.warnings ?? []) : []) process.stderr.write(`${warning}\n`)
}

/** `--code`: a search program over the catalog, run in the sandbox; prints what the MCP `search` tool would say, or the result as JSON. */
async function printCodeSearch(cm: CodeMode, code: string, options: CatalogSearchOptions, flags: SearchFlags): Promise<number> {
  const result = await cm.search({ code, ...options })
  warn(result)
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    return result.ok ? 0 : 1
  }
  const { codeSearchText } = await import("../server/code-search-text.js")
  const { text, isError } = codeSearchText(result)
  process.stdout.write(`${text}\n`)
  return isError ? 1 : 0
}

async function printHits(cm: CodeMode, query: string, options: CatalogSearchOptions, flags: SearchFlags): Promise<void> {
  const result = await cm.search({ query, ...options }) // ranked with the config's embeddings when it has them
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
    process.stdout.write(`no match for "${query}" among ${cm.tools().length} functions\n`)
    return
  }
  if (!hits.some((h) => h.good)) process.stdout.write(`no good match for "${query}"; closest:\n\n`)
  const blocks = hits.map((h, i) => `${i + 1}. ${h.name}${h.operationId === undefined ? "" : `  (operationId ${h.operationId})`}\n${h.signature}`)
  process.stdout.write(`${blocks.join("\n\n")}\n`)
}

export function searchCommand(): Command {
  const command = new Command("search")
    .description("find the functions for a task: ranked matches as TypeScript signatures (what the MCP `search` tool returns)")
    .argument("[query]", 'the task in plain words, e.g. "create a DNS record"')
  return addSourceFlags(command)
    .option("--limit <n>", "number of results", "5")
    .option("--detail <level>", "compact: the best result in full, the others on one line; full: all in full", "compact")
    .option("--code <program>", "instead of a query: JavaScript over `tools` (every function's namespace, name, summary, description, method, path, tags, parameters) returning the ones to show; - reads it from standard input")
    .option("--json", "print { query, results: [{ rank, name, namespace, operationId, score, relevance, good, detail, signature }] } (with --code: { ok, hits, matched, value?, logs, error? })")
    .action(async (query: string | undefined, flags: SearchFlags) => {
      let options: CatalogSearchOptions
      let code: string | undefined
      try {
        if ((query === undefined) === (flags.code === undefined)) throw codemodeError("CONFIG_INVALID", "cli", "give a query or --code <program>, not both")
        options = searchOptions(flags)
        code = flags.code === "-" ? await readProgram("-") : flags.code
      } catch (error) {
        return reportHostFailure(error)
      }
      await withCodeMode(
        flags,
        async (cm) => {
          if (code !== undefined) return printCodeSearch(cm, code, options, flags)
          await printHits(cm, query as string, options, flags)
          return 0
        },
        { governance: false },
      )
    })
}
