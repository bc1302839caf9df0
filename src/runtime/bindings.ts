/**
 * The call trace of a run and how a call is quoted in messages the model reads (tool name,
 * arguments, reason; no host details). The calls themselves go through run-gate.ts.
 */
import type { CodeModeErrorCode } from "../errors.js"
import type { PolicyDecision } from "./policy.js"

/** One tool call made by a run, in the order the calls started. */
export interface CallRecord {
  /** `"namespace.name"`. */
  tool: string
  /** The argument as it crossed the boundary. */
  args: unknown
  /** Host time from the call to its settlement (until the run ended, for calls left unfinished). */
  durationMs: number
  ok: boolean
  /** Why the call failed: the host-side message and, for codemode errors, the code. */
  error?: { message: string; code?: CodeModeErrorCode }
  /** What the policy decided, and which rule (absent when no policy rule applied: allowed). */
  decision?: PolicyDecision
  /** For calls that needed approval: where that stands. */
  approval?: "pending" | "approved" | "denied" | "timeout"
  /** Answered from the run's journal (an earlier attempt made it); it did not run again. */
  replayed?: boolean
}

/** Longest argument excerpt quoted in an error message seen by the sandbox. */
const MAX_ARGS_EXCERPT = 200

export function argsExcerpt(args: unknown): string {
  let text: string
  try {
    text = args === undefined ? "" : JSON.stringify(args)
  } catch {
    text = "…"
  }
  return text.length > MAX_ARGS_EXCERPT ? `${text.slice(0, MAX_ARGS_EXCERPT)}…` : text
}

/** `[codemode] [demo.add] invalid input: …` → `invalid input: …` (the sandbox message names the tool itself). */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.replace(/^\[codemode\] (\[[^\]]*\] )?/, "")
}
