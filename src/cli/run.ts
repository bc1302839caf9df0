/** `codemode run <file|->`: run a program against the configured tools and print its value. */
import { Command } from "commander"
import { codemodeError } from "../errors.js"
import type { JSONSchema } from "../tools/tool.js"
import { approvalHandler, approveMode } from "./approve.js"
import { addGovernanceFlags } from "./governance.js"
import { readProgram } from "./input.js"
import { printResult, type OutputFlags } from "./output.js"
import { EXIT_CODE_FAILED, withCodeMode, type SessionFlags } from "./session.js"
import { addSourceFlags } from "./sources.js"

interface RunFlags extends SessionFlags, OutputFlags {
  approve?: string
  input?: string
  saveAs?: string
  description?: string
  inputSchema?: string
}

export function runCommand(): Command {
  const command = new Command("run")
    .description("run a program (JS or TS, fenced or not) in the sandbox and print its value")
    .argument("<file>", "the program, or - to read it from standard input")
  addSourceFlags(command)
    .option("--timeout <ms>", "wall-time limit of the run in milliseconds")
    .option("--typecheck <mode>", "check the program against the declarations first: error (default: do not run it with type errors), warn (run, print them), off")
  addGovernanceFlags(command)
  return command
    .option("--approve <mode>", "calls that need approval: prompt (ask here), all, none, defer (print a resume token and exit 0); default prompt on a terminal, else defer")
    .option("--json", "print the whole outcome (status, value, logs, calls, error, stats; or the resume token and pending calls) as JSON")
    .option("--trace", "print logs, the call trace and stats to stderr")
    .option("--save-as <name>", "after a successful run, save the program as the procedure codemode.procedures.<name>(input) (kept in the config's state database)")
    .option("--description <text>", "with --save-as: what the procedure does (shown to the model)")
    .option("--input-schema <json>", "with --save-as: the JSON Schema of `input` (default: inferred from what the program reads of `input`)")
    .option("--input <json>", "the value the program reads as `input` (as a saved procedure does); default {} with --save-as")
    .addHelpText(
      "after",
      "\nExamples:\n  echo 'return 1 + 1' | codemode run -\n  codemode run job.js --config codemode.json --ask 'github.*delete*' --approve defer --json\n\nExit code: 0 done or paused, 1 the program failed, 2 codemode could not run it.",
    )
    .action(async (file: string, flags: RunFlags) => {
      const mode = approveModeOrReport(flags.approve)
      if (!mode) return
      const onApproval = approvalHandler(mode)
      await withCodeMode(flags, async (cm) => {
        const saveAs =
          flags.saveAs === undefined
            ? undefined
            : {
                name: flags.saveAs,
                ...(flags.description === undefined ? {} : { description: flags.description }),
                ...(flags.inputSchema === undefined ? {} : { inputSchema: parseJson("--input-schema", flags.inputSchema, '{"type":"object","properties":{"text":{"type":"string"}}}') as JSONSchema }),
              }
        const input = flags.input === undefined ? undefined : parseJson("--input", flags.input, '{"text":"milk"}')
        const result = await cm.execute(await readProgram(file), { onApproval: onApproval ?? false, ...(saveAs ? { saveAs } : {}), ...(input === undefined ? {} : { input }) })
        const exit = printResult(result, flags)
        if (!saveAs || result.status !== "done") return exit
        if (!result.saved) return EXIT_CODE_FAILED // the reason is in the warnings printed
        if (!flags.json) process.stderr.write(`saved as procedure ${result.saved.name} (version ${result.saved.version}): codemode.procedures.${result.saved.name}(input)\n`)
        return exit
      })
    })
}

function parseJson(flag: string, text: string, example: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw codemodeError("CONFIG_INVALID", "cli", `${flag} must be JSON, e.g. '${example}': ${(error as Error).message}`)
  }
}

/** The approve mode, or undefined after reporting a bad flag (exit code 2). */
function approveModeOrReport(flag: string | undefined): ReturnType<typeof approveMode> | undefined {
  try {
    return approveMode(flag)
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exitCode = 2
    return undefined
  }
}
