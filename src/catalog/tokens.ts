/**
 * The token report: o200k_base tokens (gpt-tokenizer) of the naive tool list — one MCP tool per
 * operation, see naive.ts — against codemode's fixed context (the `tools/list` a client gets from
 * `codemode serve`) and its typical cost per task (one search with its result + one execute call).
 */
import { tokenizer } from "../lazy.js"
import type { NaiveTool } from "./naive.js"

/** The naive tools of one source. */
export interface SourceNaive {
  namespace: string
  /** "openapi" (built from the raw spec) or "mcp"/"functions" (their tool list). */
  kind: string
  tools: NaiveTool[]
}

/** What codemode costs, as measured through a client (see server/measure.ts). */
export interface ContextFigures {
  fixedTokens: number
  perTaskTokens: number
  /** Which tools the client sees: "execute" alone or "search" + "execute". */
  mode: "execute" | "search"
}

export interface TokenReport {
  /** Tools of the naive list (operations, for OpenAPI sources). */
  operations: number
  /** Tokens of `JSON.stringify` of the whole naive list. */
  naiveTokens: number
  /** Tokens of codemode's `tools/list` JSON. */
  fixedTokens: number
  /** Typical tokens of one task: a search call and its result, plus an execute call. */
  perTaskTokens: number
  /** naiveTokens / fixedTokens, one decimal. */
  ratio: number
  /** naiveTokens / (fixedTokens + perTaskTokens), one decimal: what a one-task conversation saves. */
  ratioWithTask: number
  mode: "execute" | "search"
  tokenizer: "o200k_base"
  sources: Array<{ namespace: string; kind: string; operations: number; naiveTokens: number }>
}

const ratioOf = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 10) / 10)

/** Counts the naive list (all sources as one array, as a client would load them) and compares. */
export function tokenReport(naive: readonly SourceNaive[], context: ContextFigures): TokenReport {
  const { countTokens } = tokenizer()
  const all = naive.flatMap((s) => s.tools)
  const naiveTokens = countTokens(JSON.stringify(all))
  return {
    operations: all.length,
    naiveTokens,
    fixedTokens: context.fixedTokens,
    perTaskTokens: context.perTaskTokens,
    ratio: ratioOf(naiveTokens, context.fixedTokens),
    ratioWithTask: ratioOf(naiveTokens, context.fixedTokens + context.perTaskTokens),
    mode: context.mode,
    tokenizer: "o200k_base",
    sources: naive.map((s) => ({ namespace: s.namespace, kind: s.kind, operations: s.tools.length, naiveTokens: countTokens(JSON.stringify(s.tools)) })),
  }
}

const n = (value: number): string => value.toLocaleString("en-US")

/** The report as a short table for people. */
export function formatTokenReport(report: TokenReport): string {
  const rows = [
    ["naive tool list", `${n(report.naiveTokens)} tokens`, `${n(report.operations)} tools${report.sources.every((s) => s.kind === "openapi") ? ", one per operation" : ""}`],
    ["codemode fixed context", `${n(report.fixedTokens)} tokens`, report.mode === "search" ? "search + execute" : "execute with all declarations"],
    ["codemode per task", `${n(report.perTaskTokens)} tokens`, report.mode === "search" ? "one search with its result + one execute call" : "one execute call"],
  ]
  const width = Math.max(...rows.map((r) => (r[0] as string).length))
  const amount = Math.max(...rows.map((r) => (r[1] as string).length))
  const lines = rows.map(([a, b, c]) => `${(a as string).padEnd(width)}  ${(b as string).padStart(amount)}  ${c}`)
  lines.push("", `${report.ratio}x smaller fixed context (${report.ratioWithTask}x including one task); o200k_base tokens`)
  if (report.sources.length > 1) {
    lines.push("", ...report.sources.map((s) => `  ${s.namespace} (${s.kind}): ${n(s.operations)} tools, ${n(s.naiveTokens)} naive tokens`))
  }
  return lines.join("\n")
}
