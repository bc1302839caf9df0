/**
 * The tool sources (and, from a config file, the policy, run store and audit settings) a CLI
 * command works against, from its flags: `--config codemode.json`, `--openapi <spec>` (with
 * `--namespace` / `--base-url`), and the built-in demo functions when neither is given.
 */
import type { CodeModeConfig } from "../tools/config.js"
import type { ToolSource } from "../tools/tool.js"

export interface SourceFlags {
  /** Path of a codemode.json (or Claude Desktop / Cursor config). */
  config?: string
  /** Path or URL of an OpenAPI 3.x spec. */
  openapi?: string
  /** Namespace of the `--openapi` tools. Default "api". */
  namespace?: string
  /** Base URL of the `--openapi` API. Default: the spec's first server. */
  baseUrl?: string
  /** Add the demo functions even when other sources are configured. */
  demo?: boolean
}

/** Default namespace of `--openapi` tools. */
export const DEFAULT_OPENAPI_NAMESPACE = "api"

/** The config the flags describe: the config file's, with the `--openapi` and demo sources added. */
export async function configFromFlags(flags: SourceFlags): Promise<CodeModeConfig> {
  // loaded here rather than with the command definitions, which `--help` reads
  const [{ loadCodeModeConfig }, { openapi }, { demoSource }] = await Promise.all([
    import("../tools/config.js"),
    import("../tools/openapi/index.js"),
    import("../runtime/demo.js"),
  ])
  const config: CodeModeConfig = flags.config ? await loadCodeModeConfig(flags.config) : { sources: [] }
  const sources: ToolSource[] = [...config.sources]
  if (flags.openapi) {
    sources.push(
      openapi(flags.namespace ?? DEFAULT_OPENAPI_NAMESPACE, {
        spec: flags.openapi,
        ...(flags.baseUrl ? { baseUrl: flags.baseUrl } : {}),
      }),
    )
  }
  if (flags.demo || sources.length === 0) sources.push(demoSource())
  return { ...config, sources }
}

export async function sourcesFromFlags(flags: SourceFlags): Promise<ToolSource[]> {
  return (await configFromFlags(flags)).sources
}
