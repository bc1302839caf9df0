/**
 * Shared plumbing of the CLI commands that execute code: build the sources, policy and run store
 * from flags and config, create a codemode instance, always close it, and turn host failures into
 * a message and an exit code.
 */
import type { TypecheckOption } from "../code/typecheck/options.js"
import { CodeModeError, codemodeError } from "../errors.js"
import type { CodeModeConfig } from "../tools/config.js"
import type { CodeMode, CodeModeOptions } from "../runtime/codemode.js"
import type { Limits } from "../sandbox/executor.js"
import { governanceOptions, type GovernanceFlags, type GovernanceOptions } from "./governance.js"
import { configFromFlags, type SourceFlags } from "./sources.js"

/** Exit codes of the CLI: the code failed (1) or codemode itself could not run it (2). */
export const EXIT_CODE_FAILED = 1
export const EXIT_HOST_FAILED = 2

export interface SessionFlags extends SourceFlags, GovernanceFlags {
  /** Wall-time limit of the run in ms (`--timeout`). */
  timeout?: string
  /** `--typecheck error|warn|off`, over the config's `"typecheck"`. */
  typecheck?: string
}

/** The typecheck option from `--typecheck` over the config's `"typecheck"`; throws `CONFIG_INVALID` for a bad flag. */
export function typecheckFromFlags(flag: string | undefined, config: CodeModeConfig): TypecheckOption | undefined {
  if (flag === undefined) return config.typecheck
  if (flag !== "error" && flag !== "warn" && flag !== "off") {
    throw codemodeError("CONFIG_INVALID", "cli", `--typecheck must be error, warn or off, got ${JSON.stringify(flag)}`)
  }
  return typeof config.typecheck === "object" ? { ...config.typecheck, mode: flag } : flag
}

function limitsFromFlags(flags: SessionFlags): Partial<Limits> {
  if (flags.timeout === undefined) return {}
  const timeMs = Number(flags.timeout)
  if (!Number.isFinite(timeMs) || timeMs <= 0) {
    throw new CodeModeError("CONFIG_INVALID", `[codemode] [cli] --timeout must be a positive number of milliseconds, got ${JSON.stringify(flags.timeout)}`)
  }
  return { timeMs }
}

/** Prints a failure of codemode itself (not of the user's code) and sets exit code 2. */
export function reportHostFailure(error: unknown): void {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = EXIT_HOST_FAILED
}

/** How {@link openCodeMode} opens an instance beyond the flags. */
export interface OpenOptions {
  /** Options over the ones the flags give. */
  extra?: Partial<CodeModeOptions>
  /**
   * Policy, run store and audit log from the flags and config; `false` for commands that only list
   * the tools (`types`, `search`), which open no run store and write no audit log. Default `{}`.
   */
  governance?: GovernanceOptions | false
}

/** Procedures are kept in the config's state database, within its `maxBytes`. */
export function proceduresFromConfig(config: CodeModeConfig): Pick<CodeModeOptions, "procedures"> {
  if (!config.state) return {}
  const { db, maxBytes } = config.state
  return { procedures: { db, ...(maxBytes === undefined ? {} : { maxBytes }) } }
}

/** The one place a codemode instance is opened from the command line's flags and config. */
export async function openCodeMode(flags: SessionFlags, options: OpenOptions = {}): Promise<CodeMode> {
  const config = await configFromFlags(flags)
  const typecheck = typecheckFromFlags(flags.typecheck, config)
  const { createCodeMode } = await import("../runtime/codemode.js") // not loaded by `--help`
  return createCodeMode({
    sources: config.sources,
    limits: limitsFromFlags(flags),
    ...(options.governance === false ? {} : await governanceOptions(flags, config, options.governance)),
    ...(typecheck === undefined ? {} : { typecheck }),
    ...proceduresFromConfig(config),
    ...(config.search ? { search: config.search } : {}),
    ...options.extra,
  })
}

/**
 * Runs `body` with a codemode instance opened from `flags` ({@link openCodeMode}); sets
 * `process.exitCode` to what `body` returns, or reports a host failure (exit 2); always closes the
 * instance; never throws.
 */
export async function withCodeMode(flags: SessionFlags, body: (cm: CodeMode) => Promise<number>, options: OpenOptions = {}): Promise<void> {
  let cm: CodeMode | undefined
  try {
    cm = await openCodeMode(flags, options)
    process.exitCode = await body(cm)
  } catch (error) {
    reportHostFailure(error)
  } finally {
    await cm?.close()
  }
}
