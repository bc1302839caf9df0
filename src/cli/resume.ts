/** `codemode resume --token <t> --approve|--deny`: continue a paused run and print it as `run` does. */
import { Command } from "commander"
import { codemodeError } from "../errors.js"
import { addGovernanceFlags } from "./governance.js"
import { printResult, type OutputFlags } from "./output.js"
import { reportHostFailure, withCodeMode, type SessionFlags } from "./session.js"
import { addSourceFlags } from "./sources.js"

interface ResumeFlags extends Omit<SessionFlags, "allow" | "ask" | "deny" | "policy">, OutputFlags {
  token?: string
  approve?: boolean
  deny?: boolean
}

export function resumeCommand(): Command {
  const command = new Command("resume")
    .description("continue a paused run from its resume token: calls already made are not made again")
    .requiredOption("--token <token>", "the resume token a paused run printed")
    .option("--approve", "approve every call the run waits for")
    .option("--deny", "deny every call the run waits for (they throw inside the program)")
  addSourceFlags(command) // the same sources the run was started with
  addGovernanceFlags(command, false)
  return command
    .option("--json", "print the whole outcome as JSON")
    .option("--trace", "print logs, the call trace and stats to stderr")
    .addHelpText("after", "\nExample:\n  codemode resume --token cmr1.… --approve --config codemode.json\n\nExit code: 0 done or paused again, 1 the program failed, 2 codemode could not resume it.")
    .action(async (flags: ResumeFlags) => {
      if (flags.approve && flags.deny) return reportHostFailure(codemodeError("CONFIG_INVALID", "cli", "give --approve or --deny, not both"))
      const decisions = flags.approve ? "approve" : flags.deny ? "deny" : {}
      // The run store is opened whatever the policy says: the run lives there.
      const { approve: _approve, deny: _deny, ...session } = flags
      await withCodeMode(session, async (cm) => printResult(await cm.resume(flags.token as string, decisions, { onApproval: false }), session), { governance: { keepRuns: true } })
    })
}
