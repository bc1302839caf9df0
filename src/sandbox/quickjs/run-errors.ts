/**
 * Turning what stopped a run into a `RunError`: limit errors that name the limit and its value, and
 * thrown sandbox values classified by kind, with line/column mapped back to the model's code.
 */
import type { Limits, RunError, RunErrorKind } from "../executor.js"

/** File name the model's code is compiled under; stack frames in it are the model's lines. */
export const USER_FILE = "code.js"
/**
 * The model's code is the body of this async function, called in the same script (one step: the
 * script's value is the run's promise); the prefix shares line 1 with it.
 */
export const WRAP_PREFIX = "(async function () { "
export const WRAP_SUFFIX = "\n})()"

const KIND_OF_LIMIT: Record<keyof Limits, RunErrorKind> = {
  timeMs: "timeout",
  memoryBytes: "memory",
  stackBytes: "stack",
  maxToolCalls: "limit",
  maxOutputBytes: "limit",
  maxResultBytes: "limit",
}

const WHAT: Record<keyof Limits, (v: number) => string> = {
  timeMs: (v) => `ran longer than its time limit of ${v} ms`,
  memoryBytes: (v) => `used more memory than its limit of ${formatBytes(v)}`,
  stackBytes: (v) => `overflowed its stack limit of ${formatBytes(v)} (recursion too deep)`,
  maxToolCalls: (v) => `made more than ${v} tool calls`,
  maxOutputBytes: (v) => `wrote more than ${formatBytes(v)} of console output`,
  maxResultBytes: (v) => `returned a result larger than ${formatBytes(v)} as JSON`,
}

export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`
  return `${n} bytes`
}

/** The error that ends a run which hit `name`. */
export function limitError(name: keyof Limits, limits: Limits): RunError {
  const value = limits[name]
  const hint = name === "maxResultBytes" ? "; return less (filter or summarize in code)" : ""
  return {
    kind: KIND_OF_LIMIT[name],
    message: `The code ${WHAT[name](value)} (limits.${name} = ${value})${hint}.`,
    limit: { name, value },
  }
}

/** A thrown sandbox value as the prelude's `describe` reports it. */
export interface Described {
  name: string
  message: string
  stack: string
}

const FRAME = new RegExp(`${USER_FILE.replace(".", "\\.")}:(\\d+):(\\d+)`, "g")

/** Maps `code.js:L:C` positions from wrapper coordinates to the model's code. */
export function userPositions(text: string): string {
  return text.replace(FRAME, (_, l: string, c: string) => {
    const line = Number(l)
    const col = line === 1 ? Math.max(1, Number(c) - WRAP_PREFIX.length) : Number(c)
    return `${USER_FILE}:${line}:${col}`
  })
}

/** Keeps only the stack frames in the model's code (no prelude or host frames). */
function userStack(stack: string): string {
  return stack
    .split("\n")
    .filter((l) => l.includes(`(${USER_FILE}:`) || l.includes(` ${USER_FILE}:`))
    .slice(0, 20)
    .map(userPositions)
    .join("\n")
}

/** Classifies a value the code threw (or a compile error when `compiling`). */
export function thrownError(d: Described, limits: Limits, compiling: boolean, codeLines: number): RunError {
  const m = d.message
  if (m === "stack overflow" || m.startsWith("Maximum call stack size exceeded")) {
    return { ...limitError("stackBytes", limits), ...position(d.stack, codeLines) }
  }
  if (m === "out of memory") return limitError("memoryBytes", limits)
  const kind: RunErrorKind = compiling && d.name === "SyntaxError" ? "syntax" : "runtime"
  const stack = userStack(d.stack)
  const err: RunError = {
    kind,
    message: d.name && d.name !== "Uncaught" ? `${d.name}: ${m}` : `Uncaught ${m}`,
    ...position(d.stack, codeLines),
  }
  if (stack) err.stack = stack
  return err
}

function position(stack: string, codeLines: number): { line?: number; column?: number } {
  const m = new RegExp(FRAME.source).exec(stack)
  if (!m) return {}
  let line = Number(m[1])
  let column = line === 1 ? Math.max(1, Number(m[2]) - WRAP_PREFIX.length) : Number(m[2])
  // A syntax error at the wrapper's closing line means the code ended early (e.g. a missing brace).
  if (line > codeLines) {
    line = codeLines
    column = 1
  }
  return { line, column }
}
