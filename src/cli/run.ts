/** `codemode run <file|->`: run a program against the configured tools and print its value. */
import { Command } from "commander"
import { formatError, formatReport, formatValue } from "./format.js"
import { readProgram } from "./input.js"
import { EXIT_CODE_FAILED, withCodeMode, type SessionFlags } from "./session.js"

interface RunFlags extends SessionFlags {
  json?: boolean
  trace?: boolean
}

export function runCommand(): Command {
  return new Command("run")
    .description("run a program (JS or TS, fenced or not) in the sandbox and print its value")
    .argument("<file>", "the program, or - to read it from standard input")
    .option("-c, --config <file>", "tool sources from a codemode.json / Claude Desktop / Cursor config")
    .option("--openapi <spec>", "tools from an OpenAPI 3.x spec (path or URL)")
    .option("--namespace <ns>", "namespace of the --openapi tools", "api")
    .option("--base-url <url>", "base URL of the --openapi API (default: the spec's first server)")
    .option("--demo", "add the built-in demo functions (the default when no other source is given)")
    .option("--timeout <ms>", "wall-time limit of the run in milliseconds")
    .option("--json", "print the whole outcome (value, logs, calls, error, stats) as JSON")
    .option("--trace", "print logs, the call trace and stats to stderr")
    .addHelpText("after", "\nExample:\n  echo 'return 1 + 1' | codemode run -\n\nExit code: 0 ok, 1 the program failed, 2 codemode could not run it.")
    .action(async (file: string, flags: RunFlags) => {
      await withCodeMode(flags, async (cm) => {
        const result = await cm.execute(await readProgram(file))
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
        } else {
          if (flags.trace) process.stderr.write(`${formatReport(result)}\n`)
          else for (const log of result.logs) process.stderr.write(`${log.message}\n`)
          if (result.ok) {
            const text = formatValue(result.value)
            if (text !== "") process.stdout.write(`${text}\n`)
          } else if (!flags.trace) {
            process.stderr.write(`${formatError(result.error)}\n`)
          }
        }
        return result.ok ? 0 : EXIT_CODE_FAILED
      })
    })
}
