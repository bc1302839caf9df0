/**
 * Who may do what, from the command line and the config file: the policy (`--allow` / `--ask` /
 * `--deny` / `--policy` over the config's `"policy"`), where durable runs live (`--state-dir`, or the
 * config's `"runs"`: a folder or a Redis URL), and the audit log (the config's `"audit"`, else
 * `audit.jsonl` in the state dir whenever runs are kept).
 */
import { join } from "node:path"
import type { Command } from "commander"
import { codemodeError } from "../errors.js"
import type { AuditLogOptions } from "../runtime/audit.js"
import type { CodeModeOptions } from "../runtime/codemode.js"
import type { RunsOptions } from "../runtime/run-book.js"
import type { CodeModeConfig } from "../tools/config.js"
import { resolveStateDir } from "./state-dir.js"

export interface GovernanceFlags {
  allow?: string[]
  ask?: string[]
  deny?: string[]
  /** A preset: "allow" or "safe". */
  policy?: string
  stateDir?: string
}

const collect = (value: string, previous: string[] = []) => [...previous, value]

/** Adds the policy and state flags to a command (`run`, `resume`, `serve`). */
export function addGovernanceFlags(command: Command, withPolicy = true): Command {
  if (withPolicy) {
    command
      .option("--allow <glob>", 'allow calls of tools matching "namespace.tool" glob (repeatable)', collect)
      .option("--ask <glob>", "ask for approval before calls of matching tools (repeatable)", collect)
      .option("--deny <glob>", "deny calls of matching tools: they throw inside the program (repeatable)", collect)
      .option("--policy <preset>", 'a policy preset: "allow" (default: every call runs) or "safe" (read-only allowed, everything else asks)')
  }
  return command.option("--state-dir <dir>", "where paused runs, journals, the host key and the audit log live (default: $CODEMODE_STATE_DIR or ./.codemode)")
}

export interface GovernanceOptions {
  /** Open the run store even when the policy cannot ask (`codemode resume`, `codemode runs`). */
  keepRuns?: boolean
}

/** Policy, run store and audit options for `createCodeMode` / `createCodeModeServer`. */
export async function governanceOptions(
  flags: GovernanceFlags,
  config: CodeModeConfig,
  options: GovernanceOptions = {},
): Promise<Pick<CodeModeOptions, "policy" | "runs" | "audit" | "approvalTimeoutMs">> {
  const preset = flags.policy
  if (preset !== undefined && preset !== "allow" && preset !== "safe") {
    throw codemodeError("CONFIG_INVALID", "cli", `--policy must be "allow" or "safe", got ${JSON.stringify(preset)}`)
  }
  const { compilePolicy, mergePolicies, policyFromFlags } = await import("../runtime/policy.js")
  const fromFlags = policyFromFlags({
    ...(flags.allow ? { allow: flags.allow } : {}),
    ...(flags.ask ? { ask: flags.ask } : {}),
    ...(flags.deny ? { deny: flags.deny } : {}),
    ...(preset ? { preset } : {}),
  })
  const policy = mergePolicies(config.policy, Object.keys(fromFlags).length ? fromFlags : undefined)
  const canAsk = compilePolicy(policy).canAsk
  const keepRuns = options.keepRuns === true || canAsk || flags.stateDir !== undefined || config.runs !== undefined
  const out: Pick<CodeModeOptions, "policy" | "runs" | "audit" | "approvalTimeoutMs"> = {}
  if (policy !== undefined) out.policy = policy
  if (config.runs?.approvalTimeoutMs !== undefined) out.approvalTimeoutMs = config.runs.approvalTimeoutMs
  let stateDir: string | undefined
  if (keepRuns) {
    const runs: RunsOptions = {}
    if (config.runs?.redis && flags.stateDir === undefined) {
      const { redisStore } = await import("../store/redis.js")
      runs.store = redisStore({ url: config.runs.redis })
    } else {
      stateDir = flags.stateDir !== undefined ? resolveStateDir(flags.stateDir) : (config.runs?.stateDir ?? resolveStateDir())
      const { fileStore } = await import("../store/file.js")
      runs.store = fileStore({ dir: stateDir })
    }
    if (config.runs?.key) runs.key = config.runs.key
    if (config.runs?.expiresIn) runs.expiresInMs = config.runs.expiresIn
    out.runs = runs
  }
  if (config.audit !== false) {
    const file = config.audit?.file ?? (stateDir ? join(stateDir, "audit.jsonl") : undefined)
    if (file) {
      const audit: Omit<AuditLogOptions, "redactor"> = { file, onError: (error) => process.stderr.write(`${error.message}\n`) }
      if (config.audit?.maxBytes !== undefined) audit.maxBytes = config.audit.maxBytes
      if (config.audit?.keep !== undefined) audit.keep = config.audit.keep
      out.audit = audit
    }
  }
  return out
}
