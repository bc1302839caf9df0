/**
 * Call counting for a compiled policy: per-run call quotas (one counter set per run) and rate limits
 * (sliding windows shared by every run of the compiled policy, so per process). Knows nothing of
 * globs: `runtime/policy.ts` hands in which tools each quota covers.
 */
import type { Rate } from "../tools/policy-config.js"
import type { Tool } from "../tools/tool.js"

export interface QuotaViolation {
  code: "QUOTA_EXCEEDED" | "RATE_LIMITED"
  /** The quota, named like a policy decision's `rule`: `quotas[0] {tool:"github.*", maxCalls:5}` or `maxCalls:20`. */
  rule: string
  /** For the model and a human: `quota {tool:"github.*", maxCalls:5} allows 5 calls per run`. */
  message: string
  /** RATE_LIMITED only: milliseconds until the window lets the next call through. */
  retryAfterMs?: number
}

export interface RunQuota {
  /** How many calls were counted (of every tool, within quotas or not). */
  readonly taken: number
  /**
   * Counts a call about to run; call it after the policy allowed the call (and any approval was
   * given), right before running it. `replayed`: a call answered from the journal of an earlier
   * attempt of the same run — it counts against per-run quotas but takes no rate-limit token (and is
   * never rate limited). `now` (ms, default `Date.now()`) is for tests. Returns the violated quota
   * (the call must not run, and nothing was counted) or undefined (the call was counted everywhere).
   */
  take(tool: Tool, options?: { replayed?: boolean; now?: number }): QuotaViolation | undefined
}

/** One quota as `runtime/policy.ts` compiled it. */
export interface QuotaSpec {
  /** `quotas[0] {tool:"github.*", maxCalls:5}`; the rule of its violations. */
  rule: string
  /** How messages name it: `quota {tool:"github.*", maxCalls:5}`. */
  label: string
  /** Whether a call of `tool` counts against this quota. */
  covers(tool: Tool): boolean
  maxCalls?: number
  /** What it counts in messages: "tool call" (the policy's `maxCalls`) or "call" (a quota's). */
  noun: string
  rate?: Rate
}

/** A sliding-window log: at most `count` calls in any span of `windowMs`; holds at most `count` timestamps. */
function slidingWindow({ count, windowMs }: Rate) {
  const times: number[] = []
  let head = 0 // times[head…] are the calls still inside the window, oldest first
  return {
    /** Milliseconds until a call is allowed; 0 when it is allowed now. */
    wait(now: number): number {
      while (head < times.length && times[head]! <= now - windowMs) head++
      if (head > 64 && head * 2 > times.length) times.splice(0, head), (head = 0)
      return times.length - head < count ? 0 : times[head]! + windowMs - now
    },
    record(now: number): void {
      times.push(now)
    },
  }
}

/**
 * The counters of a compiled policy: `startRun()` gives each run fresh per-run counts; rate windows
 * live in the closure and are shared by all runs. A rejected call counts nowhere.
 */
export function createQuotas(specs: QuotaSpec[]): { startRun(): RunQuota } {
  const windows = new Map(specs.flatMap((q) => (q.rate ? [[q, slidingWindow(q.rate)] as const] : [])))
  const covering = new WeakMap<Tool, QuotaSpec[]>()
  const quotasOf = (tool: Tool) => {
    let found = covering.get(tool)
    if (!found) covering.set(tool, (found = specs.filter((q) => q.covers(tool))))
    return found
  }
  return {
    startRun(): RunQuota {
      const used = new Map<QuotaSpec, number>()
      let taken = 0
      return {
        get taken() {
          return taken
        },
        take(tool, { replayed = false, now = Date.now() } = {}) {
          const quotas = quotasOf(tool)
          for (const q of quotas) {
            if (q.maxCalls !== undefined && (used.get(q) ?? 0) >= q.maxCalls) {
              const message = `${q.label} allows ${count(q.maxCalls, q.noun)} per run`
              return { code: "QUOTA_EXCEEDED", rule: q.rule, message }
            }
          }
          if (!replayed) {
            for (const q of quotas) {
              const wait = windows.get(q)?.wait(now) ?? 0
              if (wait > 0) {
                const message = `${q.label} allows ${count(q.rate!.count, q.noun)} per ${q.rate!.per}; the next is allowed in ${seconds(wait)}`
                return { code: "RATE_LIMITED", rule: q.rule, message, retryAfterMs: wait }
              }
            }
          }
          taken++
          for (const q of quotas) {
            used.set(q, (used.get(q) ?? 0) + 1)
            if (!replayed) windows.get(q)?.record(now)
          }
          return undefined
        },
      }
    },
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.ceil(ms)} ms` : `${(Math.ceil(ms / 100) / 10).toFixed(1)} s`
}
