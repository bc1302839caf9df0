/** `codemode bench sandbox|search|typecheck [--json]`: run a benchmark and print a table or one JSON object. */
import { Command, InvalidArgumentError } from "commander"
import { sandboxTable, searchTable, typecheckTable } from "./bench-format.js"

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
    .command("search")
    .description("tool-search quality (recall@1/@5, MRR) on the Cloudflare and GitHub specs, vs plain BM25")
    .option("--json", "print one JSON object")
    .action(async (flags: { json?: boolean }) => {
      const { benchSearch } = await import("../bench/search.js")
      const result = await benchSearch()
      print(flags.json, result, () => searchTable(result))
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
