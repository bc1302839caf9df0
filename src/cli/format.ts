/**
 * Plain-text rendering of an execute result for people (the CLI faces). No colors: the output is
 * meant to be readable in a terminal, a CI log and a pipe alike.
 */
import type { ExecuteError, ExecuteResult } from "../runtime/results.js"
import { formatDiagnostics } from "../runtime/shape.js"
import type { CallRecord } from "../runtime/bindings.js"

/** Longest argument / error text shown in one line of the call trace. */
const MAX_INLINE = 100

const clip = (text: string, max = MAX_INLINE): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text)
const ms = (value: number): string => (value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`)

/** A value as a CLI prints it: strings raw, everything else as JSON (pretty when `pretty`). */
export function formatValue(value: unknown, pretty = false): string {
  if (typeof value === "string") return value
  if (value === undefined) return ""
  return JSON.stringify(value, null, pretty ? 2 : undefined) ?? String(value)
}

/** `runtime error at line 3, column 5: TypeError: …` followed by the excerpt, if any. */
export function formatError(error: ExecuteError): string {
  if (error.kind === "type" && error.diagnostics?.length) return formatDiagnostics(error.diagnostics)
  const where = error.line === undefined ? "" : ` at line ${error.line}${error.column === undefined ? "" : `, column ${error.column}`}`
  const head = `${error.kind} error${where}: ${error.message}`
  return error.excerpt ? `${head}\n${error.excerpt}` : head
}

function formatCall(call: CallRecord, index: number): string {
  let args: string
  try {
    args = call.args === undefined ? "" : JSON.stringify(call.args)
  } catch {
    args = "…"
  }
  const status = call.replayed ? "replayed" : call.approval === "pending" ? "waiting for approval" : call.ok ? "ok" : `failed: ${clip(call.error?.message ?? "", 80)}`
  return `  ${String(index + 1).padStart(2)}. ${call.tool}(${clip(args)})  ${ms(call.durationMs)}  ${status}`
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n")
}

/** Result (or error), logs, call trace and stats as readable sections. */
export function formatReport(result: ExecuteResult): string {
  const out: string[] = []
  if (result.status === "paused") out.push("paused:", ...result.pending.map((p) => `  ${p.id}: ${p.tool}(${clip(JSON.stringify(p.args) ?? "")}) — ${p.reason}`))
  else if (result.ok) out.push("result:", indent(formatValue(result.value, true) || "undefined", "  "))
  else out.push("error:", indent(formatError(result.error), "  "))
  if (result.logs.length > 0) {
    out.push("", `logs (${result.logs.length}):`)
    for (const log of result.logs) out.push(`  ${log.level.padEnd(5)} ${log.message}`)
  }
  const toolTime = result.calls.reduce((sum, c) => sum + c.durationMs, 0)
  out.push("", `calls (${result.calls.length}, ${ms(toolTime)} in tools):`)
  if (result.calls.length === 0) out.push("  (none)")
  result.calls.forEach((call, i) => out.push(formatCall(call, i)))
  const memory = result.stats.memoryBytes === undefined ? "" : `, ${(result.stats.memoryBytes / 1024 / 1024).toFixed(1)} MiB heap`
  out.push("", `stats: ${ms(result.stats.durationMs)} total, ${result.stats.toolCalls} tool calls${memory}`)
  return out.join("\n")
}
