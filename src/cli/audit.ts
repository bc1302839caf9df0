/**
 * `codemode audit`: the tool calls in the audit log, one aligned line each, or the JSONL lines with
 * `--json`; `--follow` keeps printing new calls (across rotations) until SIGINT/SIGTERM.
 */
import { existsSync } from "node:fs"
import { join, resolve } from "node:path"
import { Command, Option } from "commander"
import type { AuditEntry } from "../runtime/audit.js"
import { reportHostFailure } from "./session.js"
import { AUDIT_FILE_NAME, resolveStateDir } from "./state-dir.js"

interface AuditFlags {
  file?: string
  stateDir?: string
  json?: boolean
  follow?: boolean
  run?: string
  tool?: string
}

const HEADERS = ["time", "run", "tool", "decision", "outcome", "ms", "bytes", "error"]
const NUMERIC = new Set([5, 6])
/** Longest error text shown in a line; `--json` has it whole. */
const MAX_ERROR_CHARS = 120

function cellsOf(e: AuditEntry): string[] {
  const d = e.decision ?? { action: "?", rule: "" }
  const decision = `${d.action}${d.approval ? `/${d.approval}` : ""}${d.rule ? ` (${d.rule})` : ""}`
  const ms = typeof e.durationMs === "number" ? (e.durationMs < 10 ? e.durationMs.toFixed(1) : e.durationMs.toFixed(0)) : ""
  const error = (e.error ?? "").replace(/\s+/g, " ").trim()
  return [e.time, e.runId ?? "", e.tool, decision, e.outcome ?? "", ms, String(e.bytes ?? ""), error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS - 1)}…` : error]
}

/** Prints entries as aligned lines; columns only grow, so with --follow a wider value shifts the lines after it. */
function tablePrinter(write: (line: string) => void): { grow(cells: string[]): void; print(cells: string[]): void } {
  const widths = HEADERS.map((h) => h.length)
  const line = (cells: string[]) => cells.map((c, i) => (NUMERIC.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd()
  let header = false
  const grow = (cells: string[]) => cells.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  return {
    grow,
    print(cells) {
      grow(cells)
      if (!header) write(line(HEADERS))
      header = true
      write(line(cells))
    },
  }
}

async function show(flags: AuditFlags): Promise<void> {
  const [{ readAudit }, { globMatcher }] = await Promise.all([import("../runtime/audit.js"), import("../tools/filter.js")]) // not loaded by `--help`
  const file = flags.file ? resolve(flags.file) : join(resolveStateDir(flags.stateDir), AUDIT_FILE_NAME)
  const write = (line: string) => void process.stdout.write(`${line}\n`)
  if (!existsSync(file) && !existsSync(`${file}.1`)) {
    process.stderr.write(`no audit log at ${file}${flags.follow ? "; waiting for it (Ctrl-C to stop)" : " (nothing audited yet, or pass --file / --state-dir)"}\n`)
    if (!flags.follow) return
  }
  const controller = new AbortController()
  const stop = () => controller.abort()
  process.once("SIGINT", stop).once("SIGTERM", stop)
  process.stdout.once("error", stop) // a closed pipe (`| head`) ends --follow
  const tool = flags.tool === undefined ? () => true : globMatcher(flags.tool)
  const wanted = (e: AuditEntry) => (flags.run === undefined || e.runId === flags.run) && tool(e.tool)
  const entries = readAudit(file, {
    follow: flags.follow ?? false,
    signal: controller.signal,
    onError: (error) => process.stderr.write(`${error.message}\n`),
  })
  try {
    if (flags.json) {
      for await (const e of entries) if (wanted(e)) write(JSON.stringify(e))
      return
    }
    const table = tablePrinter(write)
    if (flags.follow) {
      for await (const e of entries) if (wanted(e)) table.print(cellsOf(e))
      return
    }
    const rows: string[][] = []
    for await (const e of entries) if (wanted(e)) rows.push(cellsOf(e))
    rows.forEach(table.grow)
    rows.forEach(table.print)
  } finally {
    process.off("SIGINT", stop).off("SIGTERM", stop)
    process.stdout.off("error", stop)
  }
}

export function auditCommand(): Command {
  return new Command("audit")
    .description("show the tool calls recorded in the audit log (<state-dir>/audit.jsonl)")
    .addOption(new Option("--file <path>", "the audit log to read").conflicts("stateDir"))
    .option("--state-dir <dir>", `state directory holding ${AUDIT_FILE_NAME} (default: $CODEMODE_STATE_DIR, else .codemode)`)
    .option("--json", "print the JSONL lines as they are")
    .option("-f, --follow", "keep printing new calls until Ctrl-C / SIGTERM")
    .option("--run <id>", "only the calls of this run")
    .option("--tool <glob>", 'only tools matching the glob, e.g. "github.*"')
    .action(async (flags: AuditFlags) => {
      try {
        await show(flags)
      } catch (error) {
        reportHostFailure(error)
      }
    })
}
