/**
 * What models send → the body of an async function, ready for `Executor.run`:
 * markdown fences dropped, TypeScript stripped, the last expression (or an uncalled wrapper such as
 * `async function main()`) returned. Line numbers of the model's code are kept; `toOriginal` maps any
 * position the sandbox reports back to the text the model sent.
 */
import { codemodeError } from "../errors.js"
import { applyEdits, withColumn, type Location } from "./edits.js"
import { planEntry, type NormalizeStep } from "./entry.js"
import { codeExcerpt } from "./excerpt.js"
import { extractFencedCode } from "./fences.js"
import { furthest, parseBody, type CodeProblem } from "./parse.js"
import { stripTypes } from "./typescript.js"

export type { NormalizeStep } from "./entry.js"
export type { Location } from "./edits.js"

export interface NormalizedCode {
  /** JavaScript to run as the body of an async function. */
  js: string
  /** The code as received, with CRLF turned into LF: what line numbers and excerpts refer to. */
  source: string
  /** What was done to the code, in order (e.g. `["fence", "typescript", "return-last-expression"]`). */
  steps: NormalizeStep[]
  /** Maps a 1-based line (and column) in `js` to the code the model sent. */
  toOriginal(location: Location): Location
}

/** `data` of the `CODE_INVALID` error thrown by {@link normalizeCode}. */
export interface SyntaxErrorData {
  /** The parser's message without position, e.g. "Unexpected token". */
  reason: string
  /** 1-based, in the code the model sent. */
  line: number
  column: number
  /** The offending line, the one before it, and a caret. */
  excerpt: string
}

/** Options of {@link normalizeCode}. */
export interface NormalizeOptions {
  /**
   * The global a wrapper function with parameters is called with (`async ({ github }) => …`).
   * Default "codemode"; a code search passes "tools", the catalog it searches.
   */
  entryArgument?: string
}

const ORIGIN = "code"

function syntaxError(source: string, problem: CodeProblem): Error {
  const excerpt = codeExcerpt(source, problem.line, problem.column)
  const data: SyntaxErrorData = { reason: problem.message, line: problem.line, column: problem.column, excerpt }
  const where = `line ${problem.line}, column ${problem.column}`
  return codemodeError("CODE_INVALID", ORIGIN, `SyntaxError: ${problem.message} (${where})\n${excerpt}`, {
    data: { ...data },
  })
}

/**
 * Normalizes model code. Rejects with a `CODE_INVALID` {@link CodeModeError} whose `data` is a
 * {@link SyntaxErrorData} (line/column in the code as sent, and an excerpt) when it does not parse
 * as JavaScript or TypeScript.
 *
 * @example
 * const { js } = await normalizeCode("```js\nconst r = await codemode.demo.echo({ n: 1 })\nr.n + 1\n```")
 * // js === "\nconst r = await codemode.demo.echo({ n: 1 })\nreturn r.n + 1\n"
 */
export async function normalizeCode(code: string, options: NormalizeOptions = {}): Promise<NormalizedCode> {
  const source = code.replace(/\r\n?/g, "\n")
  const steps: NormalizeStep[] = []
  // A line starting with ``` cannot be JavaScript outside a template literal, where it would have
  // to be escaped (\`\`\`): such a line is a markdown fence.
  const fenced = extractFencedCode(source)
  if (fenced !== undefined) steps.push("fence")
  let text = fenced ?? source
  if (text.trim() === "") {
    throw codemodeError("CODE_INVALID", ORIGIN, "no code to run: send the body of an async function, e.g. `return 1 + 1`")
  }

  let parsed = parseBody(text)
  let fromText = (l: Location): Location => l
  if (!parsed.ok) {
    // Not JavaScript: maybe TypeScript. Report whichever problem lies further into the code.
    const stripped = await stripTypes(text)
    if (!stripped.ok) throw syntaxError(source, stripped.problem ? furthest(parsed.problem, stripped.problem) : parsed.problem)
    const toTs = stripped.code.toOriginal
    const reparsed = parseBody(stripped.code.js)
    if (!reparsed.ok) throw syntaxError(source, parsed.problem)
    steps.push("typescript")
    text = stripped.code.js
    parsed = reparsed
    fromText = (l) => {
      const o = toTs(withColumn(l))
      return l.column === undefined ? { line: o.line } : o
    }
  }

  const plan = planEntry(parsed.program, text, options.entryArgument)
  if (!plan.ok) {
    const at = fromText(plan.problem)
    throw syntaxError(source, { ...plan.problem, line: at.line, column: at.column ?? plan.problem.column })
  }
  steps.push(...plan.steps)
  const tailLine = plan.tailAt === undefined ? undefined : lineOf(text, plan.tailAt)
  const edited = applyEdits(text, plan.edits, tailLine)
  return { js: edited.text, source, steps, toOriginal: (l) => fromText(edited.toOriginal(l)) }
}

function lineOf(text: string, offset: number): number {
  let line = 1
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++
  return line
}
