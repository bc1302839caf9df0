/**
 * The capability policy as data: its types and the zod schema that checks it at the edges
 * (`codemode.json` "policy", `createCodeMode({ policy })`). Compiled by `runtime/policy.ts`;
 * this file only describes and validates the shape, so `tools/config.ts` can use it without
 * importing the runtime.
 */
import type { z } from "zod"
import { once, zod } from "../lazy.js"

export type PolicyAction = "allow" | "ask" | "deny"

export interface PolicyRule {
  /**
   * Glob(s) over "namespace.tool" (`*` any run, `?` one char); a tool also matches by its source's
   * own name ("github.delete-repo" as well as "github.delete_repo"). Omitted: every tool.
   */
  tool?: string | string[]
  /** Only tools with this hint value (MCP annotations; OpenAPI methods map to them). A tool without the hint does not match `true` (and matches `false` only if the hint is explicitly false). */
  readOnly?: boolean
  destructive?: boolean
  idempotent?: boolean
  /** OpenAPI method(s) ("GET", "delete" — case-insensitive); tools that are not OpenAPI never match. */
  method?: string | string[]
  action: PolicyAction
}

export interface ToolQuota {
  /** Glob(s) over "namespace.tool". */
  tool: string | string[]
  /** Most calls of the matching tools per run (counted together per quota). */
  maxCalls?: number
  /**
   * Most calls per time window across runs in this process, counted together for the matching
   * tools: `"<n>/<unit>"` or `"<n>/<k><unit>"`, e.g. "10/s", "100/min", "1000/h", "5/10s", "50/500ms".
   * Units: ms, s (sec, second), min (m, minute), h (hr, hour), d (day); plurals accepted. A sliding
   * window: at most n calls in any span of that length.
   */
  rate?: string
}

export interface PolicyOptions {
  /** A preset whose rules apply after `rules`: "allow" (nothing asked; today's behaviour) or "safe" (read-only tools allowed, everything else asks). Default "allow". */
  preset?: "allow" | "safe"
  /** Checked in order; the first matching rule decides. */
  rules?: PolicyRule[]
  /** When no rule (and no preset rule) matches. Default "allow"; the "safe" preset makes it "ask". */
  default?: PolicyAction
  /** Most tool calls per run, all tools together (a policy quota: the call throws QUOTA_EXCEEDED inside the program; distinct from the sandbox's maxToolCalls limit, which ends the run). Default: no limit. */
  maxCalls?: number
  /** Per-tool call quotas and rate limits; every matching quota applies. Default none. */
  quotas?: ToolQuota[]
  /** Globs of tools that may be sent again after a crash left them in flight (beside tools with idempotentHint: true). */
  idempotent?: string[]
}

/** A policy: its options, or a preset's one word. */
export type Policy = PolicyOptions | "allow" | "safe"

export const HTTP_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE"] as const

const UNITS = new Map(
  (
    [
      [["ms"], 1, "millisecond"],
      [["s", "sec", "second"], 1000, "second"],
      [["m", "min", "minute"], 60_000, "minute"],
      [["h", "hr", "hour"], 3_600_000, "hour"],
      [["d", "day"], 86_400_000, "day"],
    ] as const
  ).flatMap(([names, ms, name]) => names.map((n) => [n as string, { ms, name }] as const)),
)
const RATE = /^\s*(\d+)\s*\/\s*(\d+)?\s*([a-z]+)\s*$/i

/** A parsed `rate`: at most `count` calls in any `windowMs`; `per` reads "minute" or "10 seconds". */
export interface Rate {
  count: number
  windowMs: number
  per: string
}

/** Parses "10/s", "100/min", "5/10s" …; undefined when `text` is not a rate. */
export function parseRate(text: string): Rate | undefined {
  const m = RATE.exec(text)
  const word = m?.[3]!.toLowerCase() ?? ""
  const unit = UNITS.get(word) ?? (word.endsWith("s") ? UNITS.get(word.slice(0, -1)) : undefined) // "ms" is exact, "mins" a plural
  if (!m || !unit) return undefined
  const count = Number(m[1])
  const times = m[2] === undefined ? 1 : Number(m[2])
  const windowMs = times * unit.ms
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(windowMs) || windowMs < 1) return undefined
  return { count, windowMs, per: times === 1 ? unit.name : `${times} ${unit.name}s` }
}

/**
 * Why a policy glob is unusable, or undefined. Names always contain a dot ("namespace.tool"), so a
 * glob with no `.`, `*` or `?` can never match and is surely a mistake ("delete_repo" for "*.delete_repo").
 */
export function globProblem(glob: string): string | undefined {
  if (glob === "") return "a glob cannot be empty"
  if (!/[.*?]/.test(glob)) return `"${glob}" can never match: globs are over "namespace.tool", e.g. "*.${glob}" or "${glob}.*"`
  return undefined
}

/**
 * A strict object schema whose errors say what is expected: `unknown key "x"; expected tool, action`
 * and `must be <what> { tool, action }<after>` for a wrong type or a missing object.
 */
export function strictSchema<T extends z.core.$ZodLooseShape>(shape: T, what: string, after = "") {
  const keys = Object.keys(shape).join(", ")
  return zod().strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}; expected ${keys}`
        : `must be ${what} { ${keys} }${after}`,
  })
}

/** The policy's schemas, built on first use (zod loads lazily: see lazy.ts). */
export const policySchemas = once(() => {
  const z = zod()
  const Glob = z.string({ error: "must be a glob string" }).superRefine((glob, ctx) => {
    const problem = globProblem(glob)
    if (problem) ctx.addIssue({ code: "custom", message: problem })
  })
  const Globs = z.union([Glob, z.array(Glob).min(1, "must list at least one glob")], {
    error: 'must be a glob such as "github.*" or an array of globs',
  })
  const Method = z.string().refine((m) => (HTTP_METHODS as readonly string[]).includes(m.toUpperCase()), {
    error: `must be an HTTP method: ${HTTP_METHODS.join(", ")} (any case)`,
  })
  const Methods = z.union([Method, z.array(Method).min(1, "must list at least one method")], {
    error: 'must be an HTTP method such as "GET" or an array of them',
  })
  const Hint = z.boolean({ error: "must be true or false" }).optional()
  /** A positive integer (counts, milliseconds). */
  const PositiveIntSchema = z
    .number({ error: "must be a positive integer" })
    .int("must be a positive integer")
    .positive("must be a positive integer")
  const Action = z.enum(["allow", "ask", "deny"], {
    error: (issue) => `${issue.input === undefined ? "is required and " : ""}must be "allow", "ask" or "deny"`,
  })

  const PolicyRuleSchema = strictSchema(
    { tool: Globs.optional(), readOnly: Hint, destructive: Hint, idempotent: Hint, method: Methods.optional(), action: Action },
    "a rule",
  )

  const ToolQuotaSchema = strictSchema(
    {
      tool: Globs,
      maxCalls: PositiveIntSchema.optional(),
      rate: z
        .string({ error: "must be a string" })
        .refine((r) => parseRate(r) !== undefined, { error: 'must be a rate such as "10/s", "100/min", "1000/h" or "5/10s"' })
        .optional(),
    },
    "a quota",
  ).refine((q) => q.maxCalls !== undefined || q.rate !== undefined, { error: 'a quota needs "maxCalls", "rate" or both' })

  const PresetSchema = z.enum(["allow", "safe"], { error: 'must be "allow" or "safe"' })

  const PolicyOptionsSchema = strictSchema(
    {
      preset: PresetSchema.optional(),
      rules: z.array(PolicyRuleSchema, { error: "must be an array of rules" }).optional(),
      default: Action.optional(),
      maxCalls: PositiveIntSchema.optional(),
      quotas: z.array(ToolQuotaSchema, { error: "must be an array of quotas" }).optional(),
      idempotent: z.array(Glob, { error: "must be an array of globs" }).optional(),
    },
    '"allow", "safe" or a policy object',
  )

  /** The schema of {@link Policy}; prefer {@link checkPolicy}, whose messages name the failing branch's path. */
  const PolicySchema = z.union([PresetSchema, PolicyOptionsSchema])
  return { PositiveIntSchema, PolicyRuleSchema, ToolQuotaSchema, PresetSchema, PolicyOptionsSchema, PolicySchema }
})
type Schemas = ReturnType<typeof policySchemas>

// The documented interfaces above and the schemas are one shape: this fails to compile if they drift.
type Assignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Same<A, B> = Assignable<A, B> extends true ? Assignable<keyof A, keyof B> : false
true satisfies Same<z.infer<Schemas["PolicyRuleSchema"]>, PolicyRule>
true satisfies Same<z.infer<Schemas["ToolQuotaSchema"]>, ToolQuota>
true satisfies Same<z.infer<Schemas["PolicyOptionsSchema"]>, PolicyOptions>
true satisfies Same<z.infer<Schemas["PolicySchema"]>, Policy>

/** A validation failure: the JSON path (`policy.rules[2].action`) and what is wrong there. */
export interface ConfigProblem {
  path: string
  message: string
}

/** The first issue of a zod error as a path below `base` and a message ("(and 2 more problems)" appended). */
export function zodProblem(error: z.ZodError, base: string): ConfigProblem {
  const issue = error.issues[0]
  const sub = (issue?.path ?? []).map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")
  const path = `${base}${sub}`.replace(/^\./, "")
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""})` : ""
  return { path, message: `${issue?.message ?? "invalid value"}${more}` }
}

/**
 * Validates a policy: a string must be a preset, anything else the options object (so errors come
 * from the branch the value was meant for, not a generic "invalid union").
 *
 * @param base The path of the value in messages. Default "policy".
 */
export function checkPolicy(value: unknown, base = "policy"): { policy: Policy } | { problem: ConfigProblem } {
  if (value === "allow" || value === "safe") return { policy: value } // the common case, without loading zod
  const { PresetSchema, PolicyOptionsSchema } = policySchemas()
  const parsed = typeof value === "string" ? PresetSchema.safeParse(value) : PolicyOptionsSchema.safeParse(value)
  return parsed.success ? { policy: parsed.data } : { problem: zodProblem(parsed.error, base) }
}
