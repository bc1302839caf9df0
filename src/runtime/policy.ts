/**
 * The capability policy: who may call what. `compilePolicy` turns a {@link Policy} (options, or the
 * preset words "allow" / "safe") into a decision per tool (allow, ask, deny — first matching rule,
 * then the preset's rules, then the default), per-run call quotas and per-process rate limits.
 * The shapes and their schema live in `tools/policy-config.ts` (the config file needs them too).
 */
import { codemodeError } from "../errors.js"
import { globMatcher } from "../tools/filter.js"
import { checkPolicy, globProblem, parseRate } from "../tools/policy-config.js"
import type { Policy, PolicyAction, PolicyOptions, PolicyRule } from "../tools/policy-config.js"
import type { Tool, ToolAnnotations } from "../tools/tool.js"
import { createQuotas, type QuotaSpec, type RunQuota } from "./quota.js"

export type { Policy, PolicyAction, PolicyOptions, PolicyRule, ToolQuota } from "../tools/policy-config.js"
export type { QuotaViolation, RunQuota } from "./quota.js"

const ORIGIN = "policy"

export interface PolicyDecision {
  action: PolicyAction
  /**
   * Which rule decided, readable by a model and a human: `rules[1] {tool:"github.*delete*"} → deny`,
   * `preset safe: read-only → allow`, `preset safe: default → ask`, `default → allow`.
   */
  rule: string
}

export interface CompiledPolicy {
  /** The decision for `tool`; pure, cached per tool object (the same frozen object each time). */
  decide(tool: Tool): PolicyDecision
  /** True if any tool could get "ask" (some reachable rule, preset or default asks): the runtime then journals runs. */
  readonly canAsk: boolean
  /** Whether `tool` may be sent again after a crash left it in flight: idempotentHint or readOnlyHint true, or listed in `idempotent`. */
  isIdempotent(tool: Tool): boolean
  /** Fresh per-run counters; rate limits are shared by every run of this compiled policy. */
  startRun(): RunQuota
}

/** A rule ready to match: `all` when it matches every tool (nothing after it is reachable). */
interface Matcher {
  matches(tool: Tool): boolean
  decision: PolicyDecision
  all: boolean
}

const RULE_FIELDS = ["tool", "readOnly", "destructive", "idempotent", "method"] as const
const QUOTA_FIELDS = ["tool", "maxCalls", "rate"] as const
const HINTS = { readOnly: "readOnlyHint", destructive: "destructiveHint", idempotent: "idempotentHint" } as const satisfies Record<
  string,
  keyof ToolAnnotations
>

const PRESETS: Record<"allow" | "safe", { rules: Matcher[]; fallback: PolicyDecision }> = {
  allow: { rules: [], fallback: Object.freeze({ action: "allow", rule: "default → allow" }) },
  safe: {
    rules: [matcher({ readOnly: true, action: "allow" }, "preset safe: read-only → allow")],
    fallback: Object.freeze({ action: "ask", rule: "preset safe: default → ask" }),
  },
}

/**
 * Compiles a policy once; decisions are then a cached lookup per tool.
 *
 * @param policy Default "allow": every call allowed, nothing asked, no quotas.
 * @throws CodeModeError `CONFIG_INVALID` naming the bad field, e.g. `policy.rules[2].action: must be "allow", "ask" or "deny"`.
 * @example
 * const policy = compilePolicy({ preset: "safe", rules: [{ tool: "github.*delete*", action: "deny" }], quotas: [{ tool: "github.*", rate: "100/min" }] })
 * policy.decide(tool) // { action: "deny", rule: 'rules[0] {tool:"github.*delete*"} → deny' }
 */
export function compilePolicy(policy: Policy | undefined): CompiledPolicy {
  const checked = checkPolicy(policy ?? "allow")
  if ("problem" in checked) throw codemodeError("CONFIG_INVALID", ORIGIN, `${checked.problem.path}: ${checked.problem.message}`)
  const options = asOptions(checked.policy)
  const preset = PRESETS[options.preset ?? "allow"]
  const chain = [
    ...(options.rules ?? []).map((r, i) => matcher(r, `rules[${i}] ${describe(r, RULE_FIELDS)} → ${r.action}`)),
    ...preset.rules,
  ]
  const fallback = options.default === undefined ? preset.fallback : Object.freeze({ action: options.default, rule: `default → ${options.default}` })
  const decisions = new WeakMap<Tool, PolicyDecision>()
  const idempotent = options.idempotent?.length ? toolMatcher(options.idempotent) : () => false

  return {
    decide(tool) {
      let decision = decisions.get(tool)
      if (!decision) decisions.set(tool, (decision = chain.find((r) => r.matches(tool))?.decision ?? fallback))
      return decision
    },
    canAsk: couldAsk(chain, fallback),
    isIdempotent: (tool) => tool.annotations?.idempotentHint === true || tool.annotations?.readOnlyHint === true || idempotent(tool),
    startRun: createQuotas(quotaSpecs(options)).startRun,
  }
}

/**
 * The decision for one call: the policy's, turned into "ask" where the policy allows the call and
 * the tool itself needs approval for these arguments ({@link Tool.needsApproval}; a throw counts as
 * yes). Synchronous unless the tool's requirement is an async function.
 */
export function decideCall(policy: CompiledPolicy, tool: Tool, args: unknown): PolicyDecision | Promise<PolicyDecision> {
  const decision = policy.decide(tool)
  const needs = tool.needsApproval
  if (decision.action !== "allow" || needs === undefined || needs === false) return decision
  const asked = (yes: boolean): PolicyDecision => (yes ? { action: "ask", rule: `tool ${tool.namespace}.${tool.name} needsApproval → ask` } : decision)
  if (needs === true) return asked(true)
  try {
    const answer = needs(args)
    return answer instanceof Promise ? answer.then((yes) => asked(Boolean(yes)), () => asked(true)) : asked(Boolean(answer))
  } catch {
    return asked(true)
  }
}

/** Whether some tool asks for approval itself (then runs need a journal to pause in, whatever the policy). */
export function toolsCanAsk(tools: readonly Tool[]): boolean {
  return tools.some((t) => t.needsApproval !== undefined && t.needsApproval !== false)
}

/** The flags of `codemode run` / `serve`: globs over "namespace.tool" per action. */
export interface PolicyFlags {
  allow?: string[]
  ask?: string[]
  deny?: string[]
  preset?: "allow" | "safe"
}

/**
 * The CLI's flags as a policy: one rule per glob, deny rules first, then ask, then allow, so the
 * most restrictive flag wins when globs overlap. Merge it over the config's policy with
 * `mergePolicies(config.policy, policyFromFlags(flags))` so these rules come first.
 *
 * @throws CodeModeError `CONFIG_INVALID` naming the flag when a glob is empty or can never match.
 * @example
 * policyFromFlags({ deny: ["github.*delete*"], allow: ["github.*"] })
 * // { rules: [{ tool: "github.*delete*", action: "deny" }, { tool: "github.*", action: "allow" }] }
 */
export function policyFromFlags(flags: PolicyFlags): PolicyOptions {
  const rules: PolicyRule[] = []
  for (const action of ["deny", "ask", "allow"] as const) {
    for (const glob of flags[action] ?? []) {
      const problem = globProblem(glob)
      if (problem) throw codemodeError("CONFIG_INVALID", ORIGIN, `--${action} ${JSON.stringify(glob)}: ${problem}`)
      rules.push({ tool: glob, action })
    }
  }
  return { ...(flags.preset !== undefined && { preset: flags.preset }), ...(rules.length > 0 && { rules }) }
}

/**
 * `over` on top of `base` (flags over the config file): over's rules first, then base's; over's
 * `preset`, `default` and `maxCalls` win when set; `quotas` and `idempotent` are concatenated (over's
 * first). Either side undefined: the other one, unchanged.
 */
export function mergePolicies(base: Policy | undefined, over: Policy | undefined): Policy | undefined {
  if (base === undefined || over === undefined) return over ?? base
  const b = asOptions(base)
  const o = asOptions(over)
  const both = <T>(first: T[] | undefined, second: T[] | undefined) => (first || second ? [...(first ?? []), ...(second ?? [])] : undefined)
  const merged: PolicyOptions = {
    preset: o.preset ?? b.preset,
    rules: both(o.rules, b.rules),
    default: o.default ?? b.default,
    maxCalls: o.maxCalls ?? b.maxCalls,
    quotas: both(o.quotas, b.quotas),
    idempotent: both(o.idempotent, b.idempotent),
  }
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as PolicyOptions
}

function asOptions(policy: Policy): PolicyOptions {
  return typeof policy === "string" ? { preset: policy } : policy
}

/** `{tool:"github.*", readOnly:true}`: the fields that are set, in a fixed order, values as JSON. */
function describe<T extends object>(value: T, fields: readonly (keyof T & string)[]): string {
  const parts = fields.flatMap((f) => (value[f] === undefined ? [] : [`${f}:${JSON.stringify(value[f])}`]))
  return `{${parts.join(", ")}}`
}

/** Matches "namespace.tool" and, when the source names the tool differently, "namespace.<its name>" (`github.delete-repo`). */
function toolMatcher(globs: string | string[]): (tool: Tool) => boolean {
  const matchers = [globs].flat().map(globMatcher)
  return (tool) => {
    const original = tool.origin?.originalName
    const names = [`${tool.namespace}.${tool.name}`, ...(original && original !== tool.name ? [`${tool.namespace}.${original}`] : [])]
    return matchers.some((m) => names.some(m))
  }
}

function matcher(rule: PolicyRule, label: string): Matcher {
  const tests: Array<(tool: Tool) => boolean> = []
  if (rule.tool !== undefined) tests.push(toolMatcher(rule.tool))
  for (const [field, hint] of Object.entries(HINTS) as Array<[keyof typeof HINTS, keyof ToolAnnotations]>) {
    const want = rule[field]
    if (want !== undefined) tests.push((tool) => tool.annotations?.[hint] === want)
  }
  if (rule.method !== undefined) {
    const methods = new Set([rule.method].flat().map((m) => m.toUpperCase()))
    tests.push((tool) => tool.origin?.kind === "openapi" && methods.has(tool.origin.method?.toUpperCase() ?? ""))
  }
  const everyTool = tests.length === 0 || (tests.length === 1 && rule.tool !== undefined && [rule.tool].flat().includes("*"))
  return { matches: (tool) => tests.every((test) => test(tool)), decision: Object.freeze({ action: rule.action, rule: label }), all: everyTool }
}

/** Whether some tool could get "ask": an asking rule before the first rule that matches everything, or an asking default. */
function couldAsk(chain: Matcher[], fallback: PolicyDecision): boolean {
  for (const r of chain) {
    if (r.decision.action === "ask") return true
    if (r.all) return false
  }
  return fallback.action === "ask"
}

function quotaSpecs(options: PolicyOptions): QuotaSpec[] {
  const specs: QuotaSpec[] = []
  if (options.maxCalls !== undefined) {
    const rule = `maxCalls:${options.maxCalls}`
    specs.push({ rule, label: `policy ${rule}`, covers: () => true, maxCalls: options.maxCalls, noun: "tool call" })
  }
  for (const [i, q] of (options.quotas ?? []).entries()) {
    const what = describe(q, QUOTA_FIELDS)
    specs.push({
      rule: `quotas[${i}] ${what}`,
      label: `quota ${what}`,
      covers: toolMatcher(q.tool),
      noun: "call",
      ...(q.maxCalls !== undefined && { maxCalls: q.maxCalls }),
      ...(q.rate !== undefined && { rate: parseRate(q.rate)! }), // checked by checkPolicy
    })
  }
  return specs
}
