/**
 * `codemode eval [--json]`: the eval tasks in both arms (code mode, classic tool calling) with one
 * model: the endpoint in OPENAI_BASE_URL / OPENAI_API_KEY with --model, or the scripted model. Runs
 * from a clone of the repository (the MCP servers are its dev dependencies, the GitHub spec in data/).
 */
import { Command } from "commander"
import { reportHostFailure } from "./session.js"

interface EvalFlags {
  json?: boolean
  only?: string[]
  model?: string
  scripted?: boolean
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").filter(Boolean)]

export function evalCommand(): Command {
  return new Command("eval")
    .description("run the eval tasks two ways, code mode and classic tool calling, with one model; report success, turns, tokens, time (from a clone of the repository)")
    .option("--json", "print one JSON object { model, tasks, arms: { codemode, classic } }")
    .option("--only <ids>", "only these tasks or environments (demo, memory, filesystem, everything, github), comma-separated or repeated", collect)
    .option("--model <name>", "the model at OPENAI_BASE_URL (default: $OPENAI_MODEL)")
    .option("--scripted", "use the scripted model even when an endpoint is configured")
    .addHelpText(
      "after",
      "\nWithout OPENAI_BASE_URL / OPENAI_API_KEY the scripted model plays the shortest correct turns: the figures measure the protocol, not a model's skill.\n\n" +
        "Examples:\n  codemode eval\n  codemode eval --only demo,github --json\n  OPENAI_BASE_URL=http://localhost:11434/v1 codemode eval --model qwen3",
    )
    .action(async (flags: EvalFlags) => {
      try {
        const [{ runEval }, { evalTable }, { resolveEndpoint }] = await Promise.all([
          import("../bench/eval/run.js"),
          import("../bench/eval/report.js"),
          import("../integrations/agent/client.js"),
        ])
        const configured = !flags.scripted && Boolean(process.env.OPENAI_BASE_URL || process.env.OPENAI_API_KEY)
        const endpoint = configured ? resolveEndpoint(flags.model === undefined ? {} : { model: flags.model }) : undefined
        const report = await runEval({
          ...(flags.only ? { only: flags.only } : {}),
          ...(endpoint ? { endpoint } : {}),
          onResult: (r) => process.stderr.write(`${r.ok ? "✓" : "✗"} ${r.task} (${r.arm}): ${r.turns} turns, ${r.promptTokens} prompt tokens${r.failure ? ` — ${r.failure}` : ""}\n`),
        })
        process.stdout.write(`${flags.json ? JSON.stringify(report) : evalTable(report)}\n`)
      } catch (error) {
        reportHostFailure(error)
      }
    })
}
