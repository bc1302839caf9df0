/** `codemode runs`: the durable runs in the run store — paused ones with their resume tokens. */
import { Command } from "commander"
import { addGovernanceFlags } from "./governance.js"
import { withCodeMode, type SessionFlags } from "./session.js"
import { addConfigFlag } from "./sources.js"

interface RunsFlags extends SessionFlags {
  json?: boolean
}

export function runsCommand(): Command {
  const command = new Command("runs")
    .description("list durable runs (paused, running, finished) with the resume tokens of unfinished ones")
  addConfigFlag(command, 'the config whose run store to read (its "runs" entry)')
  addGovernanceFlags(command, false)
  return command.option("--json", "print the list as JSON").action(async (flags: RunsFlags) => {
    await withCodeMode(
      flags,
      async (cm) => {
        const runs = await cm.runs()
        if (flags.json) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`)
        else if (runs.length === 0) process.stderr.write("no runs in the run store\n")
        else
          for (const r of runs) {
            const waiting = r.pending?.length ? `  waiting: ${r.pending.map((p) => `${p.id} ${p.tool}`).join(", ")}` : ""
            process.stdout.write(`${r.runId}  ${r.status.padEnd(7)}  ${r.createdAt}${waiting}${r.resumeToken ? `\n  token: ${r.resumeToken}` : ""}\n`)
          }
        return 0
      },
      { governance: { keepRuns: true } },
    )
  })
}
