/**
 * Deciding what a model's program returns, from its AST: the last expression, a wrapper function
 * it defined but did not call, a default export. The answer is a list of small text edits that never
 * add or remove a line inside the code (a call to a wrapper is appended after the last line), so the
 * model's line numbers survive.
 */
import type { Function as FunctionNode, Node, Program } from "acorn"
import type { CodeProblem } from "./parse.js"

/**
 * Replace `code.slice(start, end)` with `text`. `text` has exactly as many line breaks as the text it
 * replaces, except for a tail append at `code.length`.
 */
export interface Edit {
  start: number
  end: number
  text: string
}

/** What was done to the code, in order; reported with the normalized code. */
export type NormalizeStep =
  | "fence"
  | "typescript"
  | "return-last-expression"
  | "return-last-declaration"
  | "return-default-export"
  | "call-wrapper"
  | "strip-export"

export type EntryPlan =
  | { ok: true; edits: Edit[]; steps: NormalizeStep[]; /** 0-based offset of the called wrapper. */ tailAt?: number }
  | { ok: false; problem: CodeProblem }

/** Names of a wrapper function the program is about, in order of preference. */
const ENTRY_NAMES: readonly string[] = ["main", "run", "handler", "execute", "start", "program"]

type Callable = FunctionNode & { type: "FunctionDeclaration" | "FunctionExpression" | "ArrowFunctionExpression" }
interface Candidate {
  name: string
  fn: Callable
  statement: Node
}

function isCallable(node: Node | null | undefined): node is Callable {
  return node?.type === "FunctionExpression" || node?.type === "ArrowFunctionExpression" || node?.type === "FunctionDeclaration"
}

/** A wrapper that takes parameters gets `argument` (the `codemode` global by default), e.g. `async ({ demo }) => …`. */
const callArgs = (fn: Callable, argument: string): string => (fn.params.length === 0 ? "()" : `(${argument})`)

/** Same length, newlines kept: blanking keeps every later line and column in place. */
const blank = (text: string): string => text.replace(/[^\n]/g, " ")

/** True when an `Identifier` called `name` occurs anywhere under `node`. */
function mentions(node: unknown, name: string): boolean {
  if (node === null || typeof node !== "object") return false
  if (Array.isArray(node)) return node.some((child) => mentions(child, name))
  const n = node as { type?: unknown; name?: unknown }
  if (n.type === "Identifier" && n.name === name) return true
  return Object.entries(node).some(([key, value]) => key !== "loc" && mentions(value, name))
}

/** {@link mentions}, counting a tree too deep to walk as a mention (then nothing is called twice). */
function mentionsSafely(node: unknown, name: string): boolean {
  try {
    return mentions(node, name)
  } catch (error) {
    if (error instanceof RangeError) return true
    throw error
  }
}

function candidatesOf(statement: Node): Candidate[] {
  if (statement.type === "FunctionDeclaration") {
    const fn = statement as Callable
    return fn.id ? [{ name: fn.id.name, fn, statement }] : []
  }
  if (statement.type !== "VariableDeclaration") return []
  const out: Candidate[] = []
  for (const d of (statement as Extract<Program["body"][number], { type: "VariableDeclaration" }>).declarations) {
    if (d.id.type === "Identifier" && isCallable(d.init)) out.push({ name: d.id.name, fn: d.init, statement })
  }
  return out
}

const DECLARATIONS: ReadonlySet<string> = new Set(["FunctionDeclaration", "ClassDeclaration", "VariableDeclaration"])

/**
 * Plans the edits that make `program` (parsed from `code`) return its result; a wrapper function
 * that takes parameters is called with the global named `argument`.
 */
export function planEntry(program: Program, code: string, argument = "codemode"): EntryPlan {
  const edits: Edit[] = []
  const steps: NormalizeStep[] = []
  const body = program.body.filter((s) => s.type !== "EmptyStatement")
  let defaultName: string | undefined

  for (const s of body) {
    if (s.type === "ImportDeclaration" || s.type === "ExportAllDeclaration") {
      const message =
        "import is not available in the sandbox: tools are on the global `codemode` object, " +
        "e.g. `await codemode.<namespace>.<tool>(args)`"
      return { ok: false, problem: { message, line: s.loc?.start.line ?? 1, column: (s.loc?.start.column ?? 0) + 1 } }
    }
    if (s.type === "ExportNamedDeclaration") {
      const end = s.declaration ? s.declaration.start : s.end
      edits.push({ start: s.start, end, text: blank(code.slice(s.start, end)) })
      steps.push("strip-export")
      // esbuild prints `export default function main` as `function main …; export { main as default }`.
      for (const spec of s.specifiers) {
        const exportedName = spec.exported.type === "Identifier" ? spec.exported.name : spec.exported.value
        if (exportedName === "default" && spec.local.type === "Identifier") defaultName = spec.local.name
      }
    }
  }

  if (defaultName !== undefined) {
    const entry = body.flatMap(candidatesOf).find((c) => c.name === defaultName)
    const text = entry ? `\nreturn await ${defaultName}${callArgs(entry.fn, argument)}` : `\nreturn ${defaultName}`
    edits.push({ start: code.length, end: code.length, text })
    steps.push(entry ? "call-wrapper" : "return-default-export")
    return entry ? { ok: true, edits, steps, tailAt: entry.statement.start } : { ok: true, edits, steps }
  }

  const exported = body.find((s) => s.type === "ExportDefaultDeclaration")
  if (exported?.type === "ExportDefaultDeclaration") {
    const d = exported.declaration
    // `export default` may be followed by a line break: keep it, inside the parentheses (no ASI trap).
    const breaks = code.slice(exported.start, d.start).replace(/[^\n]/g, "")
    const call = isCallable(d)
    edits.push(
      { start: exported.start, end: d.start, text: `${call ? "return await (" : "return ("}${breaks}` },
      { start: d.end, end: d.end, text: call ? `)${callArgs(d, argument)}` : ")" },
    )
    steps.push(call ? "call-wrapper" : "return-default-export")
    return { ok: true, edits, steps }
  }

  const last = body.at(-1)
  if (!last) return { ok: true, edits, steps }

  if (last.type === "ExpressionStatement") {
    const e = last.expression
    if (isCallable(e)) {
      // `async () => { … }` or `(async function () { … })`: call it and return its result.
      edits.push({ start: last.start, end: last.start, text: "return await (" }, { start: e.end, end: e.end, text: `)${callArgs(e, argument)}` })
      steps.push("call-wrapper")
    } else {
      edits.push({ start: last.start, end: last.start, text: "return " })
      steps.push("return-last-expression")
    }
    return { ok: true, edits, steps }
  }

  // Only declarations: either a wrapper the model forgot to call, or a final `const result = …`.
  if (!body.every((s) => DECLARATIONS.has(s.type))) return { ok: true, edits, steps }
  const candidates = body.flatMap(candidatesOf)
  const named = ENTRY_NAMES.flatMap((n) => candidates.filter((c) => c.name === n).slice(-1))[0]
  const trailing = candidates.filter((c) => c.statement === last && c.fn.params.length === 0).at(-1)
  const entry = named ?? trailing
  if (entry && !body.some((s) => s !== entry.statement && mentionsSafely(s, entry.name))) {
    edits.push({ start: code.length, end: code.length, text: `\nreturn await ${entry.name}${callArgs(entry.fn, argument)}` })
    steps.push("call-wrapper")
    return { ok: true, edits, steps, tailAt: entry.statement.start }
  }
  if (last.type === "VariableDeclaration") {
    const id = last.declarations.at(-1)?.id
    if (id?.type === "Identifier") {
      edits.push({ start: code.length, end: code.length, text: `\nreturn ${id.name}` })
      steps.push("return-last-declaration")
      return { ok: true, edits, steps, tailAt: last.start }
    }
  }
  return { ok: true, edits, steps }
}
