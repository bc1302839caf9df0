/**
 * The source flags every command that works against tools takes, defined once: `--config`,
 * `--openapi` (with `--namespace` / `--base-url`) and `--demo`; and the config they describe (the
 * tool sources and, from a config file, the policy, run store, audit and typecheck settings).
 */
import type { Command } from "commander"
import { codemodeError } from "../errors.js"
import type { CodeModeConfig } from "../tools/config.js"
import type { ToolSource } from "../tools/tool.js"

export interface SourceFlags {
  /** Path of a codemode.json (or Claude Desktop / Cursor config). */
  config?: string
  /** Path or URL of an OpenAPI 3.x spec. */
  openapi?: string
  /** Namespace of the `--openapi` tools (default {@link DEFAULT_OPENAPI_NAMESPACE}); without `--openapi`, the one namespace to keep. */
  namespace?: string
  /** Base URL of the `--openapi` API. Default: the spec's first server. */
  baseUrl?: string
  /** Add the demo functions even when other sources are configured. */
  demo?: boolean
}

/** Default namespace of `--openapi` tools. */
export const DEFAULT_OPENAPI_NAMESPACE = "api"

/** Adds the source flags to a command. */
export function addSourceFlags(command: Command): Command {
  return addConfigFlag(command, "tool sources (and policy, runs, audit, typecheck) from a codemode.json / Claude Desktop / Cursor config")
    .option("--openapi <spec>", "tools from an OpenAPI 3.x spec (file or URL, JSON or YAML, .gz ok)")
    .option("--namespace <ns>", `namespace of the --openapi tools (default: ${DEFAULT_OPENAPI_NAMESPACE}); without --openapi, only this namespace of the config`)
    .option("--base-url <url>", "base URL of the --openapi API (default: the spec's first server)")
    .option("--demo", "add the built-in demo functions (the default when no other source is given)")
}

/** Adds `-c, --config <file>` alone, for commands that read only the config's settings (`codemode runs`). */
export function addConfigFlag(command: Command, description: string): Command {
  return command.option("-c, --config <file>", description)
}

/** The source flags as command-line arguments again (unquoted), e.g. for the `resume` command a paused run prints. */
export function sourceFlagArgs(flags: SourceFlags): string[] {
  const args: string[] = []
  if (flags.config) args.push("--config", flags.config)
  if (flags.openapi) args.push("--openapi", flags.openapi)
  if (flags.namespace !== undefined) args.push("--namespace", flags.namespace)
  if (flags.baseUrl) args.push("--base-url", flags.baseUrl)
  if (flags.demo) args.push("--demo")
  return args
}

/**
 * The config the flags describe: the config file's, with the `--openapi` and demo sources added;
 * `--namespace` without `--openapi` keeps only that namespace's source (`CONFIG_INVALID` when none has it).
 */
export async function configFromFlags(flags: SourceFlags): Promise<CodeModeConfig> {
  // loaded here rather than with the command definitions, which `--help` reads
  const [{ loadCodeModeConfig }, { openapi }, { demoSource }] = await Promise.all([
    import("../tools/config.js"),
    import("../tools/openapi/index.js"),
    import("../tools/demo.js"),
  ])
  const config: CodeModeConfig = flags.config ? await loadCodeModeConfig(flags.config) : { sources: [] }
  let sources: ToolSource[] = [...config.sources]
  if (flags.openapi) {
    sources.push(
      openapi(flags.namespace ?? DEFAULT_OPENAPI_NAMESPACE, {
        spec: flags.openapi,
        ...(flags.baseUrl ? { baseUrl: flags.baseUrl } : {}),
      }),
    )
  }
  if (flags.demo || sources.length === 0) sources.push(demoSource())
  if (flags.namespace !== undefined && !flags.openapi) {
    const only = sources.filter((s) => s.namespace === flags.namespace)
    if (only.length === 0) {
      const available = sources.map((s) => s.namespace).sort().join(", ")
      throw codemodeError("CONFIG_INVALID", "cli", `namespace "${flags.namespace}" has no tools; available: ${available}`)
    }
    sources = only
  }
  return { ...config, sources }
}
