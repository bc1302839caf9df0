/**
 * Parsing a function body with acorn: top-level `return` and `await` allowed, as a script first and
 * as a module second (for `export default async function …`).
 */
import type { Program } from "acorn"
import { acorn } from "../lazy.js"

/** A parse problem at a 1-based line/column of the code that was given. */
export interface CodeProblem {
  message: string
  line: number
  column: number
}

export type ParseResult = { ok: true; program: Program } | { ok: false; problem: CodeProblem }

interface AcornError {
  message: string
  loc?: { line: number; column: number }
}

function tryParse(code: string, sourceType: "script" | "module"): ParseResult {
  try {
    const program = acorn().parse(code, {
      ecmaVersion: "latest",
      sourceType,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      locations: true,
    })
    return { ok: true, program }
  } catch (error) {
    if (error instanceof RangeError) {
      // acorn is recursive: absurdly deep nesting exhausts the host's stack. Report, never crash.
      return { ok: false, problem: { message: "the code is nested too deeply to parse", line: 1, column: 1 } }
    }
    const e = error as AcornError
    if (!e.loc) throw error
    // acorn appends "(line:column)"; we report the position separately.
    const message = e.message.replace(/\s*\(\d+:\d+\)$/, "")
    return { ok: false, problem: { message, line: e.loc.line, column: e.loc.column + 1 } }
  }
}

/** Parses `code` as a function body; on failure reports the problem found further into the code. */
export function parseBody(code: string): ParseResult {
  const script = tryParse(code, "script")
  if (script.ok) return script
  const module = tryParse(code, "module")
  if (module.ok) return module
  return { ok: false, problem: furthest(script.problem, module.problem) }
}

/** The later of two problems: the parse that got further is more likely the one the model meant. */
export function furthest(a: CodeProblem, b: CodeProblem): CodeProblem {
  return b.line > a.line || (b.line === a.line && b.column > a.column) ? b : a
}
