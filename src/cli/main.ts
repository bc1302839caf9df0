#!/usr/bin/env node
/** The `codemode` command line: assembles the commands, one per file. */
import { createRequire } from "node:module"
import { Command } from "commander"
import { agentCommand } from "./agent.js"
import { auditCommand } from "./audit.js"
import { benchCommand } from "./bench.js"
import { checkCommand } from "./check.js"
import { demoCommand } from "./demo.js"
import { evalCommand } from "./eval.js"
import { proceduresCommand } from "./procedures.js"
import { resumeCommand } from "./resume.js"
import { runCommand } from "./run.js"
import { runsCommand } from "./runs.js"
import { searchCommand } from "./search.js"
import { serveCommand } from "./serve.js"
import { tokensCommand } from "./tokens.js"
import { typesCommand } from "./types.js"

// src/cli/main.ts and dist/cli/main.js both sit two levels below package.json.
const { version } = createRequire(import.meta.url)("../../package.json") as { version: string }

const program = new Command("codemode")
  .version(version)
  // `--version` is the program's only before the command name: `procedures show <name> --version 2` is the subcommand's.
  .enablePositionalOptions()
  .description("Code Mode runtime: tools as a typed TypeScript API, model-written programs in a QuickJS sandbox")
  .addCommand(runCommand())
  .addCommand(checkCommand())
  .addCommand(resumeCommand())
  .addCommand(runsCommand())
  .addCommand(proceduresCommand())
  .addCommand(demoCommand())
  .addCommand(typesCommand())
  .addCommand(serveCommand())
  .addCommand(searchCommand())
  .addCommand(tokensCommand())
  .addCommand(benchCommand())
  .addCommand(auditCommand())
  .addCommand(agentCommand())
  .addCommand(evalCommand())

await program.parseAsync(process.argv)
