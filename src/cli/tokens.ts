/**
 * `codemode tokens`: what the tools cost a model naively (one MCP tool per operation) versus
 * through `codemode serve` (its exact tools/list, and one search + one execute per task).
 */
import { readFile } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import { Command } from "commander"
import type { SourceNaive } from "../catalog/tokens.js"
import { codemodeError } from "../errors.js"
import { toIdentifier } from "../tools/identifiers.js"
import type { Tool } from "../tools/tool.js"
import { reportHostFailure } from "./session.js"
import { DEFAULT_OPENAPI_NAMESPACE, sourcesFromFlags, type SourceFlags } from "./sources.js"

interface TokensFlags extends SourceFlags {
  json?: boolean
  budget?: string
}

interface RawSpec {
  spec: string
  /** The entry narrows the operations with include/exclude: count only the ones served. */
  filtered: boolean
}

/** The raw spec of every OpenAPI source, by namespace: the naive list is built from it, not from our tools. */
async function rawSpecs(flags: SourceFlags): Promise<Map<string, RawSpec>> {
  const specs = new Map<string, RawSpec>()
  if (flags.openapi) specs.set(flags.namespace ?? DEFAULT_OPENAPI_NAMESPACE, { spec: flags.openapi, filtered: false })
  if (!flags.config) return specs
  const file = resolve(flags.config)
  const json = JSON.parse(await readFile(file, "utf8")) as { openapi?: Record<string, { spec?: unknown; disabled?: boolean; include?: unknown; exclude?: unknown }> }
  for (const [key, entry] of Object.entries(json.openapi ?? {})) {
    if (entry.disabled || typeof entry.spec !== "string") continue
    const spec = /^https?:\/\//i.test(entry.spec) ? entry.spec : resolve(dirname(file), entry.spec)
    specs.set(toIdentifier(key), { spec, filtered: entry.include !== undefined || entry.exclude !== undefined })
  }
  return specs
}

const opKey = (tool: Tool): string => tool.origin?.operationId ?? `${tool.origin?.method?.toLowerCase()} ${tool.origin?.path}`

/** What a source's naive list is built from: its served tools' own list, or its raw spec and the operations served. */
type NaivePlan = SourceNaive | { namespace: string; raw: RawSpec; served: Set<string> }

async function naiveOf(plan: NaivePlan): Promise<SourceNaive> {
  if (!("raw" in plan)) return plan
  const { namespace, raw, served } = plan
  const [{ naiveListFromOpenApi }, { loadOpenApiDocument }] = await Promise.all([import("../catalog/naive.js"), import("../tools/openapi/index.js")])
  // a list too large to build (cycles of $refs, inlined on every path) comes back as a reason, not a crash
  const list = naiveListFromOpenApi(await loadOpenApiDocument(raw.spec, { origin: namespace }), raw.filtered ? { only: (name) => served.has(name) } : {})
  return "tools" in list ? { namespace, kind: "openapi", tools: list.tools } : { namespace, kind: "openapi", tooLarge: list }
}

/** Serves the sources as `codemode serve` would and measures them; returns what the naive lists need, the server closed. */
async function measureServer(flags: TokensFlags, specs: Map<string, RawSpec>, budget: number | undefined) {
  const [{ createCodeModeServer, measureContext }, { naiveToolsFromMcp }] = await Promise.all([import("../server/lazy.js"), import("../catalog/naive.js")])
  const server = await createCodeModeServer({
    sources: await sourcesFromFlags(flags),
    ...(budget === undefined ? {} : { tokenBudget: budget }),
    onError: (error) => process.stderr.write(`${error.message} (left out of the report)\n`),
  })
  try {
    const measured = await measureContext(server)
    const mode: "search" | "execute" = server.definitions().some((d) => d.name === "search") ? "search" : "execute"
    const byNamespace = new Map<string, Tool[]>()
    for (const tool of server.tools()) byNamespace.set(tool.namespace, [...(byNamespace.get(tool.namespace) ?? []), tool])
    const plans = [...byNamespace].map(([namespace, tools]): NaivePlan => {
      const raw = specs.get(namespace)
      return raw ? { namespace, raw, served: new Set(tools.map(opKey)) } : { namespace, kind: tools[0]?.origin?.kind ?? "functions", tools: naiveToolsFromMcp(tools) }
    })
    return { measured, mode, plans }
  } finally {
    await server.close()
  }
}

async function report(flags: TokensFlags): Promise<void> {
  const budget = flags.budget === undefined ? undefined : Number(flags.budget)
  if (budget !== undefined && !(Number.isInteger(budget) && budget >= 0)) {
    throw codemodeError("CONFIG_INVALID", "cli", `--budget must be a non-negative integer, got ${JSON.stringify(flags.budget)}`)
  }
  const { measured, mode, plans } = await measureServer(flags, await rawSpecs(flags), budget)
  // the server is gone by now: a big spec's server and its naive list need not share memory
  const naive: SourceNaive[] = []
  for (const plan of plans) naive.push(await naiveOf(plan))
  const { formatTokenReport, tokenReport } = await import("../catalog/tokens.js")
  const result = tokenReport(naive, { fixedTokens: measured.fixedTokens, perTaskTokens: measured.perTaskTokens, mode })
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...result, tasks: measured.tasks }, null, 2)}\n`)
  else process.stdout.write(`${formatTokenReport(result)}\n`)
}

export function tokensCommand(): Command {
  return new Command("tokens")
    .description("token report: the naive tool list (one tool per operation) vs codemode's fixed context and per-task cost")
    .option("--openapi <spec>", "OpenAPI 3.x spec (file or URL, JSON or YAML, .gz ok)")
    .option("-c, --config <file>", "codemode.json (or a Claude Desktop / Cursor config with mcpServers)")
    .option("--namespace <ns>", "namespace of the --openapi tools", DEFAULT_OPENAPI_NAMESPACE)
    .option("--budget <tokens>", "declarations up to this many tokens go whole into `execute` (default 4000)")
    .option("--json", "print { operations, naiveTokens, fixedTokens, perTaskTokens, ratio, … } as JSON")
    .action(async (flags: TokensFlags) => {
      try {
        await report(flags)
      } catch (error) {
        reportHostFailure(error)
      }
    })
}
