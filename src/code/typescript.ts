/**
 * TypeScript → JavaScript for model code that uses type syntax (annotations, `as`, interfaces …).
 * esbuild strips the types; its source map takes positions in the output back to the model's code.
 * esbuild is loaded on first use only: plain JavaScript never pays for it.
 */
import type { TransformOptions } from "esbuild"
import { codemodeError } from "../errors.js"
import { furthest, type CodeProblem } from "./parse.js"
import { decodeMappings, originalPosition, type Position } from "./sourcemap.js"

export interface StrippedCode {
  /** JavaScript with the same meaning, still a function body (may `return` / `await` at top level). */
  js: string
  /** Maps a 1-based position in `js` to the given TypeScript. */
  toOriginal(position: Position): Position
}

/** `problem` is absent when esbuild is not installed (TypeScript support unavailable). */
export type StripResult = { ok: true; code: StrippedCode } | { ok: false; problem?: CodeProblem }

/** The wrapper lets esbuild accept top-level `return`; it occupies line 1 of esbuild's input. */
const WRAPPER_OPEN = "async function __codemode_body__() {\n"

const OPTIONS: TransformOptions = { loader: "ts", sourcemap: "external", target: "esnext" }

interface EsbuildFailure {
  errors?: { text: string; location?: { line: number; column: number } | null }[]
}

/**
 * Strips TypeScript syntax from a function body. Tries the body inside an async function first
 * (top-level `return` and `await`), then as a module (`export default …`); when both fail, reports
 * the problem found further into the code (the grammar that got further is the one the model meant).
 */
export async function stripTypes(code: string): Promise<StripResult> {
  let transform: typeof import("esbuild").transform
  try {
    ;({ transform } = await import("esbuild"))
  } catch {
    // Without esbuild there is no TypeScript support; the caller reports the JavaScript error.
    return { ok: false }
  }
  const problems: CodeProblem[] = []
  for (const wrapped of [true, false]) {
    const input = wrapped ? `${WRAPPER_OPEN}${code}\n}` : code
    const lineOffset = wrapped ? 1 : 0
    try {
      const out = await transform(input, { ...OPTIONS, format: wrapped ? undefined : "esm" })
      const decoded = decodeMappings((JSON.parse(out.map) as { mappings: string }).mappings)
      const toOriginal = (p: Position): Position => {
        const o = originalPosition(decoded, p) ?? p
        return { line: Math.max(1, o.line - lineOffset), column: o.column }
      }
      return { ok: true, code: { js: wrapped ? unwrap(out.code) : out.code, toOriginal } }
    } catch (error) {
      const first = (error as EsbuildFailure).errors?.[0]
      if (!first) throw error
      const loc = first.location
      problems.push(clamp(code, { message: first.text, line: (loc?.line ?? 1) - lineOffset, column: (loc?.column ?? 0) + 1 }))
    }
  }
  return { ok: false, problem: problems.reduce(furthest) }
}

/** Keeps a position inside `code`: an error in the wrapper's closing line is at the end of the code. */
function clamp(code: string, problem: CodeProblem): CodeProblem {
  const lines = code.split("\n")
  if (problem.line < 1) return { ...problem, line: 1, column: 1 }
  if (problem.line <= lines.length) return problem
  return { ...problem, line: lines.length, column: (lines.at(-1) ?? "").length + 1 }
}

/**
 * Removes the wrapper from esbuild's output while keeping every line where it is: the opening line
 * becomes empty and the final `}` is dropped, so line N of the result is line N of esbuild's output.
 */
function unwrap(output: string): string {
  const lines = output.replace(/\s+$/, "").split("\n")
  if (!lines[0]?.startsWith("async function __codemode_body__(") || lines.at(-1) !== "}") {
    // esbuild always prints the declaration this way; fail loudly rather than run a mangled body.
    throw codemodeError("CODE_INVALID", "typescript", `unexpected esbuild output: ${JSON.stringify(output.slice(0, 80))}`)
  }
  lines[0] = ""
  lines.pop()
  return lines.join("\n")
}
