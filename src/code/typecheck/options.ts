/**
 * The typecheck contract: modes, budgets, what a diagnostic says. Checking happens in a child
 * process (checker.ts) against the catalog's declarations; see docs/typecheck.md.
 */
import { codemodeError } from "../../errors.js"

/**
 * `error`: a program with diagnostics does not run (a failed run of kind "type");
 * `warn`: it runs and the diagnostics are attached to the result; `off`: no check.
 */
export type TypecheckMode = "error" | "warn" | "off"

/** What to do when the checker goes over its time or memory budget. */
export type OverBudget = "run" | "fail"

export interface TypecheckSettings {
  /** Default "error" where the catalog has declarations (at least one tool), else "off". */
  mode?: TypecheckMode
  /** Time one check may take in the worker, excluding loading the catalog's declarations. Default {@link DEFAULT_TYPECHECK_TIME_MS}. */
  timeMs?: number
  /** Heap of the checker's process (the declarations included). Default {@link DEFAULT_TYPECHECK_MEMORY_BYTES}. */
  memoryBytes?: number
  /** Over budget: "run" the program unchecked with a warning (default), or "fail" the run. */
  onOverBudget?: OverBudget
}

/** A mode, or settings with budgets. */
export type TypecheckOption = TypecheckMode | TypecheckSettings

export type ResolvedTypecheck = Required<TypecheckSettings>

/** Default time budget of one check: 5 s (a warm check takes milliseconds). */
export const DEFAULT_TYPECHECK_TIME_MS = 5_000
/** Default heap of the checker's worker: 1 GiB (the full Cloudflare declarations take ~150 MB). */
export const DEFAULT_TYPECHECK_MEMORY_BYTES = 1024 * 1024 * 1024
/** How long loading a catalog's declarations into the worker may take: 120 s. */
export const DEFAULT_TYPECHECK_PREPARE_MS = 120_000

export const TYPECHECK_MODES: readonly TypecheckMode[] = ["error", "warn", "off"]

/** One problem the checker found, positions in the code as the model sent it. */
export interface TypeDiagnostic {
  /** 1-based. */
  line: number
  /** 1-based. */
  column: number
  /** The TypeScript error code, e.g. 2339. */
  code: number
  /** TypeScript's message; a Promise used as a value ends with "Did you forget `await`?". */
  message: string
  /** The offending line, the one before it, and a caret. */
  excerpt?: string
  /** The tool the diagnostic is about (`namespace.tool`), when one is involved. */
  tool?: string
  /** That tool's declaration (function, argument and result types), to fix the call in one turn. */
  signature?: string
}

/** The outcome of one check. */
export interface TypecheckReport {
  /** "passed": no diagnostics; "failed": see `diagnostics`; "skipped": not checked (see `reason`). */
  status: "passed" | "failed" | "skipped"
  diagnostics: TypeDiagnostic[]
  /** Why the check was skipped: over its time or memory budget, or the checker failed. */
  reason?: string
  /** Whether `reason` is a budget (time or memory) the check went over. */
  overBudget?: boolean
  durationMs: number
}

const ORIGIN = "typecheck"

/** Settings from a mode or settings object, defaults filled in; throws `CONFIG_INVALID` for bad values. */
export function resolveTypecheck(option: TypecheckOption | undefined, hasDeclarations: boolean): ResolvedTypecheck {
  const settings: TypecheckSettings = typeof option === "string" ? { mode: option } : (option ?? {})
  const mode = settings.mode ?? (hasDeclarations ? "error" : "off")
  if (!TYPECHECK_MODES.includes(mode)) {
    throw codemodeError("CONFIG_INVALID", ORIGIN, `typecheck mode must be one of ${TYPECHECK_MODES.join(", ")}, got ${JSON.stringify(mode)}`)
  }
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback
    if (typeof value !== "number" || !(value > 0)) throw codemodeError("CONFIG_INVALID", ORIGIN, `typecheck ${name} must be a positive number, got ${JSON.stringify(value)}`)
    return value
  }
  const onOverBudget = settings.onOverBudget ?? "run"
  if (onOverBudget !== "run" && onOverBudget !== "fail") {
    throw codemodeError("CONFIG_INVALID", ORIGIN, `typecheck onOverBudget must be "run" or "fail", got ${JSON.stringify(onOverBudget)}`)
  }
  return {
    mode,
    timeMs: positive("timeMs", settings.timeMs, DEFAULT_TYPECHECK_TIME_MS),
    memoryBytes: positive("memoryBytes", settings.memoryBytes, DEFAULT_TYPECHECK_MEMORY_BYTES),
    onOverBudget,
  }
}
