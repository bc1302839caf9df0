/** How `run` and `resume` print a run's outcome (the same way for both), and its exit code. */
import type { ExecuteResult } from "../runtime/results.js"
import { formatDiagnostics } from "../runtime/shape.js"
import { viewText } from "../runtime/views.js"
import { formatError, formatReport, formatValue } from "./format.js"
import { EXIT_CODE_FAILED, type SessionFlags } from "./session.js"
import { sourceFlagArgs } from "./sources.js"

export interface OutputFlags {
  json?: boolean
  trace?: boolean
}

/** The flags `resume` needs to find the same tools and run store as the run that paused. */
function sourceArgs(flags: SessionFlags): string {
  const quote = (v: string) => (/^[\w./:@%+=-]+$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`)
  const args = sourceFlagArgs(flags).map(quote)
  if (flags.stateDir) args.push("--state-dir", quote(flags.stateDir))
  return args.length ? ` ${args.join(" ")}` : ""
}

/** A paused run for a person: what waits and the command that continues it. */
function pausedText(result: Extract<ExecuteResult, { status: "paused" }>, flags: SessionFlags): string {
  const n = result.pending.length
  const lines = [`paused: ${n === 1 ? "1 call needs" : `${n} calls need`} approval (run ${result.runId}, resumable until ${result.expiresAt})`]
  for (const p of result.pending) lines.push(`  ${p.id}: ${p.tool}(${JSON.stringify(p.args) ?? ""}) — ${p.reason}`)
  lines.push(`continue with: codemode resume --token ${result.resumeToken} --approve${sourceArgs(flags)}   (or --deny)`)
  return lines.join("\n")
}

/** Prints the outcome; returns the exit code (0 done or paused, 1 failed). */
export function printResult(result: ExecuteResult, flags: OutputFlags & SessionFlags): number {
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  } else {
    if (flags.trace) process.stderr.write(`${formatReport(result)}\n`)
    else for (const log of result.logs) process.stderr.write(`${log.message}\n`)
    if (result.diagnostics?.length) process.stderr.write(`typecheck (the program ran anyway):\n${formatDiagnostics(result.diagnostics)}\n`)
    for (const warning of result.warnings ?? []) process.stderr.write(`warning: ${warning}\n`)
    if (result.status === "paused") {
      process.stdout.write(`${pausedText(result, flags)}\n`)
    } else if (result.ok) {
      const text = result.view ? viewText(result.view) : formatValue(result.value)
      if (text !== "") process.stdout.write(`${text}\n`)
    } else if (!flags.trace) {
      process.stderr.write(`${formatError(result.error)}\n`)
    }
  }
  return result.status === "failed" ? EXIT_CODE_FAILED : 0
}
