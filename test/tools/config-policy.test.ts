// codemode.json "policy", "runs" and "audit": validated at the edge, errors naming the file and JSON path.
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { compilePolicy } from "../../src/runtime/policy.js"
import { loadCodeModeConfig, loadConfig, parseCodeModeConfig, parseConfig, type CodeModeConfig } from "../../src/tools/config.js"
import type { ToolSource } from "../../src/tools/tool.js"

const servers = { mcpServers: { memory: { command: "memory-server-not-started" } } }
const KEY = "k".repeat(32)

let dir = ""
const opened: ToolSource[] = []
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "codemode-config-policy-")))
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close?.()))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function parse(extra: Record<string, unknown>, env: Record<string, string | undefined> = {}): CodeModeConfig {
  const config = parseCodeModeConfig({ ...servers, ...extra }, { baseDir: dir, env })
  opened.push(...config.sources)
  return config
}

function configError(json: unknown, env: Record<string, string | undefined> = {}): string {
  try {
    opened.push(...parseCodeModeConfig(json, { baseDir: dir, env }).sources)
  } catch (e) {
    expect(CodeModeError.is(e, "CONFIG_INVALID")).toBe(true)
    return (e as Error).message
  }
  throw new Error("expected CONFIG_INVALID")
}

const bad = (extra: Record<string, unknown>, env?: Record<string, string>) => configError({ ...servers, ...extra }, env)

describe("policy", () => {
  it("returns the preset word or the options object as written, ready for compilePolicy", () => {
    expect(parse({ policy: "safe" }).policy).toBe("safe")
    const policy = {
      preset: "safe",
      rules: [{ tool: "memory.delete_*", action: "deny" }, { method: ["get", "HEAD"], action: "allow" }],
      default: "ask",
      maxCalls: 100,
      quotas: [{ tool: "memory.*", maxCalls: 5, rate: "10/min" }],
      idempotent: ["memory.read_*"],
    }
    const config = parse({ policy })
    expect(config.policy).toEqual(policy)
    expect(config.sources.map((s) => s.namespace)).toEqual(["memory"])
    expect(compilePolicy(config.policy).canAsk).toBe(true)
  })

  it("leaves policy, runs and audit undefined when the file has none", () => {
    const config = parse({})
    expect(config).toEqual({ sources: config.sources })
    expect(Object.keys(config)).toEqual(["sources"])
  })

  it("names the file and the JSON path of a bad policy", () => {
    expect(bad({ policy: "strict" })).toBe('[codemode] [config] codemode.json: policy: must be "allow" or "safe"')
    expect(bad({ policy: { rules: [{ action: "allow" }, { action: "allow" }, { tool: "x.*", action: "nope" }] } })).toBe(
      '[codemode] [config] codemode.json: policy.rules[2].action: must be "allow", "ask" or "deny"',
    )
    expect(bad({ policy: { rule: [] } })).toContain('policy: unknown key "rule"; expected preset, rules, default, maxCalls, quotas, idempotent')
    expect(bad({ policy: { quotas: [{ tool: "memory.*", rate: "lots" }] } })).toContain('policy.quotas[0].rate: must be a rate such as "10/s"')
    expect(bad({ policy: { rules: [{ tool: "read_graph", action: "allow" }] } })).toContain(
      'policy.rules[0].tool: "read_graph" can never match: globs are over "namespace.tool", e.g. "*.read_graph"',
    )
    expect(bad({ policy: true })).toContain('policy: must be "allow", "safe" or a policy object')
    expect(bad({ policy: { maxCalls: 2, quotas: [{ tool: "a.*" }], default: "x" } })).toMatch(/\(and 1 more problem\)$/)
  })

  it("still needs mcpServers or openapi when a policy is there", () => {
    expect(configError({ policy: "safe", runs: {}, audit: false })).toContain('no "mcpServers", "openapi" or "state" object found')
  })

  it("is checked by parseConfig and loadConfig too, which still return the sources", async () => {
    expect(() => parseConfig({ ...servers, policy: { default: "never" } }, { baseDir: dir })).toThrow(/policy\.default/)
    const sources = parseConfig({ ...servers, policy: "safe" }, { baseDir: dir })
    opened.push(...sources)
    expect(sources.map((s) => [s.namespace, s.kind])).toEqual([["memory", "mcp"]])
    const file = join(dir, "with-policy.json")
    await writeFile(file, JSON.stringify({ ...servers, policy: { rules: [{ tool: "memory.*", action: "deny" }] } }))
    const loaded = await loadConfig(file, {})
    opened.push(...loaded)
    expect(loaded.map((s) => s.namespace)).toEqual(["memory"])
  })
})

describe("runs", () => {
  it("substitutes ${VAR}s and resolves stateDir against the config's folder", () => {
    const { runs } = parse(
      {
        runs: {
          stateDir: ".codemode",
          redis: "redis://${REDIS_HOST:-127.0.0.1}:6379/0",
          expiresIn: 86_400_000,
          key: "${CODEMODE_RUN_KEY}",
          approvalTimeoutMs: 300_000,
        },
      },
      { CODEMODE_RUN_KEY: KEY },
    )
    expect(runs).toEqual({ stateDir: join(dir, ".codemode"), redis: "redis://127.0.0.1:6379/0", expiresIn: 86_400_000, key: KEY, approvalTimeoutMs: 300_000 })
    expect(parse({ runs: {} }).runs).toEqual({})
    expect(parse({ runs: { stateDir: "/var/lib/codemode" } }).runs?.stateDir).toBe("/var/lib/codemode")
    expect(parse({ runs: { redis: "rediss://cache.example:6380" } }).runs?.redis).toBe("rediss://cache.example:6380")
  })

  it("names a missing variable and its JSON path", () => {
    expect(bad({ runs: { key: "${CODEMODE_RUN_KEY}" } })).toBe(
      '[codemode] [config] codemode.json: runs.key: environment variable CODEMODE_RUN_KEY is not set; set it, or give a default: "${CODEMODE_RUN_KEY:-…}"',
    )
  })

  it("rejects bad fields with their JSON path", () => {
    expect(bad({ runs: { stateDir: 1 } })).toContain("runs.stateDir:")
    expect(bad({ runs: { redis: "http://127.0.0.1:6379" } })).toContain("runs.redis: must be a redis:// or rediss:// URL")
    expect(bad({ runs: { expiresIn: -5 } })).toContain("runs.expiresIn: must be a positive integer")
    expect(bad({ runs: { approvalTimeoutMs: "5m" } })).toContain("runs.approvalTimeoutMs: must be a positive integer")
    expect(bad({ runs: { key: "short" } })).toContain("runs.key: must be at least 16 characters")
    expect(bad({ runs: { stateDirectory: ".codemode" } })).toContain('runs: unknown key "stateDirectory"; expected stateDir, redis, expiresIn, key, approvalTimeoutMs')
    expect(bad({ runs: ".codemode" })).toContain("runs: must be an object { stateDir, redis, expiresIn, key, approvalTimeoutMs }")
  })
})

describe("audit", () => {
  it("false turns it off; an object gets ${VAR}s and an absolute file", () => {
    expect(parse({ audit: false }).audit).toBe(false)
    expect(parse({ audit: { file: "logs/${NAME}.jsonl", maxBytes: 10_485_760, keep: 0 } }, { NAME: "audit" }).audit).toEqual({
      file: join(dir, "logs", "audit.jsonl"),
      maxBytes: 10_485_760,
      keep: 0,
    })
    expect(parse({ audit: {} }).audit).toEqual({})
  })

  it("rejects bad fields with their JSON path", () => {
    expect(bad({ audit: true })).toContain("audit: must be an object { file, maxBytes, keep } or false")
    expect(bad({ audit: { maxBytes: 0 } })).toContain("audit.maxBytes: must be a positive integer")
    expect(bad({ audit: { keep: -1 } })).toContain("audit.keep: must be an integer ≥ 0")
    expect(bad({ audit: { file: "" } })).toContain("audit.file: must be a file path")
    expect(bad({ audit: { path: "a.jsonl" } })).toContain('audit: unknown key "path"; expected file, maxBytes, keep')
    expect(bad({ audit: { file: "${AUDIT_FILE}" } })).toContain("audit.file: environment variable AUDIT_FILE is not set")
  })
})

describe('"typecheck"', () => {
  it("takes a mode or a mode with budgets", () => {
    expect(parse({ typecheck: "warn" }).typecheck).toBe("warn")
    expect(parse({ typecheck: { mode: "error", timeMs: 2_000, memoryBytes: 536_870_912, onOverBudget: "fail" } }).typecheck).toEqual({
      mode: "error",
      timeMs: 2_000,
      memoryBytes: 536_870_912,
      onOverBudget: "fail",
    })
    expect(parse({}).typecheck).toBeUndefined()
  })

  it("rejects bad values with their JSON path", () => {
    expect(bad({ typecheck: "strict" })).toContain('typecheck: must be "error", "warn", "off" or { "mode", "timeMs", "memoryBytes", "onOverBudget" }')
    expect(bad({ typecheck: { timeMs: 0 } })).toContain("typecheck")
    expect(bad({ typecheck: { budget: 1 } })).toContain("typecheck")
  })
})

describe("loadCodeModeConfig", () => {
  it("resolves paths against the file's folder, not the working directory", async () => {
    await mkdir(join(dir, "project"), { recursive: true })
    const file = join(dir, "project", "codemode.json")
    await writeFile(
      file,
      JSON.stringify({ ...servers, policy: "safe", runs: { stateDir: ".codemode", key: "${KEY}" }, audit: { file: "audit.jsonl", keep: 5 } }),
    )
    const config = await loadCodeModeConfig(file, { KEY })
    opened.push(...config.sources)
    expect(config.policy).toBe("safe")
    expect(config.runs).toEqual({ stateDir: join(dir, "project", ".codemode"), key: KEY })
    expect(config.audit).toEqual({ file: join(dir, "project", "audit.jsonl"), keep: 5 })
  })

  it("names the file in errors", async () => {
    const file = join(dir, "team.json")
    await writeFile(file, JSON.stringify({ ...servers, audit: { keep: "all" } }))
    const error = await loadCodeModeConfig(file, {}).catch((e: unknown) => e)
    expect(CodeModeError.is(error, "CONFIG_INVALID")).toBe(true)
    expect((error as Error).message).toBe(`[codemode] [config] ${file}: audit.keep: must be an integer ≥ 0`)
  })
})
