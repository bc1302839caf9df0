/** `codemode bench sandbox|soak|search|typecheck [--json]`: run a benchmark and print a table or one JSON object. */
import { Command, InvalidArgumentError } from "commander"
import { embeddingsSearchTable, sandboxTable, searchTable, soakTable, typecheckTable } from "./bench-format.js"
import { reportHostFailure } from "./session.js"

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a positive integer")
  return n
}

function print(json: boolean | undefined, result: unknown, table: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(result) : table()}\n`)
}

export function benchCommand(): Command {
  const bench = new Command("bench").description("run a benchmark on this machine")
  bench
    .command("sandbox")
    .description("cold execute, tool-call round trip and bytes per live sandbox, next to the bare QuickJS and node:vm floors")
    .option("--json", "print one JSON object")
    .option("--iterations <n>", "cold executions measured (default 300)", positiveInt)
    .option("--tool-calls <n>", "awaited calls in the tool-call loop (default 1000)", positiveInt)
    .option("--live <n>", "live sandboxes for the density figure (default 200)", positiveInt)
    .action(async (flags: { json?: boolean; iterations?: number; toolCalls?: number; live?: number }) => {
      const { benchSandbox } = await import("../bench/sandbox.js")
      const result = await benchSandbox({
        ...(flags.iterations ? { iterations: flags.iterations } : {}),
        ...(flags.toolCalls ? { toolCalls: flags.toolCalls } : {}),
        ...(flags.live ? { liveSandboxes: flags.live } : {}),
      })
      print(flags.json, result, () => sandboxTable(result))
    })
  bench
    .command("soak")
    .description("many runs through one executor: RSS and heap growth after the warm-up and over the last runs")
    .option("--json", "print one JSON object")
    .option("--runs <n>", "runs in all (default 10000)", positiveInt)
    .option("--warmup <n>", "runs before the baseline sample (default 1000)", positiveInt)
    .option("--tail <n>", "the last window (default 3000)", positiveInt)
    .action(async (flags: { json?: boolean; runs?: number; warmup?: number; tail?: number }) => {
      const { benchSoak } = await import("../bench/soak.js")
      const result = await benchSoak({
        ...(flags.runs ? { runs: flags.runs } : {}),
        ...(flags.warmup ? { warmupRuns: flags.warmup } : {}),
        ...(flags.tail ? { tailRuns: flags.tail } : {}),
      })
      print(flags.json, result, () => soakTable(result))
    })
  bench
    .command("search")
    .description("tool-search quality (recall@1/@5, MRR) on the Cloudflare and GitHub specs in data/, vs plain BM25")
    .option("--json", "print one JSON object")
    .option("--embeddings", "instead: lexical vs embeddings vs fused ranking with the embeddings endpoint of --config (search.embeddings)")
    .option("-c, --config <file>", "codemode.json whose search.embeddings names the endpoint (with --embeddings)")
    .action(async (flags: { json?: boolean; embeddings?: boolean; config?: string }) => {
      if (flags.embeddings) {
        const [{ benchSearchEmbeddings }, { loadCodeModeConfig }] = await Promise.all([import("../bench/search-embeddings.js"), import("../tools/config.js")])
        const result = await (async () => benchSearchEmbeddings({ embeddings: flags.config ? (await loadCodeModeConfig(flags.config)).search?.embeddings : undefined }))().catch(reportHostFailure)
        if (result) print(flags.json, result, () => embeddingsSearchTable(result))
        return
      }
      const { benchSearch } = await import("../bench/search.js")
      // a missing or broken query set or spec is reported, exit 2
      const result = await benchSearch().catch(reportHostFailure)
      if (result) print(flags.json, result, () => searchTable(result))
    })
  bench
    .command("typecheck")
    .description("typecheck speed against the full Cloudflare and GitHub declarations: cold, warm p50/p95, heap; pruning compared")
    .option("--json", "print one JSON object")
    .option("--checks <n>", "warm checks per spec (default 50)", positiveInt)
    .action(async (flags: { json?: boolean; checks?: number }) => {
      const { benchTypecheck } = await import("../bench/typecheck.js")
      const result = await benchTypecheck(flags.checks ? { checks: flags.checks } : {})
      print(flags.json, result, () => typecheckTable(result))
    })
  return bench
}
