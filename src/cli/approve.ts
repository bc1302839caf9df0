/**
 * `--approve prompt|all|none|defer`: how the CLI answers calls the policy asks about. `prompt` asks
 * on the terminal; `all` / `none` answer every call; `defer` pauses the run and prints its resume
 * token (the default when standard input is not a terminal).
 */
import { createInterface } from "node:readline/promises"
import { codemodeError } from "../errors.js"
import type { ApprovalHandler } from "../runtime/codemode.js"

export type ApproveMode = "prompt" | "all" | "none" | "defer"

export const APPROVE_MODES: readonly ApproveMode[] = ["prompt", "all", "none", "defer"]

/** The mode the flag names, or the default: `prompt` on a terminal, `defer` otherwise. */
export function approveMode(flag: string | undefined): ApproveMode {
  if (flag === undefined) return process.stdin.isTTY ? "prompt" : "defer"
  if (!(APPROVE_MODES as readonly string[]).includes(flag)) {
    throw codemodeError("CONFIG_INVALID", "cli", `--approve must be one of ${APPROVE_MODES.join(", ")}; got ${JSON.stringify(flag)}`)
  }
  if (flag === "prompt" && !process.stdin.isTTY) {
    throw codemodeError("CONFIG_INVALID", "cli", "--approve prompt needs a terminal on standard input; use --approve defer (then `codemode resume`), all or none")
  }
  return flag as ApproveMode
}

/** Asks a question on the terminal and resolves with the answer (null when the input has ended). */
export type Ask = (question: string, signal: AbortSignal) => Promise<string | null>

/** A readline interface of its own per question: for commands that read nothing else from standard input. */
const askOnce: Ask = async (question, signal) => {
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return await rl.question(question, { signal })
  } finally {
    rl.close()
  }
}

/** A question per call: y approves, anything else denies. */
function prompt(ask: Ask): ApprovalHandler {
  return async (request, signal) => {
    let args = JSON.stringify(request.args) ?? ""
    if (args.length > 500) args = `${args.slice(0, 499)}…`
    const answer = await ask(`approve codemode.${request.tool}(${args})?\n  ${request.reason}\n  [y/N] `, signal)
    return /^y(es)?$/i.test(answer?.trim() ?? "") ? "approve" : "deny"
  }
}

/** The approval handler for a mode; `defer` has none (the run pauses instead). `ask`: how `prompt` asks. */
export function approvalHandler(mode: ApproveMode, ask: Ask = askOnce): ApprovalHandler | undefined {
  if (mode === "prompt") return prompt(ask)
  if (mode === "all") return async () => "approve"
  if (mode === "none") return async () => "deny"
  return undefined
}
