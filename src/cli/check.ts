/** `codemode check <file|->`: typecheck a program against the tools' declarations without running it. */
import { Command } from "commander"
import { codemodeError } from "../errors.js"
import { formatDiagnostics } from "../runtime/shape.js"
import { readProgram } from "./input.js"
import { EXIT_CODE_FAILED, withCodeMode, type SessionFlags } from "./session.js"
import { addSourceFlags } from "./sources.js"

interface CheckFlags extends SessionFlags {
  json?: boolean
}

export function checkCommand(): Command {
  const command = new Command("check")
    .description("typecheck a program (JS or TS, fenced or not) against the tools' declarations without running it")
    .argument("<file>", "the program, or - to read it from standard input")
  return addSourceFlags(command)
    .option("--json", 'print { "ok": boolean, "diagnostics": [{ "line", "column", "code", "message" }] }')
    .addHelpText(
      "after",
      "\nExamples:\n  codemode check job.ts --openapi cloudflare.json --namespace cloudflare\n  echo 'return codemode.demo.nope()' | codemode check - --json\n\nExit code: 0 no type errors, 1 type errors, 2 codemode could not check it.",
    )
    .action(async (file: string, flags: CheckFlags) => {
      await withCodeMode(flags, async (cm) => {
        const report = await cm.check(await readProgram(file))
        if (report.status === "skipped") throw codemodeError("TYPECHECK_FAILED", "check", `the program could not be checked: ${report.reason ?? "unknown reason"}`)
        const ok = report.status === "passed"
        if (flags.json) {
          const diagnostics = report.diagnostics.map(({ line, column, code, message }) => ({ line, column, code, message }))
          process.stdout.write(`${JSON.stringify({ ok, diagnostics })}\n`)
        } else {
          process.stdout.write(ok ? "ok: no type errors\n" : `${formatDiagnostics(report.diagnostics)}\n`)
        }
        return ok ? 0 : EXIT_CODE_FAILED
      })
    })
}
