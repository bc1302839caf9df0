/**
 * Which diagnostics block a program. The checker's options already leave out implicit `any`, null
 * checks and `unknown` catch variables (compiler.ts); what is left is dropped here when it cannot
 * fail at run time. The rule of thumb: a mistake against the API's declarations or the standard
 * library is kept, a disagreement between the program and types it wrote or inferred itself is
 * not (types are erased before the program runs). docs/typecheck.md lists every rule.
 */
import type * as TS from "typescript"
import type TsModule from "typescript"
import { nodeAt, toolOfSymbol } from "./tools.js"
type Ts = typeof TsModule

/** Codes dropped wherever they occur, with the reason (docs/typecheck.md repeats this table). */
export const IGNORED_CODES: ReadonlyMap<number, string> = new Map([
  [2367, "comparison with no overlap: enums in specs are often incomplete; at worst the comparison is false"],
  [2403, "`var` redeclared with another type: legal JavaScript"],
  [2393, "duplicate function implementation: legal JavaScript, the last one wins"],
  [2556, "spread argument without a tuple type: fine at run time"],
  [2698, "spread of a value that may not be an object: fine at run time"],
  [2578, "unused `@ts-expect-error`"],
  [2869, "right operand of `??` unreachable: harmless"],
  [2871, "expression always nullish: harmless"],
  [2872, "expression always truthy: harmless"],
  [2873, "expression always falsy: harmless"],
  [18046, "value of type `unknown`: works at run time"],
  [2571, "object of type `unknown`: works at run time"],
  [2352, "type assertion (`as`) between unrelated types: erased before the run"],
  [7006, "implicit `any` parameter"],
  [7005, "implicit `any` variable"],
  [7031, "implicit `any` binding element"],
  [7034, "implicit `any[]` variable"],
  [7053, "implicit `any` element access"],
])

/** Arithmetic and comparison operand errors: coercion works at run time, unless an operand is a Promise. */
const COERCION_CODES: ReadonlySet<number> = new Set([2362, 2363, 2365])
/** Property not found (2339, 2551 with a suggestion). */
const MISSING_PROPERTY: ReadonlySet<number> = new Set([2339, 2551])
/** Assignability at a variable, assignment or property. */
const NOT_ASSIGNABLE: ReadonlySet<number> = new Set([2322])
/** Calls: argument type, count, no overload. */
const CALL_CODES: ReadonlySet<number> = new Set([2345, 2554, 2555, 2769, 2559])

/** A message about a value of type `unknown` ("Type 'unknown' is not assignable …", "… on type 'unknown'"). */
const UNKNOWN_VALUE = /\b[Tt]ype 'unknown'/

const firstLine = (ts: Ts, d: TS.Diagnostic): string => ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n")[0] ?? ""

/** True when every declaration of `symbol` is in the program itself (not the API, not the library). */
function declaredInProgram(symbol: TS.Symbol | undefined, file: TS.SourceFile): boolean {
  const decls = symbol?.declarations ?? []
  return decls.length > 0 && decls.every((d) => d.getSourceFile() === file)
}

export function isPromise(type: TS.Type | undefined): boolean {
  const name = type?.getSymbol()?.getName()
  return name === "Promise" || name === "PromiseLike"
}

function inTypeNode(ts: Ts, node: TS.Node): boolean {
  for (let n: TS.Node | undefined = node; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isTypeNode(n) && !ts.isExpressionWithTypeArguments(n)) return true
    if (ts.isStatement(n)) return false
  }
  return false
}

/** The call or `new` expression whose argument list or callee holds `node`. */
function enclosingCall(ts: Ts, node: TS.Node): TS.CallExpression | TS.NewExpression | undefined {
  for (let n: TS.Node | undefined = node; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) return n
    if (ts.isStatement(n) || ts.isFunctionLike(n)) return undefined
  }
  return undefined
}

function calleeSymbol(ts: Ts, checker: TS.TypeChecker, call: TS.CallExpression | TS.NewExpression): TS.Symbol | undefined {
  const callee = call.expression
  const at = ts.isPropertyAccessExpression(callee) ? callee.name : callee
  return checker.getSymbolAtLocation(at)
}

/** Where an assignability error (2322) points: the symbol whose type was expected, when it can tell. */
function expectedSymbol(ts: Ts, checker: TS.TypeChecker, node: TS.Node): TS.Symbol | undefined | "program" {
  const parent = node.parent
  if (!parent) return undefined
  if (ts.isVariableDeclaration(parent) && parent.name === node) return "program"
  if (ts.isBinaryExpression(parent) && parent.left === node) return checker.getSymbolAtLocation(ts.isPropertyAccessExpression(node) ? node.name : node)
  if (ts.isPropertyAccessExpression(parent) && parent.name === node && ts.isBinaryExpression(parent.parent) && parent.parent.left === parent) {
    return checker.getSymbolAtLocation(node)
  }
  if ((ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent)) && parent.name === node && ts.isObjectLiteralExpression(parent.parent)) {
    const contextual = checker.getContextualType(parent.parent)
    const name = ts.isIdentifier(node) || ts.isStringLiteral(node) ? node.text : undefined
    return contextual && name !== undefined ? contextual.getProperty(name) : undefined
  }
  if (ts.isReturnStatement(parent)) return "program" // the wrapper and the program's own functions
  return undefined
}

/** True when the line before the diagnostic's line has `@ts-ignore` or `@ts-expect-error`. */
function suppressed(file: TS.SourceFile, start: number): boolean {
  const { line } = file.getLineAndCharacterOfPosition(start)
  if (line < 1) return false
  const from = file.getLineStarts()[line - 1] ?? 0
  const to = file.getLineStarts()[line] ?? file.text.length
  return /@ts-(ignore|expect-error)\b/.test(file.text.slice(from, to))
}

/** Whether diagnostic `d` of the program `file` should block it (or be reported, in warn mode). */
export function keepDiagnostic(ts: Ts, checker: TS.TypeChecker, file: TS.SourceFile, d: TS.Diagnostic): boolean {
  if (IGNORED_CODES.has(d.code) || d.start === undefined) return false
  if (d.code < 2000) return true // syntax: always a problem
  // A value the API does not describe (`unknown`) may be used as anything.
  if (UNKNOWN_VALUE.test(firstLine(ts, d))) return false
  if (suppressed(file, d.start)) return false
  const node = nodeAt(ts, file, d.start)
  // Types are erased: a problem inside an annotation cannot fail at run time.
  if (inTypeNode(ts, node)) return false
  if (COERCION_CODES.has(d.code)) {
    const binary = ts.findAncestor(node, ts.isBinaryExpression)
    return binary !== undefined && (isPromise(checker.getTypeAtLocation(binary.left)) || isPromise(checker.getTypeAtLocation(binary.right)))
  }
  if (MISSING_PROPERTY.has(d.code)) {
    const access = node.parent
    if (access && (ts.isPropertyAccessExpression(access) || ts.isQualifiedName(access))) {
      const receiver = ts.isPropertyAccessExpression(access) ? access.expression : access.left
      const type = checker.getTypeAtLocation(receiver)
      if (isPromise(type)) return true
      // An object the program built itself may grow properties (JavaScript expando).
      if (declaredInProgram(type.getSymbol() ?? type.aliasSymbol, file)) return false
      // A property some members of a union have reads as `undefined` on the others: no failure.
      const name = ts.isPropertyAccessExpression(access) ? access.name.text : access.right.text
      if (type.isUnion() && type.types.some((member) => member.getProperty(name) !== undefined)) return false
    }
    return true
  }
  if (NOT_ASSIGNABLE.has(d.code)) {
    const expected = expectedSymbol(ts, checker, node)
    return !(expected === "program" || (expected !== undefined && declaredInProgram(expected, file)))
  }
  if (CALL_CODES.has(d.code)) {
    const call = enclosingCall(ts, node)
    // The program's own functions: their parameter types are its own guesses.
    const callee = call && calleeSymbol(ts, checker, call)
    if (call && declaredInProgram(callee, file)) return false
    // An argument object for a tool that takes none is ignored: models often pass `{}`.
    const fn = callee?.declarations?.[0]
    if (d.code === 2554 && toolOfSymbol(ts, callee) && fn && ts.isFunctionDeclaration(fn) && fn.parameters.length === 0) return false
  }
  return true
}

/** The hint for a Promise used as a value, or undefined. */
export function awaitHint(ts: Ts, checker: TS.TypeChecker, file: TS.SourceFile, d: TS.Diagnostic, message: string): string | undefined {
  if (/forget to use 'await'/.test(message)) return undefined
  const related = d.relatedInformation?.some((r) => /forget to use 'await'/.test(ts.flattenDiagnosticMessageText(r.messageText, "\n")))
  if (related || /'Promise<|'PromiseLike</.test(message)) return "Did you forget `await`?"
  if (d.start === undefined) return undefined
  const node = nodeAt(ts, file, d.start)
  return ts.isExpression(node) && isPromise(checker.getTypeAtLocation(node)) ? "Did you forget `await`?" : undefined
}
