/** `codemode types`: print the TypeScript declarations of the configured tools (the API a program codes against). */
import { writeFile } from "node:fs/promises"
import { Command, Option } from "commander"
import { codemodeError } from "../errors.js"
import { tokenizer } from "../lazy.js"
import type { DocMode } from "../types/jsdoc.js"
import { withCodeMode, type SessionFlags } from "./session.js"
import { addSourceFlags } from "./sources.js"

interface TypesFlags extends SessionFlags {
  /** Write here instead of stdout (`-o`). */
  output?: string
  docs?: DocMode
}

async function printTypes(dts: string, tools: number, output: string | undefined): Promise<void> {
  if (output === undefined) {
    process.stdout.write(dts)
    return
  }
  try {
    await writeFile(output, dts)
  } catch (error) {
    throw codemodeError("CONFIG_INVALID", "cli", `cannot write ${output}: ${(error as Error).message}`, { cause: error })
  }
  const { countTokens } = tokenizer()
  process.stderr.write(`wrote ${output}: ${tools} tools, ${dts.length} characters, ${countTokens(dts)} o200k tokens\n`)
}

export function typesCommand(): Command {
  const command = new Command("types").description("print the TypeScript declarations (.d.ts) of the tools: one `declare namespace codemode.<ns>` per source")
  return addSourceFlags(command)
    .addOption(new Option("--docs <mode>", "documentation in the declarations").choices(["full", "summary", "none"]).default("full"))
    .option("-o, --output <file>", "write the declarations to a file instead of stdout")
    .action(async (flags: TypesFlags) => {
      await withCodeMode(
        flags,
        async (cm) => {
          await printTypes(cm.declarations({ docs: flags.docs ?? "full" }), cm.tools().length, flags.output)
          return 0
        },
        { governance: false },
      )
    })
}
