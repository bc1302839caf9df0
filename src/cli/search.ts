/** `codemode search "<query>"`: the ranked functions for a task, as the MCP `search` tool finds them. */
import { Command } from "commander"
import { codemodeError } from "../errors.js"
import type { CatalogSearchOptions } from "../runtime/catalog.js"
import type { CodeMode } from "../runtime/codemode.js"
import { reportHostFailure, withCodeMode, type SessionFlags } from "./session.js"
import { addSourceFlags } from "./sources.js"

interface SearchFlags extends SessionFlags {
  limit: string
  detail: string
  json?: boolean
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

function printHits(cm: CodeMode, query: string, options: CatalogSearchOptions, flags: SearchFlags): void {
  const hits = cm.search(query, options)
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
    .argument("<query>", 'the task in plain words, e.g. "create a DNS record"')
  return addSourceFlags(command)
    .option("--limit <n>", "number of results", "5")
    .option("--detail <level>", "compact: the best result in full, the others on one line; full: all in full", "compact")
    .option("--json", "print { query, results: [{ rank, name, namespace, operationId, score, relevance, good, detail, signature }] }")
    .action(async (query: string, flags: SearchFlags) => {
      let options: CatalogSearchOptions
      try {
        options = searchOptions(flags)
      } catch (error) {
        return reportHostFailure(error)
      }
      await withCodeMode(
        flags,
        async (cm) => {
          printHits(cm, query, options, flags)
          return 0
        },
        { governance: false },
      )
    })
}
