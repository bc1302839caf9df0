/**
 * Checking an `mcp()` config given in code (config files are checked with zod in ../config.ts first).
 */
import { codemodeError } from "../../errors.js"
import { isObject } from "../json.js"
import type { McpServerConfig } from "./connection.js"

/** Returns a clean copy of the server part of `config`, or throws `CONFIG_INVALID` naming the field. */
export function validateServerConfig(config: unknown, origin: string): McpServerConfig {
  const bad = (message: string) => codemodeError("CONFIG_INVALID", origin, message)
  if (typeof config !== "object" || config === null) throw bad("config must be an object with `command` (stdio) or `url` (HTTP)")
  const c = config as Record<string, unknown>
  for (const key of ["callTimeoutMs", "connectTimeoutMs", "pingTimeoutMs"]) {
    const v = c[key]
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v > 0)) throw bad(`${key} must be a positive number of milliseconds, got ${JSON.stringify(v)}`)
  }
  if (c.stderr !== undefined && !["capture", "inherit", "ignore"].includes(c.stderr as string)) {
    throw bad(`stderr must be "capture", "inherit" or "ignore", got ${JSON.stringify(c.stderr)}`)
  }
  if (c.command !== undefined && c.url !== undefined) throw bad("give either `command` (stdio) or `url` (HTTP), not both")
  if (c.command !== undefined) {
    if (typeof c.command !== "string" || c.command.trim() === "") throw bad("`command` must be a non-empty string, e.g. \"npx\"")
    if (c.args !== undefined && !(Array.isArray(c.args) && c.args.every((a) => typeof a === "string"))) throw bad("`args` must be an array of strings")
    if (c.env !== undefined && !isStringRecord(c.env)) throw bad("`env` must be an object of string values")
    if (c.cwd !== undefined && typeof c.cwd !== "string") throw bad("`cwd` must be a string path")
    return {
      command: c.command,
      ...(c.args ? { args: [...(c.args as string[])] } : {}),
      ...(c.env ? { env: { ...(c.env as Record<string, string>) } } : {}),
      ...(c.cwd ? { cwd: c.cwd as string } : {}),
    }
  }
  if (c.url !== undefined) {
    let url: URL
    try {
      url = new URL(String(c.url))
    } catch {
      throw bad(`\`url\` ${JSON.stringify(c.url)} is not a valid URL`)
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw bad(`\`url\` must be http(s), got ${JSON.stringify(c.url)}`)
    if (c.headers !== undefined && !isStringRecord(c.headers)) throw bad("`headers` must be an object of string values")
    if (c.transport !== undefined && c.transport !== "streamable-http" && c.transport !== "sse") {
      throw bad(`\`transport\` must be "streamable-http" or "sse" (or left out to try both), got ${JSON.stringify(c.transport)}`)
    }
    return {
      url: url.href,
      ...(c.headers ? { headers: { ...(c.headers as Record<string, string>) } } : {}),
      ...(c.transport ? { transport: c.transport as "streamable-http" | "sse" } : {}),
    }
  }
  throw bad("config needs `command` (a stdio server to start) or `url` (an HTTP server to connect to)")
}

function isStringRecord(v: unknown): boolean {
  return isObject(v) && Object.values(v).every((x) => typeof x === "string")
}
