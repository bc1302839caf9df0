/**
 * The token report: o200k_base tokens (gpt-tokenizer) of the naive tool list — one MCP tool per
 * operation, see naive.ts — against codemode's fixed context (the `tools/list` a client gets from
 * `codemode serve`) and its typical cost per task (one search with its result + one execute call).
 */
import { tokenizer } from "../lazy.js"
import type { NaiveTool, NaiveTooLarge } from "./naive.js"

/** The naive tools of one source, or (a huge OpenAPI spec) why they were not built. */
export type SourceNaive = {
  namespace: string
  /** "openapi" (built from the raw spec) or "mcp"/"functions" (their tool list). */
  kind: string
} & ({ tools: NaiveTool[] } | { tooLarge: NaiveTooLarge })

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
  /** Tokens of `JSON.stringify` of the whole naive list; null when a source's list is too large to build (`naiveTooLarge`). */
  naiveTokens: number | null
  /** The sources whose naive list was not built, and why; present only when there are any. */
  naiveTooLarge?: Array<{ namespace: string; reason: string }>
  /** Tokens of codemode's `tools/list` JSON. */
  fixedTokens: number
  /** Typical tokens of one task: a search call and its result, plus an execute call. */
  perTaskTokens: number
  /** naiveTokens / fixedTokens, one decimal; null without naiveTokens. */
  ratio: number | null
  /** naiveTokens / (fixedTokens + perTaskTokens), one decimal: what a one-task conversation saves; null without naiveTokens. */
  ratioWithTask: number | null
  mode: "execute" | "search"
  tokenizer: "o200k_base"
  sources: Array<{ namespace: string; kind: string; operations: number; naiveTokens: number | null }>
}

const ratioOf = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 10) / 10)

/** Counts the naive list (all sources as one array, as a client would load them) and compares. */
export function tokenReport(naive: readonly SourceNaive[], context: ContextFigures): TokenReport {
  const { countTokens } = tokenizer()
  const tooLarge = naive.flatMap((s) => ("tooLarge" in s ? [{ namespace: s.namespace, reason: s.tooLarge.reason }] : []))
  const all = naive.flatMap((s) => ("tools" in s ? s.tools : []))
  const naiveTokens = tooLarge.length > 0 ? null : countTokens(JSON.stringify(all))
  return {
    operations: naive.reduce((n, s) => n + ("tools" in s ? s.tools.length : s.tooLarge.operations), 0),
    naiveTokens,
    ...(tooLarge.length > 0 ? { naiveTooLarge: tooLarge } : {}),
    fixedTokens: context.fixedTokens,
    perTaskTokens: context.perTaskTokens,
    ratio: naiveTokens === null ? null : ratioOf(naiveTokens, context.fixedTokens),
    ratioWithTask: naiveTokens === null ? null : ratioOf(naiveTokens, context.fixedTokens + context.perTaskTokens),
    mode: context.mode,
    tokenizer: "o200k_base",
    sources: naive.map((s) => ({
      namespace: s.namespace,
      kind: s.kind,
      operations: "tools" in s ? s.tools.length : s.tooLarge.operations,
      // one source: its figure is the total, counted once
      naiveTokens: "tools" in s ? (naive.length === 1 ? naiveTokens : countTokens(JSON.stringify(s.tools))) : null,
    })),
  }
}

const n = (value: number): string => value.toLocaleString("en-US")

/** The report as a short table for people. */
export function formatTokenReport(report: TokenReport): string {
  const tools = `${n(report.operations)} tools${report.sources.every((s) => s.kind === "openapi") ? ", one per operation" : ""}`
  const rows = [
    ["naive tool list", report.naiveTokens === null ? "not representable" : `${n(report.naiveTokens)} tokens`, tools],
    ["codemode fixed context", `${n(report.fixedTokens)} tokens`, report.mode === "search" ? "search + execute" : "execute with all declarations"],
    ["codemode per task", `${n(report.perTaskTokens)} tokens`, report.mode === "search" ? "one search with its result + one execute call" : "one execute call"],
  ]
  const width = Math.max(...rows.map((r) => (r[0] as string).length))
  const amount = Math.max(...rows.map((r) => (r[1] as string).length))
  const lines = rows.map(([a, b, c]) => `${(a as string).padEnd(width)}  ${(b as string).padStart(amount)}  ${c}`)
  if (report.naiveTooLarge) lines.push("", ...report.naiveTooLarge.map((t) => `The naive list of ${t.namespace} is not representable: ${t.reason}.`))
  else lines.push("", `${report.ratio}x smaller fixed context (${report.ratioWithTask}x including one task); o200k_base tokens`)
  if (report.sources.length > 1) {
    const naiveOf = (tokens: number | null) => (tokens === null ? "naive list not representable" : `${n(tokens)} naive tokens`)
    lines.push("", ...report.sources.map((s) => `  ${s.namespace} (${s.kind}): ${n(s.operations)} tools, ${naiveOf(s.naiveTokens)}`))
  }
  return lines.join("\n")
}
