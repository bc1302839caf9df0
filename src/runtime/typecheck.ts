/**
 * The typecheck step of `execute`: check the normalized program against the current tools'
 * declarations before anything runs; in mode "error" a program with diagnostics becomes a failed
 * run of kind "type", in mode "warn" it runs with the diagnostics attached. A check that goes over
 * its budget lets the program run unchecked with a warning, or fails it (`onOverBudget: "fail"`).
 */
import { normalizeCode, type NormalizedCode, type SyntaxErrorData } from "../code/normalize.js"
import { CodeModeError } from "../errors.js"
import { createTypechecker, type Typechecker } from "../code/typecheck/checker.js"
import { resolveTypecheck, type TypeDiagnostic, type TypecheckMode, type TypecheckOption, type TypecheckReport } from "../code/typecheck/options.js"
import type { Tool } from "../tools/tool.js"
import type { ExecuteResult, FailedResult } from "./results.js"

export interface TypecheckGate {
  /**
   * Checks `code` unless the mode is "off". Returns a failed result to return instead of running,
   * or a function that adds diagnostics and warnings to the run's result.
   */
  before(
    code: NormalizedCode,
    tools: readonly Tool[],
    mode: TypecheckMode | undefined,
    startedAt: number,
    absent?: ReadonlySet<string>,
  ): Promise<FailedResult | ((result: ExecuteResult) => ExecuteResult)>
  /** Checks code as the model sent it, whatever the mode; syntax errors come back as diagnostics too. */
  check(code: string, tools: readonly Tool[]): Promise<TypecheckReport>
  close(): Promise<void>
}

const same = (result: ExecuteResult) => result

/** Drops "Property 'x' does not exist on type 'typeof codemode'" for namespaces whose source is not loaded (yet). */
function withoutAbsent(report: TypecheckReport, absent: ReadonlySet<string> | undefined): TypecheckReport {
  if (!absent?.size || report.status !== "failed") return report
  const diagnostics = report.diagnostics.filter((d) => {
    const name = /^Property '([\w$]+)' does not exist on type 'typeof codemode'/.exec(d.message)?.[1]
    return name === undefined || !absent.has(name)
  })
  return diagnostics.length ? { ...report, diagnostics } : { ...report, status: "passed", diagnostics: [] }
}

export function createTypecheckGate(option: TypecheckOption | undefined): TypecheckGate {
  const settings = resolveTypecheck(option, true)
  const explicit = typeof option === "string" ? option : option?.mode
  let checker: Typechecker | undefined
  const get = () => (checker ??= createTypechecker(settings))
  /** The default mode follows the catalog: "error" while it has tools (declarations), else "off". */
  const modeFor = (tools: readonly Tool[], override: TypecheckMode | undefined): TypecheckMode => override ?? explicit ?? (tools.length > 0 ? "error" : "off")

  return {
    async before(code, tools, override, startedAt, absent) {
      const mode = modeFor(tools, override)
      if (mode === "off") return same
      const report = withoutAbsent(await get().check(code.source, code.steps.includes("typescript"), tools), absent)
      if (report.status === "skipped") {
        const warning = `the program was not typechecked: ${report.reason ?? "unknown reason"}`
        if (report.overBudget && settings.onOverBudget === "fail") {
          return failed({ kind: "type", message: `${warning} (typecheck.onOverBudget is "fail", so it did not run)` }, startedAt)
        }
        return (result) => ({ ...result, warnings: [...(result.warnings ?? []), warning] })
      }
      if (report.status === "passed") return same
      if (mode === "warn") return (result) => ({ ...result, diagnostics: report.diagnostics })
      const [first] = report.diagnostics
      const more = report.diagnostics.length - 1
      const error: FailedResult["error"] = {
        kind: "type",
        message: `${first?.message ?? "type error"}${more > 0 ? ` (and ${more} more)` : ""}`,
        diagnostics: report.diagnostics,
      }
      if (first) {
        error.line = first.line
        error.column = first.column
        if (first.excerpt) error.excerpt = first.excerpt
      }
      return failed(error, startedAt)
    },
    async check(code, tools) {
      const source = code.replace(/\r\n?/g, "\n")
      let typescript = true
      let syntax: SyntaxErrorData | undefined
      try {
        typescript = (await normalizeCode(source)).steps.includes("typescript")
      } catch (error) {
        if (!CodeModeError.is(error, "CODE_INVALID")) throw error
        const data = error.data as Partial<SyntaxErrorData> | undefined
        syntax = { reason: data?.reason ?? error.message.replace(/^\[codemode\] \[\w+\] /, ""), line: data?.line ?? 1, column: data?.column ?? 1, excerpt: data?.excerpt ?? "" }
      }
      const report = await get().check(source, typescript, tools)
      if (!syntax || report.status === "failed") return report
      // Found by the JavaScript parser only (TypeScript accepts it): code 0.
      const diagnostic: TypeDiagnostic = { line: syntax.line, column: syntax.column, code: 0, message: syntax.reason }
      if (syntax.excerpt) diagnostic.excerpt = syntax.excerpt
      return { status: "failed", diagnostics: [diagnostic], durationMs: report.durationMs }
    },
    close: async () => {
      await checker?.close()
    },
  }
}

function failed(error: FailedResult["error"], startedAt: number): FailedResult {
  return { status: "failed", ok: false, error, logs: [], calls: [], stats: { durationMs: performance.now() - startedAt, toolCalls: 0 } }
}
