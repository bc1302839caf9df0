// The capability policy: decisions per tool, presets, quotas, rate limits, CLI flags, config errors.
import { beforeAll, describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { compilePolicy, mergePolicies, policyFromFlags, type Policy, type PolicyRule } from "../../src/runtime/policy.js"
import { functions } from "../../src/tools/functions.js"
import { openapi } from "../../src/tools/openapi/index.js"
import type { Tool, ToolAnnotations } from "../../src/tools/tool.js"

// Tools as the real sources make them: OpenAPI operations (hints from the method), MCP tools (hints
// as the server sends them, the server's own name kept), plain functions (no hints).
const spec = {
  openapi: "3.0.3",
  info: { title: "github", version: "1" },
  paths: {
    "/repos/{repo}": {
      parameters: [{ name: "repo", in: "path", required: true, schema: { type: "string" } }],
      get: { operationId: "repos_get", responses: { "200": { description: "ok" } } },
      delete: { operationId: "repos_delete", responses: { "204": { description: "gone" } } },
      put: { operationId: "repos_replace", responses: { "200": { description: "ok" } } },
    },
    "/issues": { post: { operationId: "issues_create", responses: { "201": { description: "made" } } } },
  },
}

const mcpTool = (name: string, annotations?: ToolAnnotations, original = name): Tool => ({
  name,
  namespace: "memory",
  inputSchema: { type: "object" },
  ...(annotations ? { annotations } : {}),
  origin: { kind: "mcp", originalName: original },
  call: async () => null,
})

let gh: Record<string, Tool> = {}
let fn: Tool
const mem = {
  read: mcpTool("read_graph", { readOnlyHint: true }),
  wipe: mcpTool("delete_entities", { readOnlyHint: false, destructiveHint: true }, "delete-entities"),
  add: mcpTool("add_observations", { readOnlyHint: false, destructiveHint: false, idempotentHint: false }),
  bare: mcpTool("create_entities"),
}

beforeAll(async () => {
  const tools = await openapi("github", { spec, baseUrl: "http://127.0.0.1:9" }).load()
  gh = Object.fromEntries(tools.map((t) => [t.name, t]))
  expect(Object.keys(gh).sort()).toEqual(["issues_create", "repos_delete", "repos_get", "repos_replace"])
  fn = (await functions("local", { shout: { run: () => "HI" } }).load())[0]!
})

const decide = (policy: Policy | undefined, tool: Tool) => compilePolicy(policy).decide(tool)
const actions = (policy: Policy | undefined, tools: Tool[]) => {
  const compiled = compilePolicy(policy)
  return tools.map((t) => compiled.decide(t).action)
}

describe("rules", () => {
  it("matches globs over namespace.tool, and over the source's own name", () => {
    const policy: Policy = { rules: [{ tool: "github.repos_*", action: "deny" }, { tool: "memory.delete-*", action: "ask" }] }
    expect(decide(policy, gh.repos_get!)).toEqual({ action: "deny", rule: 'rules[0] {tool:"github.repos_*"} → deny' })
    expect(decide(policy, gh.issues_create!)).toEqual({ action: "allow", rule: "default → allow" })
    // the MCP server calls it "delete-entities"; the identifier is delete_entities
    expect(decide(policy, mem.wipe).action).toBe("ask")
    expect(decide({ rules: [{ tool: "*.delete_entities", action: "deny" }] }, mem.wipe).action).toBe("deny")
    expect(decide({ rules: [{ tool: "?emory.read_graph", action: "deny" }] }, mem.read).action).toBe("deny")
    expect(decide({ rules: [{ tool: "memory.read_grap", action: "deny" }] }, mem.read).action).toBe("allow")
  })

  it("takes the first matching rule, in order", () => {
    const rules: PolicyRule[] = [
      { tool: "github.*delete*", action: "deny" },
      { tool: ["github.*", "memory.*"], action: "ask" },
      { tool: "*", action: "allow" },
    ]
    const policy: Policy = { rules }
    expect(decide(policy, gh.repos_delete!).rule).toBe('rules[0] {tool:"github.*delete*"} → deny')
    expect(decide(policy, gh.repos_get!).rule).toBe('rules[1] {tool:["github.*","memory.*"]} → ask')
    expect(decide(policy, fn).rule).toBe('rules[2] {tool:"*"} → allow')
    // reversed, the catch-all decides everything
    expect(actions({ rules: [...rules].reverse() }, [gh.repos_delete!, gh.repos_get!, fn])).toEqual(["allow", "allow", "allow"])
  })

  it("matches annotation hints: true only when the hint is true, false only when it is explicitly false", () => {
    const all = [gh.repos_get!, gh.repos_delete!, mem.read, mem.wipe, mem.add, mem.bare, fn]
    expect(actions({ rules: [{ readOnly: true, action: "deny" }] }, all)).toEqual(["deny", "allow", "deny", "allow", "allow", "allow", "allow"])
    expect(actions({ rules: [{ readOnly: false, action: "deny" }] }, all)).toEqual(["allow", "deny", "allow", "deny", "deny", "allow", "allow"])
    expect(actions({ rules: [{ destructive: true, action: "deny" }] }, all)).toEqual(["allow", "deny", "allow", "deny", "allow", "allow", "allow"])
    expect(actions({ rules: [{ destructive: false, action: "deny" }] }, all)).toEqual(["deny", "allow", "allow", "allow", "deny", "allow", "allow"])
    // OpenAPI: idempotent unless POST/PATCH
    expect(actions({ rules: [{ idempotent: true, action: "deny" }] }, [gh.repos_replace!, gh.issues_create!, mem.add, fn])).toEqual([
      "deny",
      "allow",
      "allow",
      "allow",
    ])
    expect(actions({ rules: [{ idempotent: false, action: "deny" }] }, [gh.repos_replace!, gh.issues_create!, mem.add, fn])).toEqual([
      "allow",
      "deny",
      "deny",
      "allow",
    ])
  })

  it("matches OpenAPI methods case-insensitively and never matches other tools", () => {
    const policy: Policy = { rules: [{ method: ["delete", "Put"], action: "deny" }, { method: "GET", action: "ask" }] }
    expect(actions(policy, [gh.repos_delete!, gh.repos_replace!, gh.repos_get!, gh.issues_create!])).toEqual(["deny", "deny", "ask", "allow"])
    expect(decide(policy, gh.repos_delete!).rule).toBe('rules[0] {method:["delete","Put"]} → deny')
    expect(actions({ rules: [{ method: ["GET", "POST", "DELETE"], action: "deny" }] }, [mem.read, mem.wipe, fn])).toEqual(["allow", "allow", "allow"])
  })

  it("needs every field of a rule to match, and describes the rule's fields in a fixed order", () => {
    const policy: Policy = { rules: [{ action: "deny", method: "DELETE", readOnly: false, tool: "github.*" }] }
    expect(actions(policy, [gh.repos_delete!, gh.repos_replace!, mem.wipe])).toEqual(["deny", "allow", "allow"])
    expect(decide(policy, gh.repos_delete!).rule).toBe('rules[0] {tool:"github.*", readOnly:false, method:"DELETE"} → deny')
    expect(decide({ rules: [{ action: "ask" }] }, fn)).toEqual({ action: "ask", rule: "rules[0] {} → ask" })
  })

  it("caches decisions per tool object and returns the same decision", () => {
    const policy = compilePolicy({ rules: [{ tool: "github.*", action: "deny" }] })
    expect(policy.decide(gh.repos_get!)).toBe(policy.decide(gh.repos_get!))
    expect(policy.decide({ ...gh.repos_get! }).action).toBe("deny")
  })
})

describe("presets and default", () => {
  it('"allow" (and no policy) allows everything and never asks', () => {
    for (const policy of [undefined, "allow", { preset: "allow" }] as const) {
      const compiled = compilePolicy(policy)
      expect(compiled.canAsk).toBe(false)
      expect(compiled.decide(gh.repos_delete!)).toEqual({ action: "allow", rule: "default → allow" })
    }
  })

  it('"safe" allows read-only tools and asks for the rest', () => {
    const all = [gh.repos_get!, gh.repos_delete!, gh.issues_create!, mem.read, mem.wipe, mem.bare, fn]
    expect(actions("safe", all)).toEqual(["allow", "ask", "ask", "allow", "ask", "ask", "ask"])
    expect(decide("safe", mem.read)).toEqual({ action: "allow", rule: "preset safe: read-only → allow" })
    expect(decide("safe", fn)).toEqual({ action: "ask", rule: "preset safe: default → ask" })
    expect(compilePolicy("safe").canAsk).toBe(true)
  })

  it("applies the preset's rules after the policy's rules, and an explicit default over the preset's", () => {
    const policy: Policy = { preset: "safe", rules: [{ tool: "memory.*", action: "deny" }], default: "deny" }
    expect(decide(policy, mem.read).rule).toBe('rules[0] {tool:"memory.*"} → deny')
    expect(decide(policy, gh.repos_get!).rule).toBe("preset safe: read-only → allow")
    expect(decide(policy, gh.repos_delete!)).toEqual({ action: "deny", rule: "default → deny" })
    expect(compilePolicy(policy).canAsk).toBe(false)
  })

  it("canAsk: an asking rule, an asking default, but not what a catch-all rule shadows", () => {
    expect(compilePolicy({ rules: [{ tool: "github.*", action: "ask" }] }).canAsk).toBe(true)
    expect(compilePolicy({ default: "ask" }).canAsk).toBe(true)
    expect(compilePolicy({ rules: [{ tool: "github.*", action: "deny" }] }).canAsk).toBe(false)
    expect(compilePolicy({ preset: "safe", rules: [{ tool: "*", action: "allow" }] }).canAsk).toBe(false)
    expect(compilePolicy({ rules: [{ action: "deny" }, { tool: "github.*", action: "ask" }] }).canAsk).toBe(false)
    expect(compilePolicy({ rules: [{ tool: "*", readOnly: true, action: "allow" }], default: "ask" }).canAsk).toBe(true)
  })
})

describe("idempotent", () => {
  it("idempotentHint or readOnlyHint tools, and the listed globs", () => {
    const policy = compilePolicy({ idempotent: ["memory.add_*", "local.*"] })
    expect(policy.isIdempotent(gh.repos_replace!)).toBe(true) // PUT
    expect(policy.isIdempotent(gh.repos_delete!)).toBe(true) // DELETE
    expect(policy.isIdempotent(gh.issues_create!)).toBe(false) // POST
    expect(policy.isIdempotent(mem.read)).toBe(true)
    expect(policy.isIdempotent(mem.wipe)).toBe(false)
    expect(policy.isIdempotent(mem.add)).toBe(true)
    expect(policy.isIdempotent(fn)).toBe(true)
    expect(compilePolicy(undefined).isIdempotent(fn)).toBe(false)
  })
})

describe("quotas", () => {
  it("maxCalls limits all calls of one run together; each run starts again", () => {
    const policy = compilePolicy({ maxCalls: 2 })
    const run = policy.startRun()
    expect(run.take(gh.repos_get!)).toBeUndefined()
    expect(run.take(fn)).toBeUndefined()
    expect(run.take(mem.read)).toEqual({ code: "QUOTA_EXCEEDED", rule: "maxCalls:2", message: "policy maxCalls:2 allows 2 tool calls per run" })
    expect(policy.startRun().take(mem.read)).toBeUndefined()
  })

  it("a per-tool quota counts its matching tools together and leaves the others alone", () => {
    const run = compilePolicy({ quotas: [{ tool: ["github.repos_*", "memory.*"], maxCalls: 3 }, { tool: "local.*", maxCalls: 1 }] }).startRun()
    expect([run.take(gh.repos_get!), run.take(gh.repos_delete!), run.take(mem.read)]).toEqual([undefined, undefined, undefined])
    expect(run.take(gh.issues_create!)).toBeUndefined()
    expect(run.take(mem.wipe)).toEqual({
      code: "QUOTA_EXCEEDED",
      rule: 'quotas[0] {tool:["github.repos_*","memory.*"], maxCalls:3}',
      message: 'quota {tool:["github.repos_*","memory.*"], maxCalls:3} allows 3 calls per run',
    })
    expect(run.take(fn)).toBeUndefined()
    expect(run.take(fn)?.message).toBe('quota {tool:"local.*", maxCalls:1} allows 1 call per run')
  })

  it("a rejected call counts nowhere: every quota it matches is checked before any is counted", () => {
    const run = compilePolicy({ maxCalls: 3, quotas: [{ tool: "github.*", maxCalls: 1 }] }).startRun()
    expect(run.take(gh.repos_get!)).toBeUndefined()
    expect(run.take(gh.repos_get!)?.rule).toBe('quotas[0] {tool:"github.*", maxCalls:1}')
    expect(run.take(gh.repos_get!)?.rule).toBe('quotas[0] {tool:"github.*", maxCalls:1}')
    // only one call got through, so two more fit under maxCalls:3
    expect([run.take(fn), run.take(fn)]).toEqual([undefined, undefined])
    expect(run.take(fn)?.rule).toBe("maxCalls:3")
  })

  it("rate limits slide over injected time and are shared by the runs of one compiled policy", () => {
    const policy = compilePolicy({ quotas: [{ tool: "github.*", rate: "2/s" }] })
    const a = policy.startRun()
    const b = policy.startRun()
    expect(a.take(gh.repos_get!, { now: 1000 })).toBeUndefined()
    expect(b.take(gh.repos_get!, { now: 1400 })).toBeUndefined()
    expect(a.take(gh.repos_get!, { now: 1999 })).toEqual({
      code: "RATE_LIMITED",
      rule: 'quotas[0] {tool:"github.*", rate:"2/s"}',
      message: 'quota {tool:"github.*", rate:"2/s"} allows 2 calls per second; the next is allowed in 1 ms',
      retryAfterMs: 1,
    })
    expect(a.take(fn, { now: 1999 })).toBeUndefined() // not covered
    expect(b.take(gh.repos_delete!, { now: 2000 })).toBeUndefined() // the call at 1000 left the window
    expect(a.take(gh.repos_get!, { now: 2100 })?.retryAfterMs).toBe(300) // 1400 leaves at 2400
    expect(a.take(gh.repos_get!, { now: 2400 })).toBeUndefined()
    // another compiled policy has its own windows
    expect(compilePolicy({ quotas: [{ tool: "github.*", rate: "2/s" }] }).startRun().take(gh.repos_get!, { now: 2400 })).toBeUndefined()
  })

  it('reads "5/10s" style windows and names them in the message', () => {
    const run = compilePolicy({ quotas: [{ tool: "*", rate: "1/10s" }, { tool: "memory.*", rate: "3/2min" }] }).startRun()
    expect(run.take(fn, { now: 0 })).toBeUndefined()
    const limited = run.take(fn, { now: 9_000 })
    expect(limited?.message).toBe('quota {tool:"*", rate:"1/10s"} allows 1 call per 10 seconds; the next is allowed in 1.0 s')
    expect(run.take(fn, { now: 10_000 })).toBeUndefined()
  })

  it("a replayed call counts against per-run quotas but takes no rate token and is never rate limited", () => {
    const policy = compilePolicy({ quotas: [{ tool: "github.*", maxCalls: 3, rate: "1/min" }] })
    const run = policy.startRun()
    expect(run.take(gh.repos_get!, { replayed: true, now: 0 })).toBeUndefined()
    expect(run.take(gh.repos_get!, { replayed: true, now: 0 })).toBeUndefined()
    // the window is still empty: a live call goes through, the next live one waits
    expect(run.take(gh.repos_get!, { now: 0 })).toBeUndefined()
    expect(policy.startRun().take(gh.repos_get!, { now: 1 })?.code).toBe("RATE_LIMITED")
    // three calls counted in this run, replayed or not
    expect(run.take(gh.repos_get!, { replayed: true, now: 120_000 })?.code).toBe("QUOTA_EXCEEDED")
  })

  it("a rate-limited call takes no token, so the window is not pushed back", () => {
    const run = compilePolicy({ quotas: [{ tool: "local.*", rate: "1/100ms" }] }).startRun()
    expect(run.take(fn, { now: 0 })).toBeUndefined()
    for (let t = 10; t < 100; t += 10) expect(run.take(fn, { now: t })?.code).toBe("RATE_LIMITED")
    expect(run.take(fn, { now: 100 })).toBeUndefined()
  })
})

describe("CLI flags", () => {
  it("deny, then ask, then allow: the most restrictive flag wins when globs overlap", () => {
    const flags = policyFromFlags({ allow: ["github.*"], ask: ["github.repos_*"], deny: ["github.*delete*"], preset: "safe" })
    expect(flags).toEqual({
      preset: "safe",
      rules: [
        { tool: "github.*delete*", action: "deny" },
        { tool: "github.repos_*", action: "ask" },
        { tool: "github.*", action: "allow" },
      ],
    })
    expect(actions(flags, [gh.repos_delete!, gh.repos_replace!, gh.issues_create!, fn])).toEqual(["deny", "ask", "allow", "ask"])
    expect(policyFromFlags({})).toEqual({})
  })

  it("come before the config's rules when merged; scalars from the flags win, lists are joined", () => {
    const config: Policy = {
      preset: "allow",
      rules: [{ tool: "github.*", action: "allow" }],
      default: "ask",
      maxCalls: 50,
      quotas: [{ tool: "github.*", maxCalls: 10 }],
      idempotent: ["memory.*"],
    }
    const merged = mergePolicies(config, { ...policyFromFlags({ deny: ["github.repos_delete"] }), preset: "safe", quotas: [{ tool: "*", rate: "5/s" }] })
    expect(merged).toEqual({
      preset: "safe",
      rules: [
        { tool: "github.repos_delete", action: "deny" },
        { tool: "github.*", action: "allow" },
      ],
      default: "ask",
      maxCalls: 50,
      quotas: [
        { tool: "*", rate: "5/s" },
        { tool: "github.*", maxCalls: 10 },
      ],
      idempotent: ["memory.*"],
    })
    expect(decide(merged, gh.repos_delete!).rule).toBe('rules[0] {tool:"github.repos_delete"} → deny')
    expect(decide(merged, gh.repos_get!).rule).toBe('rules[1] {tool:"github.*"} → allow')
  })

  it("merges preset words and undefined sides", () => {
    expect(mergePolicies(undefined, undefined)).toBeUndefined()
    expect(mergePolicies("safe", undefined)).toBe("safe")
    expect(mergePolicies(undefined, { default: "deny" })).toEqual({ default: "deny" })
    expect(mergePolicies("safe", policyFromFlags({ allow: ["local.*"] }))).toEqual({ preset: "safe", rules: [{ tool: "local.*", action: "allow" }] })
    expect(mergePolicies({ rules: [{ action: "deny" }] }, "allow")).toEqual({ preset: "allow", rules: [{ action: "deny" }] })
  })

  it("rejects an empty glob or one that can never match, naming the flag", () => {
    expect(() => policyFromFlags({ deny: [""] })).toThrow(/--deny "": a glob cannot be empty/)
    const error = catchError(() => policyFromFlags({ ask: ["delete_repo"] }))
    expect(CodeModeError.is(error, "CONFIG_INVALID")).toBe(true)
    expect(error.message).toBe('[codemode] [policy] --ask "delete_repo": "delete_repo" can never match: globs are over "namespace.tool", e.g. "*.delete_repo" or "delete_repo.*"')
  })
})

describe("CONFIG_INVALID", () => {
  const bad: Array<[unknown, string]> = [
    ["strict", 'policy: must be "allow" or "safe"'],
    [42, 'policy: must be "allow", "safe" or a policy object { preset, rules, default, maxCalls, quotas, idempotent }'],
    [[], 'policy: must be "allow", "safe" or a policy object'],
    [{ presets: "safe" }, 'policy: unknown key "presets"; expected preset, rules, default, maxCalls, quotas, idempotent'],
    [{ preset: "strict" }, 'policy.preset: must be "allow" or "safe"'],
    [{ default: "maybe" }, 'policy.default: must be "allow", "ask" or "deny"'],
    [{ rules: {} }, "policy.rules: must be an array of rules"],
    [{ rules: ["deny"] }, "policy.rules[0]: must be a rule { tool, readOnly, destructive, idempotent, method, action }"],
    [{ rules: [{ action: "allow" }, { tool: "a.*", action: "allow" }, { tool: "b.*", action: "block" }] }, 'policy.rules[2].action: must be "allow", "ask" or "deny"'],
    [{ rules: [{ tool: "a.*" }] }, 'policy.rules[0].action: is required and must be "allow", "ask" or "deny"'],
    [{ rules: [{ tools: "a.*", action: "deny" }] }, 'policy.rules[0]: unknown key "tools"; expected tool, readOnly, destructive, idempotent, method, action'],
    [{ rules: [{ tool: 1, action: "deny" }] }, 'policy.rules[0].tool: must be a glob such as "github.*" or an array of globs'],
    [{ rules: [{ tool: [], action: "deny" }] }, "policy.rules[0].tool: must list at least one glob"],
    [{ rules: [{ tool: ["a.*", ""], action: "deny" }] }, "policy.rules[0].tool[1]: a glob cannot be empty"],
    [{ rules: [{ tool: "delete_repo", action: "deny" }] }, 'policy.rules[0].tool: "delete_repo" can never match'],
    [{ rules: [{ readOnly: "yes", action: "deny" }] }, "policy.rules[0].readOnly: must be true or false"],
    [{ rules: [{ destructive: 1, action: "deny" }] }, "policy.rules[0].destructive: must be true or false"],
    [{ rules: [{ idempotent: null, action: "deny" }] }, "policy.rules[0].idempotent: must be true or false"],
    [{ rules: [{ method: "FETCH", action: "deny" }] }, "policy.rules[0].method: must be an HTTP method: GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE, TRACE (any case)"],
    [{ rules: [{ method: ["get", 2], action: "deny" }] }, "policy.rules[0].method"],
    [{ maxCalls: 0 }, "policy.maxCalls: must be a positive integer"],
    [{ maxCalls: 1.5 }, "policy.maxCalls: must be a positive integer"],
    [{ maxCalls: "5" }, "policy.maxCalls: must be a positive integer"],
    [{ quotas: [{ maxCalls: 1 }] }, 'policy.quotas[0].tool: must be a glob such as "github.*" or an array of globs'],
    [{ quotas: [{ tool: "a.*" }] }, 'policy.quotas[0]: a quota needs "maxCalls", "rate" or both'],
    [{ quotas: [{ tool: "a.*", maxCalls: -1 }] }, "policy.quotas[0].maxCalls: must be a positive integer"],
    [{ quotas: [{ tool: "a.*", rate: "10 per minute" }] }, 'policy.quotas[0].rate: must be a rate such as "10/s", "100/min", "1000/h" or "5/10s"'],
    [{ quotas: [{ tool: "a.*", rate: "0/s" }] }, "policy.quotas[0].rate: must be a rate"],
    [{ quotas: [{ tool: "a.*", rate: "5/fortnight" }] }, "policy.quotas[0].rate: must be a rate"],
    [{ quotas: [{ tool: "a.*", rate: "5/0s" }] }, "policy.quotas[0].rate: must be a rate"],
    [{ quotas: [{ tool: "a.*", rate: "5/constructor" }] }, "policy.quotas[0].rate: must be a rate"],
    [{ quotas: [{ tool: "a.*", maxCalls: 1, max: 2 }] }, 'policy.quotas[0]: unknown key "max"; expected tool, maxCalls, rate'],
    [{ quotas: "a.*" }, "policy.quotas: must be an array of quotas"],
    [{ idempotent: "a.*" }, "policy.idempotent: must be an array of globs"],
    [{ idempotent: ["a.*", "nope"] }, 'policy.idempotent[1]: "nope" can never match'],
  ]
  it.each(bad)("%j → %s", (policy, message) => {
    const error = catchError(() => compilePolicy(policy as Policy))
    expect(CodeModeError.is(error, "CONFIG_INVALID")).toBe(true)
    expect(error.message).toContain(`[codemode] [policy] ${message}`)
  })

  it("accepts every rate spelling it documents", () => {
    for (const rate of ["10/s", "100/min", "1000/h", "5/10s", "50/500ms", "3/2 minutes", "1/day", "7/ 3 hrs", "2/sec", "2/M"]) {
      expect(() => compilePolicy({ quotas: [{ tool: "*", rate }] }), rate).not.toThrow()
    }
  })

  it("a 500ms window is 500 milliseconds, not minutes", () => {
    const run = compilePolicy({ quotas: [{ tool: "*", rate: "1/500ms" }] }).startRun()
    expect(run.take(fn, { now: 0 })).toBeUndefined()
    expect(run.take(fn, { now: 499 })?.retryAfterMs).toBe(1)
    expect(run.take(fn, { now: 500 })).toBeUndefined()
  })
})

function catchError(f: () => unknown): Error {
  try {
    f()
  } catch (e) {
    return e as Error
  }
  throw new Error("expected an error")
}
