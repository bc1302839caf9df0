/**
 * `codemode.json`: the `mcpServers` object of Claude Desktop / Cursor configs as is, plus `openapi`
 * entries, turned into tool sources, and the optional `policy`, `runs` and `audit` settings.
 * Validated with zod here, at the edge; errors name the JSON path.
 */
import { readFile } from "node:fs/promises"
import { dirname, isAbsolute, resolve } from "node:path"
import type { z } from "zod"
import { codemodeError, type CodeModeError } from "../errors.js"
import { once, zod } from "../lazy.js"
import { filterTools } from "./filter.js"
import { toIdentifier } from "./identifiers.js"
import { isObject } from "./json.js"
import { mcp } from "./mcp/index.js"
import { openapi } from "./openapi/index.js"
import type { OpenApiAuth } from "./openapi/index.js"
import { checkPolicy, policySchemas, strictSchema, zodProblem, type Policy } from "./policy-config.js"
import type { ToolSource } from "./tool.js"

const ORIGIN = "config"

type Env = Record<string, string | undefined>

export interface ParseConfigOptions {
  /** Folder relative paths (`cwd`, `command`, `spec`) are resolved against: the config file's folder. */
  baseDir: string
  /** Where `${VAR}` and `{ "env": "VAR" }` are looked up. Default `process.env`. */
  env?: Env
  /** The file name used in error messages. Default "codemode.json". */
  file?: string
}

/** The config file's schemas, built on first use (zod loads lazily: see lazy.ts). */
const configSchemas = once(() => {
  const z = zod()
  const { PositiveIntSchema } = policySchemas()
  const Globs = z.array(z.string().min(1, "a glob cannot be empty")).optional()
  const StringRecord = z.record(z.string(), z.string())
  const Millis = z.number().positive().optional()
  const Common = { disabled: z.boolean().optional(), include: Globs, exclude: Globs }

  /** A stdio server entry (Claude Desktop / Cursor shape); unknown keys such as `autoApprove` are ignored. */
  const StdioEntrySchema = z.looseObject({
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    env: StringRecord.optional(),
    cwd: z.string().optional(),
    type: z.literal("stdio").optional(),
    callTimeoutMs: Millis,
    connectTimeoutMs: Millis,
    ...Common,
  })

  /** A remote server entry; `type` is the VS Code / Claude Code spelling of `transport`. */
  const HttpEntrySchema = z.looseObject({
    url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
    headers: StringRecord.optional(),
    type: z.enum(["http", "streamable-http", "streamableHttp", "sse"]).optional(),
    transport: z.enum(["streamable-http", "sse"]).optional(),
    callTimeoutMs: Millis,
    connectTimeoutMs: Millis,
    ...Common,
  })

  const Secret = z.union([z.string(), z.strictObject({ env: z.string().min(1) })], {
    error: 'must be a string (may use "${VAR}") or { "env": "VAR" }',
  })
  const AuthSchema = z.union(
    [
      z.strictObject({ bearer: Secret }),
      z.strictObject({ header: z.strictObject({ name: z.string().min(1), value: Secret }) }),
      z.strictObject({ query: z.strictObject({ name: z.string().min(1), value: Secret }) }),
      z.strictObject({ basic: z.strictObject({ username: Secret, password: Secret }) }),
    ],
    { error: 'must be one of { "bearer": … }, { "header": { "name", "value" } }, { "query": { "name", "value" } }, { "basic": { "username", "password" } }' },
  )

  /** An OpenAPI entry: `spec` is a path (relative to the config file) or an http(s) URL. */
  const OpenApiEntrySchema = z.looseObject({
    spec: z.string().min(1),
    baseUrl: z.string().optional(),
    auth: AuthSchema.optional(),
    headers: StringRecord.optional(),
    timeoutMs: Millis,
    ...Common,
  })

  const ConfigSchema = z.looseObject({
    mcpServers: z.record(z.string(), z.unknown()).optional(),
    openapi: z.record(z.string(), z.unknown()).optional(),
  })

  /** `"runs"`: where durable runs (paused for approval, resumable after a crash) are kept. Paths are absolute once parsed. */
  const RunsConfigSchema = strictSchema(
    {
      /** Folder of the file run store, relative to the config file (e.g. ".codemode"). */
      stateDir: z.string().min(1, "must be a folder path").optional(),
      /** A Redis URL for a run store shared by several processes. */
      redis: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, e.g. "redis://127.0.0.1:6379/0"' }).optional(),
      /** Milliseconds a paused run and its resume token stay valid (e.g. 86400000, a day). */
      expiresIn: PositiveIntSchema.optional(),
      /** The secret resume tokens are signed with; use "${CODEMODE_RUN_KEY}" rather than writing it in the file. At least 16 characters. */
      key: z.string().min(16, "must be at least 16 characters (a secret that signs resume tokens)").optional(),
      /** Milliseconds an approval question waits for an answer (e.g. 300000, five minutes). */
      approvalTimeoutMs: PositiveIntSchema.optional(),
    },
    "an object",
  )

  /** `"audit"`: the JSON-lines log of tool calls, rotated by size. `false` turns it off. */
  const AuditConfigSchema = strictSchema(
    {
      /** The log file, relative to the config file (e.g. "audit.jsonl"). */
      file: z.string().min(1, "must be a file path").optional(),
      /** Rotate when the file reaches this many bytes (e.g. 10485760, 10 MiB). */
      maxBytes: PositiveIntSchema.optional(),
      /** Rotated files kept beside the current one (e.g. 5); 0 keeps none. */
      keep: z.number({ error: "must be an integer ≥ 0" }).int("must be an integer ≥ 0").nonnegative("must be an integer ≥ 0").optional(),
    },
    "an object",
    " or false",
  )

  const TypecheckModeSchema = z.enum(["error", "warn", "off"], { error: 'must be "error", "warn" or "off"' })

  /** `"typecheck"`: a mode, or a mode with budgets (see docs/typecheck.md). */
  const TypecheckConfigSchema = z.union(
    [
      TypecheckModeSchema,
      strictSchema(
        {
          mode: TypecheckModeSchema.optional(),
          /** Milliseconds one check may take (e.g. 5000). */
          timeMs: PositiveIntSchema.optional(),
          /** Heap of the checker's worker in bytes (e.g. 1073741824, 1 GiB). */
          memoryBytes: PositiveIntSchema.optional(),
          /** Over budget: "run" unchecked with a warning, or "fail". */
          onOverBudget: z.enum(["run", "fail"], { error: 'must be "run" or "fail"' }).optional(),
        },
        "an object",
      ),
    ],
    { error: 'must be "error", "warn", "off" or { "mode", "timeMs", "memoryBytes", "onOverBudget" }' },
  )

  /** `"search"`: an OpenAI-compatible embeddings endpoint fused with the lexical ranking (see docs/search.md). */
  const SearchConfigSchema = strictSchema(
    {
      embeddings: strictSchema(
        {
          /** e.g. "https://api.openai.com/v1" or "http://127.0.0.1:8080/v1": vectors come from POST <baseUrl>/embeddings. */
          baseUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
          /** The embedding model, e.g. "text-embedding-3-small". */
          model: z.string().min(1, "must name the embedding model"),
          /** Environment variable holding the API key (sent as a bearer token), e.g. "OPENAI_API_KEY". */
          apiKeyEnv: z.string().min(1).optional(),
          batchSize: PositiveIntSchema.optional(),
          timeoutMs: PositiveIntSchema.optional(),
          retryAfterMs: PositiveIntSchema.optional(),
          /** Folder of the vector cache, relative to the config file; false: memory only. */
          cacheDir: z.union([z.string().min(1), z.literal(false)], { error: "must be a folder path or false" }).optional(),
          queryPrefix: z.string().optional(),
          documentPrefix: z.string().optional(),
        },
        "an object",
      ).optional(),
    },
    "an object",
  )
  return { StdioEntrySchema, HttpEntrySchema, AuthSchema, OpenApiEntrySchema, ConfigSchema, RunsConfigSchema, AuditConfigSchema, TypecheckConfigSchema, SearchConfigSchema }
})
type ConfigSchemas = ReturnType<typeof configSchemas>

export type StdioEntry = z.infer<ConfigSchemas["StdioEntrySchema"]>
export type HttpEntry = z.infer<ConfigSchemas["HttpEntrySchema"]>
export type OpenApiEntry = z.infer<ConfigSchemas["OpenApiEntrySchema"]>
export type RunsConfig = z.infer<ConfigSchemas["RunsConfigSchema"]>
export type AuditConfig = z.infer<ConfigSchemas["AuditConfigSchema"]>
export type TypecheckConfig = z.infer<ConfigSchemas["TypecheckConfigSchema"]>
export type SearchConfig = z.infer<ConfigSchemas["SearchConfigSchema"]>

/** Everything a `codemode.json` holds. */
export interface CodeModeConfig {
  /** One per enabled `mcpServers` / `openapi` entry, filtered; nothing is started yet. */
  sources: ToolSource[]
  /** `"policy"` as written (validated, not compiled). */
  policy?: Policy
  /** `"runs"`, `${VAR}`s substituted, `stateDir` absolute. */
  runs?: RunsConfig
  /** `"audit"`, `${VAR}`s substituted, `file` absolute; `false` when turned off. */
  audit?: AuditConfig | false
  /** `"typecheck"`: a mode or a mode with budgets. */
  typecheck?: TypecheckConfig
  /** `"search"`, `${VAR}`s substituted, `embeddings.cacheDir` absolute. */
  search?: SearchConfig
}

/**
 * Reads a `codemode.json` (or a Claude Desktop / Cursor config) and returns its enabled sources.
 * Nothing is started or fetched yet; sources connect on `load()`. The whole file is validated
 * (`policy`, `runs`, `audit` too); {@link loadCodeModeConfig} returns those as well.
 *
 * @param env Where `${VAR}` references are looked up. Default `process.env`.
 * @throws CodeModeError `CONFIG_INVALID` naming the file, the JSON path and what to change.
 */
export async function loadConfig(path: string, env: Env = process.env): Promise<ToolSource[]> {
  return (await loadCodeModeConfig(path, env)).sources
}

/**
 * Reads a `codemode.json`: its sources (as {@link loadConfig}) and its `policy`, `runs` and `audit`.
 *
 * @param env Where `${VAR}` references are looked up. Default `process.env`.
 * @throws CodeModeError `CONFIG_INVALID` naming the file, the JSON path and what to change.
 */
export async function loadCodeModeConfig(path: string, env: Env = process.env): Promise<CodeModeConfig> {
  const file = resolve(path)
  let text: string
  try {
    text = await readFile(file, "utf8")
  } catch (error) {
    throw codemodeError("CONFIG_INVALID", ORIGIN, `cannot read ${file}: ${(error as Error).message}`, { cause: error })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw codemodeError("CONFIG_INVALID", ORIGIN, `${file} is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
  return parseCodeModeConfig(json, { baseDir: dirname(file), env, file })
}

/**
 * Turns a parsed config object into sources: one `mcp()` per enabled `mcpServers` entry, one
 * `openapi()` per `openapi` entry, each wrapped in its `include`/`exclude` filter. The namespace is
 * the entry's key made an identifier (`"my-api"` → `my_api`). {@link parseCodeModeConfig} also
 * returns `policy`, `runs` and `audit`.
 */
export function parseConfig(json: unknown, options: ParseConfigOptions): ToolSource[] {
  return parseCodeModeConfig(json, options).sources
}

/**
 * A parsed config object as a {@link CodeModeConfig}. `policy` is validated but not compiled;
 * `runs` and `audit` get `${VAR}` substitution and their paths resolved against `baseDir`.
 * A file needs `mcpServers` or `openapi` even when it has the other keys.
 */
export function parseCodeModeConfig(json: unknown, options: ParseConfigOptions): CodeModeConfig {
  const file = options.file ?? "codemode.json"
  const env = options.env ?? process.env
  const fail = (path: string, message: string) => codemodeError("CONFIG_INVALID", ORIGIN, `${file}: ${path ? `${path}: ` : ""}${message}`)
  const top = configSchemas().ConfigSchema.safeParse(json)
  if (!top.success) throw zodFailure(top.error, "", fail)
  if (top.data.mcpServers === undefined && top.data.openapi === undefined) {
    throw fail("", 'no "mcpServers" or "openapi" object found; see docs/mcp.md for the format')
  }
  const settings = parseSettings(top.data, options.baseDir, env, fail)
  const sources: ToolSource[] = []
  const namespaces = new Map<string, string>()
  const claim = (path: string, key: string): string => {
    const ns = toIdentifier(key)
    const other = namespaces.get(ns)
    if (other !== undefined) throw fail(path, `its namespace "${ns}" is already used by ${other}; rename one of the entries`)
    namespaces.set(ns, path)
    return ns
  }
  const entries = (section: "mcpServers" | "openapi") => Object.entries(top.data[section] ?? {})

  for (const [key, raw] of entries("mcpServers")) {
    const path = `mcpServers.${key}`
    if (isDisabled(raw)) continue
    const entry = substitute(raw, path, key, env, fail)
    const ns = claim(path, key)
    sources.push(mcpSource(ns, entry, path, options.baseDir, fail))
  }
  for (const [key, raw] of entries("openapi")) {
    const path = `openapi.${key}`
    if (isDisabled(raw)) continue
    const entry = substitute(raw, path, key, env, fail)
    const parsed = configSchemas().OpenApiEntrySchema.safeParse(entry)
    if (!parsed.success) throw zodFailure(parsed.error, path, fail)
    const ns = claim(path, key)
    const e = parsed.data
    const source = openapi(ns, {
      spec: /^https?:\/\//i.test(e.spec) ? e.spec : resolve(options.baseDir, e.spec),
      ...(e.baseUrl !== undefined ? { baseUrl: e.baseUrl } : {}),
      ...(e.auth ? { auth: resolveAuth(e.auth, `${path}.auth`, key, env, fail) } : {}),
      ...(e.headers ? { headers: e.headers } : {}),
      ...(e.timeoutMs !== undefined ? { timeoutMs: e.timeoutMs } : {}),
    })
    sources.push(withFilter(source, e))
  }
  return { sources, ...settings }
}

/** `policy`, `runs`, `audit` and `typecheck`, each when present. */
function parseSettings(top: Record<string, unknown>, baseDir: string, env: Env, fail: Fail): Omit<CodeModeConfig, "sources"> {
  const settings: Omit<CodeModeConfig, "sources"> = {}
  if (top.policy !== undefined) {
    const checked = checkPolicy(top.policy, "policy")
    if ("problem" in checked) throw fail(checked.problem.path, checked.problem.message)
    settings.policy = checked.policy
  }
  if (top.runs !== undefined) {
    const parsed = configSchemas().RunsConfigSchema.safeParse(substitute(top.runs, "runs", undefined, env, fail))
    if (!parsed.success) throw zodFailure(parsed.error, "runs", fail)
    const runs = parsed.data
    settings.runs = runs.stateDir === undefined ? runs : { ...runs, stateDir: resolve(baseDir, runs.stateDir) }
  }
  if (top.audit === false) settings.audit = false
  else if (top.audit !== undefined) {
    const parsed = configSchemas().AuditConfigSchema.safeParse(substitute(top.audit, "audit", undefined, env, fail))
    if (!parsed.success) throw zodFailure(parsed.error, "audit", fail)
    const audit = parsed.data
    settings.audit = audit.file === undefined ? audit : { ...audit, file: resolve(baseDir, audit.file) }
  }
  if (top.typecheck !== undefined) {
    const parsed = configSchemas().TypecheckConfigSchema.safeParse(top.typecheck)
    if (!parsed.success) throw zodFailure(parsed.error, "typecheck", fail)
    settings.typecheck = parsed.data
  }
  if (top.search !== undefined) {
    const parsed = configSchemas().SearchConfigSchema.safeParse(substitute(top.search, "search", undefined, env, fail))
    if (!parsed.success) throw zodFailure(parsed.error, "search", fail)
    const { embeddings } = parsed.data
    settings.search = typeof embeddings?.cacheDir === "string" ? { embeddings: { ...embeddings, cacheDir: resolve(baseDir, embeddings.cacheDir) } } : parsed.data
  }
  return settings
}

type Fail = (path: string, message: string) => CodeModeError

function mcpSource(ns: string, entry: unknown, path: string, baseDir: string, fail: Fail): ToolSource {
  const obj = isObject(entry) ? entry : undefined
  if (!obj || ("command" in obj) === ("url" in obj)) {
    throw fail(path, 'an MCP server entry needs exactly one of "command" (a stdio server) or "url" (an HTTP server)')
  }
  const timeouts = (e: { callTimeoutMs?: number | undefined; connectTimeoutMs?: number | undefined }) => ({
    ...(e.callTimeoutMs !== undefined ? { callTimeoutMs: e.callTimeoutMs } : {}),
    ...(e.connectTimeoutMs !== undefined ? { connectTimeoutMs: e.connectTimeoutMs } : {}),
  })
  if ("command" in obj) {
    const parsed = configSchemas().StdioEntrySchema.safeParse(obj)
    if (!parsed.success) throw zodFailure(parsed.error, path, fail)
    const e = parsed.data
    // A path-like command ("./server.js") is relative to the config file; a bare name goes through PATH.
    const command = /[\\/]/.test(e.command) && !isAbsolute(e.command) ? resolve(baseDir, e.command) : e.command
    const source = mcp(ns, {
      command,
      ...(e.args ? { args: e.args } : {}),
      ...(e.env ? { env: e.env } : {}),
      cwd: resolve(baseDir, e.cwd ?? "."),
      ...timeouts(e),
    })
    return withFilter(source, e)
  }
  const parsed = configSchemas().HttpEntrySchema.safeParse(obj)
  if (!parsed.success) throw zodFailure(parsed.error, path, fail)
  const e = parsed.data
  const transport = e.transport ?? (e.type === "sse" ? "sse" : e.type === undefined ? undefined : "streamable-http")
  return withFilter(mcp(ns, { url: e.url, ...(e.headers ? { headers: e.headers } : {}), ...(transport ? { transport } : {}), ...timeouts(e) }), e)
}

function withFilter(source: ToolSource, entry: { include?: string[] | undefined; exclude?: string[] | undefined }): ToolSource {
  return filterTools(source, { ...(entry.include ? { include: entry.include } : {}), ...(entry.exclude ? { exclude: entry.exclude } : {}) })
}

function isDisabled(raw: unknown): boolean {
  return typeof raw === "object" && raw !== null && (raw as { disabled?: unknown }).disabled === true
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/**
 * Replaces `${VAR}` / `${VAR:-default}` in every string of `value`; a missing variable is an error
 * naming it and the `entry` (of `mcpServers` / `openapi`) or, for a top-level setting, the path.
 */
function substitute(value: unknown, path: string, entry: string | undefined, env: Env, fail: Fail): unknown {
  if (typeof value === "string") {
    return value.replace(VAR, (_, name: string, fallback: string | undefined) => {
      const v = env[name]
      if (fallback !== undefined && (v === undefined || v === "")) return fallback
      if (v === undefined) throw missingVar(name, path, entry, fail)
      return v
    })
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, `${path}[${i}]`, entry, env, fail))
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, `${path}.${k}`, entry, env, fail)]))
  }
  return value
}

function missingVar(name: string, path: string, entry: string | undefined, fail: Fail): CodeModeError {
  if (entry === undefined) return fail(path, `environment variable ${name} is not set; set it, or give a default: "\${${name}:-…}"`)
  return fail(path, `environment variable ${name} is not set (needed by entry "${entry}"); set it, or add "disabled": true to the entry`)
}

/** Secrets from the config: `{ "env": "VAR" }` is read from the same env as `${VAR}`, now, so a missing one fails early. */
function resolveAuth(auth: z.infer<ConfigSchemas["AuthSchema"]>, path: string, entry: string, env: Env, fail: Fail): OpenApiAuth {
  const secret = (v: string | { env: string }, at: string): string => {
    if (typeof v === "string") return v
    const value = env[v.env]
    if (value === undefined) throw missingVar(v.env, at, entry, fail)
    return value
  }
  if ("bearer" in auth) return { bearer: secret(auth.bearer, `${path}.bearer`) }
  if ("header" in auth) return { header: { name: auth.header.name, value: secret(auth.header.value, `${path}.header.value`) } }
  if ("query" in auth) return { query: { name: auth.query.name, value: secret(auth.query.value, `${path}.query.value`) } }
  return {
    basic: { username: secret(auth.basic.username, `${path}.basic.username`), password: secret(auth.basic.password, `${path}.basic.password`) },
  }
}

function zodFailure(error: z.ZodError, base: string, fail: Fail): CodeModeError {
  const { path, message } = zodProblem(error, base)
  return fail(path, message)
}
