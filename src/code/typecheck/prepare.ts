/**
 * The model's code as the checker sees it: the fenced block (other lines blanked, so line numbers
 * stay those of the message), `export` keywords neutralized without moving anything, inside an
 * async function so that top-level `await` and `return` are legal. Positions map back by one line.
 */
import { extractFencedCode } from "../fences.js"

/** What the worker checks. */
export interface CheckInput {
  /** The code, lines and columns as the model sent it (fences and prose blanked). */
  text: string
  /** Checked as JavaScript (checkJs-style, lenient with object literals) rather than TypeScript. */
  js: boolean
}

/** The first line of the checked file: the code starts on line 2. */
export const WRAPPER_OPEN = "async function __codemode_program__() {\n"
export const WRAPPER_CLOSE = "\n}\n"

/** Same length as `export default`: the default export becomes a variable's value (an expression). */
const DEFAULT_EXPORT = "var __dflt__ ="

/** `export default` → `var __dflt__ =` and `export ` → spaces, same length, at statement starts. */
function neutralizeExports(text: string): string {
  return text
    .replace(/^([ \t]*)(export[ \t]+default)\b/gm, (_all, indent: string, keywords: string) => `${indent}${DEFAULT_EXPORT}${" ".repeat(keywords.length - DEFAULT_EXPORT.length)}`)
    .replace(/^([ \t]*)export(?=[ \t]+(?:async|function|const|let|var|class|interface|type|enum)\b)/gm, (_all, indent: string) => `${indent}      `)
}

/** The checker's input for `source` (CRLF already turned into LF); `typescript` says which grammar it used. */
export function checkInput(source: string, typescript: boolean): CheckInput {
  return { text: neutralizeExports(extractFencedCode(source) ?? source), js: !typescript }
}
