/**
 * `codemode tokens`: what the tools cost a model naively (one MCP tool per operation) versus
 * through `codemode serve` (its exact tools/list, and one search + one execute per task).
 */
import { Command } from "commander"
import type { SourceNaive } from "../tokens/report.js"
import { codemodeError } from "../errors.js"
import type { Tool, ToolSource } from "../tools/tool.js"
import { reportHostFailure } from "./session.js"
import { addSourceFlags, configFromFlags, type SourceFlags } from "./sources.js"

interface TokensFlags extends SourceFlags {
  json?: boolean
  budget?: string
}

type RawSpec = NonNullable<ToolSource["spec"]>

const opKey = (tool: Tool): string => tool.origin?.operationId ?? `${tool.origin?.method?.toLowerCase()} ${tool.origin?.path}`

/** What a source's naive list is built from: its served tools' own list, or its raw spec and the operations served. */
type NaivePlan = SourceNaive | { namespace: string; raw: RawSpec; served: Set<string> }

async function naiveOf(plan: NaivePlan): Promise<SourceNaive> {
  if (!("raw" in plan)) return plan
  const { namespace, raw, served } = plan
  const [{ naiveListFromOpenApi }, { loadOpenApiDocument }] = await Promise.all([import("../tokens/naive.js"), import("../tools/openapi/index.js")])
  // a list too large to build (cycles of $refs, inlined on every path) comes back as a reason, not a crash
  const list = naiveListFromOpenApi(await loadOpenApiDocument(raw.location, { origin: namespace }), raw.filtered ? { only: (name) => served.has(name) } : {})
  return "tools" in list ? { namespace, kind: "openapi", tools: list.tools } : { namespace, kind: "openapi", tooLarge: list }
}

/** How long the report waits for its sources to load (one still loading then is left out of the report, with a warning). */
const TOKENS_SOURCE_WAIT_MS = 120_000

/** Serves the sources as `codemode serve` would and measures them; returns what the naive lists need, the server closed. */
async function measureServer(sources: ToolSource[], budget: number | undefined) {
  // the naive list of an OpenAPI source is built from its raw spec, not from our tools
  const specs = new Map(sources.flatMap((s) => (s.spec ? [[s.namespace, s.spec] as const] : [])))
  const [{ createCodeModeServer, measureContext }, { naiveToolsFromMcp }] = await Promise.all([import("../server/lazy.js"), import("../tokens/naive.js")])
  const server = await createCodeModeServer({
    sources,
    // A report counts every source: wait for slow ones instead of serving what is ready after the usual grace.
    sourceLoading: { graceMs: TOKENS_SOURCE_WAIT_MS },
    ...(budget === undefined ? {} : { tokenBudget: budget }),
    onError: (error) => process.stderr.write(`${error.message} (left out of the report)\n`),
  })
  try {
    for (const status of server.sources()) {
      if (status.state === "loading") process.stderr.write(`source "${status.namespace}" did not load within ${TOKENS_SOURCE_WAIT_MS / 1000} s (left out of the report)\n`)
    }
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
  const { measured, mode, plans } = await measureServer((await configFromFlags(flags)).sources, budget)
  // the server is gone by now: a big spec's server and its naive list need not share memory
  const naive: SourceNaive[] = []
  for (const plan of plans) naive.push(await naiveOf(plan))
  const { formatTokenReport, tokenReport } = await import("../tokens/report.js")
  const result = tokenReport(naive, { fixedTokens: measured.fixedTokens, perTaskTokens: measured.perTaskTokens, mode })
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...result, tasks: measured.tasks }, null, 2)}\n`)
  else process.stdout.write(`${formatTokenReport(result)}\n`)
}

export function tokensCommand(): Command {
  const command = new Command("tokens").description("token report: the naive tool list (one tool per operation) vs codemode's fixed context and per-task cost")
  return addSourceFlags(command)
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
