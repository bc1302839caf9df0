/**
 * `codemode serve`: the MCP server (search + execute) over stdio or Streamable HTTP. Logs go to
 * stderr, one levelled line each (`[codemode] WARN [http] …`); stdout belongs to the protocol.
 */
import { createRequire } from "node:module"
import { Command } from "commander"
import { codemodeError } from "../errors.js"
import type { Limits } from "../sandbox/executor.js"
import { createCodeModeServer, listenHttp } from "../server/lazy.js"
import { filterLog, LOG_LEVELS, type ServerLog, type ServerLogLevel } from "../server/log.js"
import type { CodeModeServer } from "../server/server.js"
import { EXIT_HOST_FAILED, proceduresFromConfig, typecheckFromFlags } from "./session.js"
import { addGovernanceFlags, governanceOptions, type GovernanceFlags } from "./governance.js"
import { addSourceFlags, configFromFlags, type SourceFlags } from "./sources.js"

interface ServeFlags extends SourceFlags, GovernanceFlags {
  typecheck?: string
  http?: string
  host: string
  token?: string
  timeout?: string
  budget?: string
  maxResultChars?: string
  sourceGrace?: string
  idleTimeout?: string
  maxSessions?: string
  logLevel: string
}

const ORIGIN = "serve"

/** An integer flag of at least `min` (only a port may be 0: any free one). */
function integer(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw codemodeError("CONFIG_INVALID", ORIGIN, `${flag} must be an integer of at least ${min}, got ${JSON.stringify(value)}`)
  return n
}

function packageVersion(): string {
  // src/cli/serve.ts and dist/cli/serve.js both sit two levels below package.json
  return (createRequire(import.meta.url)("../../package.json") as { version: string }).version
}

/** `30m`, `90s`, `1h`, `500ms`; a bare number is milliseconds. */
function duration(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/.exec(value.trim())
  const scale = { ms: 1, s: 1_000, m: 60_000, min: 60_000, h: 3_600_000 }[m?.[2] ?? "ms"] ?? 1
  const ms = m ? Math.round(Number(m[1]) * scale) : Number.NaN
  if (!(ms >= 1)) throw codemodeError("CONFIG_INVALID", ORIGIN, `${flag} must be a duration like 30m, 90s or 500ms, got ${JSON.stringify(value)}`)
  return ms
}

/** Writes levelled lines to stderr: `[codemode] WARN [origin] message`. */
function stderrLog(min: string): ServerLog {
  if (!(LOG_LEVELS as readonly string[]).includes(min)) {
    throw codemodeError("CONFIG_INVALID", ORIGIN, `--log-level must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(min)}`)
  }
  const write: ServerLog = (level, message) => {
    const text = message.replace(/^\[codemode\] /, "").replace(/\n/g, " ")
    process.stderr.write(`[codemode] ${level.toUpperCase()} ${text}\n`)
  }
  return filterLog(write, min as ServerLogLevel)
}


/** Closes everything once, on SIGINT/SIGTERM or when the stdio client goes away, then exits. */
function onShutdown(close: () => Promise<void>, stdio: boolean, log: ServerLog): void {
  let done = false
  const shutdown = (why: string) => {
    if (done) return
    done = true
    log("info", `[codemode] [serve] ${why}: closing upstream servers`)
    close()
      .catch((error: unknown) => log("error", `[codemode] [serve] error while closing: ${String(error)}`))
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
  const log = stderrLog(flags.logLevel)
  const say = (line: string, level: ServerLogLevel = "info") => log(level, line)
  const port = integer("--http", flags.http, 0)
  const timeMs = integer("--timeout", flags.timeout)
  const limits: Partial<Limits> = timeMs ? { timeMs } : {}
  const budget = integer("--budget", flags.budget)
  const maxChars = integer("--max-result-chars", flags.maxResultChars)
  const graceMs = duration("--source-grace", flags.sourceGrace)
  const idleTimeoutMs = duration("--idle-timeout", flags.idleTimeout)
  const maxSessions = integer("--max-sessions", flags.maxSessions)
  if (port !== undefined && flags.token?.trim() === "") {
    // `--token "$TOKEN"` with TOKEN unset would otherwise serve without authentication.
    throw codemodeError("CONFIG_INVALID", ORIGIN, "--token is empty: give a token (or set CODEMODE_TOKEN), or leave --token out to serve without one")
  }
  const token = flags.token ?? (process.env.CODEMODE_TOKEN || undefined)
  const config = await configFromFlags(flags)
  const typecheck = typecheckFromFlags(flags.typecheck, config)
  const server: CodeModeServer = await createCodeModeServer({
    sources: config.sources,
    ...(typecheck === undefined ? {} : { typecheck }),
    ...proceduresFromConfig(config),
    ...(config.search ? { search: config.search } : {}),
    ...(await governanceOptions(flags, config)),
    limits,
    name: "codemode",
    version: packageVersion(),
    ...(budget === undefined ? {} : { tokenBudget: budget }),
    ...(maxChars === undefined ? {} : { maxChars }),
    ...(graceMs === undefined ? {} : { sourceLoading: { graceMs } }),
    // sources that fail are logged (once per change) and retried; the others are served meanwhile
    log,
  })
  const tools = server.definitions().map((d) => d.name).join(" + ")
  const waiting = server.sources().filter((s) => s.state !== "ready").map((s) => `${s.namespace} (${s.state})`)
  const summary = `${server.tools().length} functions, tools: ${tools}${waiting.length ? `; not loaded yet: ${waiting.join(", ")}` : ""}`
  if (port === undefined) {
    if (flags.token) say("[codemode] [serve] --token only applies to --http; ignored on stdio", "warn")
    const { serveStdio } = await import("../server/stdio.js") // with the MCP SDK: not loaded by `--help`
    await serveStdio(server, { log })
    onShutdown(() => server.close(), true, log)
    say(`[codemode] [serve] MCP server on stdio: ${summary}`)
    return
  }
  const endpoint = await listenHttp(server, {
    port,
    host: flags.host,
    log,
    ...(token ? { token } : {}),
    ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
    ...(maxSessions === undefined ? {} : { maxSessions }),
  })
  onShutdown(async () => {
    await endpoint.close()
    await server.close()
  }, false, log)
  say(`[codemode] [serve] MCP server on ${endpoint.url}${token ? " (bearer token required)" : ""}: ${summary}`)
  if (!token) {
    const who = ["127.0.0.1", "localhost", "::1"].includes(flags.host) ? "any program or user on this machine" : `anyone who can reach ${flags.host}`
    say(`[codemode] [serve] --http without a token: ${who} can run code with these tools; set --token or CODEMODE_TOKEN`, "warn")
  }
}

export function serveCommand(): Command {
  const command = new Command("serve")
    .description("run the MCP server: `search` + `execute` (or `execute` alone for small APIs) over stdio or Streamable HTTP")
  addSourceFlags(command)
    .option("--http <port>", "serve Streamable HTTP on this port (path /mcp) instead of stdio")
    .option("--host <host>", "interface for --http", "127.0.0.1")
    .option("--token <token>", "require `Authorization: Bearer <token>` on --http (default: $CODEMODE_TOKEN)")
    .option("--timeout <ms>", "wall-time limit of each run in milliseconds (default 30000)")
    .option("--budget <tokens>", "declarations up to this many tokens go whole into `execute` (default 4000)")
    .option("--max-result-chars <n>", "longest result text returned to the model (default 24000)")
    .option("--source-grace <duration>", "longest wait for slow sources before serving; the rest join later (default 2s)")
    .option("--idle-timeout <duration>", "close an --http session after this long without requests (default 30m)")
    .option("--max-sessions <n>", "most --http sessions open at once (default 1000)")
    .option("--log-level <level>", "least severe stderr log line: debug, info, warn or error", "info")
    .option("--typecheck <mode>", "check programs against the declarations before they run: error (default: do not run one with type errors), warn (run, attach them), off")
  return addGovernanceFlags(command)
    .addHelpText(
      "after",
      "\nExamples:\n  codemode serve --config codemode.json\n  codemode serve --openapi ./github.json --namespace github --http 3000 --token secret",
    )
    .action(async (flags: ServeFlags) => {
      try {
        await serve(flags)
      } catch (error) {
        stderrLog("info")("error", error instanceof Error ? error.message : String(error))
        process.exit(EXIT_HOST_FAILED)
      }
    })
}
