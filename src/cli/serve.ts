/** `codemode serve`: the MCP server (search + execute) over stdio or Streamable HTTP. */
import { createRequire } from "node:module"
import { Command } from "commander"
import { codemodeError } from "../errors.js"
import type { Limits } from "../sandbox/executor.js"
import { createCodeModeServer, listenHttp } from "../server/lazy.js"
import type { CodeModeServer } from "../server/server.js"
import { EXIT_HOST_FAILED } from "./session.js"
import { addGovernanceFlags, governanceOptions, type GovernanceFlags } from "./governance.js"
import { configFromFlags, type SourceFlags } from "./sources.js"

interface ServeFlags extends SourceFlags, GovernanceFlags {
  http?: string
  host: string
  token?: string
  timeout?: string
  budget?: string
  maxResultChars?: string
}

const ORIGIN = "serve"

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw codemodeError("CONFIG_INVALID", ORIGIN, `${flag} must be a non-negative integer, got ${JSON.stringify(value)}`)
  return n
}

function packageVersion(): string {
  // src/cli/serve.ts and dist/cli/serve.js both sit two levels below package.json
  return (createRequire(import.meta.url)("../../package.json") as { version: string }).version
}

const say = (line: string) => process.stderr.write(`${line}\n`)

/** Closes everything once, on SIGINT/SIGTERM or when the stdio client goes away, then exits. */
function onShutdown(close: () => Promise<void>, stdio: boolean): void {
  let done = false
  const shutdown = (why: string) => {
    if (done) return
    done = true
    say(`[codemode] [serve] ${why}: closing upstream servers`)
    close()
      .catch((error: unknown) => say(`[codemode] [serve] error while closing: ${String(error)}`))
      .finally(() => process.exit(0))
  }
  process.once("SIGINT", () => shutdown("SIGINT"))
  process.once("SIGTERM", () => shutdown("SIGTERM"))
  if (stdio) {
    process.stdin.once("end", () => shutdown("stdin closed"))
    process.stdin.once("close", () => shutdown("stdin closed"))
  }
}

async function serve(flags: ServeFlags): Promise<void> {
  const port = positive("--http", flags.http)
  const timeMs = positive("--timeout", flags.timeout)
  const limits: Partial<Limits> = timeMs ? { timeMs } : {}
  const budget = positive("--budget", flags.budget)
  const maxChars = positive("--max-result-chars", flags.maxResultChars)
  const config = await configFromFlags(flags)
  const server: CodeModeServer = await createCodeModeServer({
    sources: config.sources,
    ...(await governanceOptions(flags, config)),
    limits,
    name: "codemode",
    version: packageVersion(),
    ...(budget === undefined ? {} : { tokenBudget: budget }),
    ...(maxChars === undefined ? {} : { maxChars }),
    // a source that fails is reported and skipped: the others are still served
    onError: (error) => say(`${error.message} (serving the other sources)`),
  })
  const tools = server.definitions().map((d) => d.name).join(" + ")
  const summary = `${server.tools().length} functions, tools: ${tools}`
  if (port === undefined) {
    if (flags.token) say("[codemode] [serve] --token only applies to --http; ignored on stdio")
    const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js")
    const transport = new StdioServerTransport()
    await server.createSession().connect(transport)
    onShutdown(() => server.close(), true)
    say(`[codemode] [serve] MCP server on stdio: ${summary}`)
    return
  }
  const token = flags.token ?? process.env.CODEMODE_TOKEN
  const endpoint = await listenHttp(server, { port, host: flags.host, ...(token ? { token } : {}) })
  onShutdown(async () => {
    await endpoint.close()
    await server.close()
  }, false)
  say(`[codemode] [serve] MCP server on ${endpoint.url}${token ? " (bearer token required)" : ""}: ${summary}`)
}

export function serveCommand(): Command {
  const command = new Command("serve")
    .description("run the MCP server: `search` + `execute` (or `execute` alone for small APIs) over stdio or Streamable HTTP")
    .option("-c, --config <file>", "tool sources from a codemode.json / Claude Desktop / Cursor config")
    .option("--openapi <spec>", "tools from an OpenAPI 3.x spec (path or URL)")
    .option("--namespace <ns>", "namespace of the --openapi tools", "api")
    .option("--base-url <url>", "base URL of the --openapi API (default: the spec's first server)")
    .option("--demo", "add the built-in demo functions (the default when no other source is given)")
    .option("--http <port>", "serve Streamable HTTP on this port (path /mcp) instead of stdio")
    .option("--host <host>", "interface for --http", "127.0.0.1")
    .option("--token <token>", "require `Authorization: Bearer <token>` on --http (default: $CODEMODE_TOKEN)")
    .option("--timeout <ms>", "wall-time limit of each run in milliseconds (default 30000)")
    .option("--budget <tokens>", "declarations up to this many tokens go whole into `execute` (default 4000)")
    .option("--max-result-chars <n>", "longest result text returned to the model (default 24000)")
  return addGovernanceFlags(command)
    .addHelpText(
      "after",
      "\nExamples:\n  codemode serve --config codemode.json\n  codemode serve --openapi ./github.json --namespace github --http 3000 --token secret",
    )
    .action(async (flags: ServeFlags) => {
      try {
        await serve(flags)
      } catch (error) {
        say(error instanceof Error ? error.message : String(error))
        process.exit(EXIT_HOST_FAILED)
      }
    })
}
