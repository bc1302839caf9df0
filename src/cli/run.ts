/** `codemode run <file|->`: run a program against the configured tools and print its value. */
import { Command } from "commander"
import { approvalHandler, approveMode } from "./approve.js"
import { addGovernanceFlags } from "./governance.js"
import { readProgram } from "./input.js"
import { printResult, type OutputFlags } from "./output.js"
import { withCodeMode, type SessionFlags } from "./session.js"
import { addSourceFlags } from "./sources.js"

interface RunFlags extends SessionFlags, OutputFlags {
  approve?: string
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
    .addHelpText(
      "after",
      "\nExamples:\n  echo 'return 1 + 1' | codemode run -\n  codemode run job.js --config codemode.json --ask 'github.*delete*' --approve defer --json\n\nExit code: 0 done or paused, 1 the program failed, 2 codemode could not run it.",
    )
    .action(async (file: string, flags: RunFlags) => {
      const mode = approveModeOrReport(flags.approve)
      if (!mode) return
      const onApproval = approvalHandler(mode)
      await withCodeMode(flags, async (cm) => printResult(await cm.execute(await readProgram(file), { onApproval: onApproval ?? false }), flags))
    })
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
