/** `codemode types`: print the TypeScript declarations of the configured tools (the API a program codes against). */
import { writeFile } from "node:fs/promises"
import { Command, Option } from "commander"
import { codemodeError } from "../errors.js"
import { tokenizer } from "../lazy.js"
import type { Tool, ToolSource } from "../tools/tool.js"
import type { DocMode } from "../types/jsdoc.js"
import { reportHostFailure } from "./session.js"
import { sourcesFromFlags, type SourceFlags } from "./sources.js"

interface TypesFlags extends SourceFlags {
  /** Write here instead of stdout (`-o`). */
  output?: string
  docs?: DocMode
}

/** Loads every source, always closing all of them. */
async function loadTools(sources: readonly ToolSource[]): Promise<Tool[]> {
  try {
    return (await Promise.all(sources.map((s) => s.load()))).flat()
  } finally {
    await Promise.allSettled(sources.map((s) => s.close?.()))
  }
}

async function printTypes(flags: TypesFlags): Promise<void> {
  const tools = await loadTools(await sourcesFromFlags(flags))
  // With --openapi, --namespace names that source; otherwise it selects one namespace of the config.
  const only = flags.namespace !== undefined && flags.openapi === undefined ? { namespace: flags.namespace } : {}
  const { generateDeclarations } = await import("../types/declarations.js") // not loaded by `--help`
  const dts = generateDeclarations(tools, { ...only, docs: flags.docs ?? "full" })
  if (flags.output === undefined) {
    process.stdout.write(dts)
    return
  }
  try {
    await writeFile(flags.output, dts)
  } catch (error) {
    throw codemodeError("CONFIG_INVALID", "cli", `cannot write ${flags.output}: ${(error as Error).message}`, { cause: error })
  }
  const { countTokens } = tokenizer()
  process.stderr.write(`wrote ${flags.output}: ${tools.length} tools, ${dts.length} characters, ${countTokens(dts)} o200k tokens\n`)
}

export function typesCommand(): Command {
  return new Command("types")
    .description("print the TypeScript declarations (.d.ts) of the tools: one `declare namespace codemode.<ns>` per source")
    .option("--openapi <spec>", "OpenAPI 3.x spec (file or URL, JSON or YAML, .gz ok)")
    .option("-c, --config <file>", "codemode.json (or a Claude Desktop / Cursor config with mcpServers)")
    .option("--namespace <ns>", "namespace of the --openapi tools; with --config only, print just this namespace")
    .addOption(new Option("--docs <mode>", "documentation in the declarations").choices(["full", "summary", "none"]).default("full"))
    .option("-o, --output <file>", "write the declarations to a file instead of stdout")
    .action(async (flags: TypesFlags) => {
      try {
        await printTypes(flags)
      } catch (error) {
        reportHostFailure(error)
      }
    })
}
