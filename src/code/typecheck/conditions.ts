/**
 * A Promise tested as a condition (`if (codemode.x.exists(…))`) is always true. TypeScript reports it
 * (TS2801) only with `strictNullChecks`, which the checker leaves off (compiler.ts); this finds it.
 */
import type * as TS from "typescript"
import type TsModule from "typescript"
import { isPromise } from "./filter.js"

type Ts = typeof TsModule

/** TS2801, as TypeScript words it. */
export const PROMISE_CONDITION = 2801

/** The conditions of `file` (if, loops, `?:`, `!`, `&&`, `||`) whose type is a Promise, as diagnostics. */
export function promiseConditions(ts: Ts, checker: TS.TypeChecker, file: TS.SourceFile): TS.Diagnostic[] {
  const out: TS.Diagnostic[] = []
  const test = (expr: TS.Expression | undefined) => {
    if (!expr) return
    const type = checker.getTypeAtLocation(expr)
    if (!isPromise(type)) return
    const start = expr.getStart(file)
    out.push({
      category: ts.DiagnosticCategory.Error,
      code: PROMISE_CONDITION,
      file,
      start,
      length: expr.end - start,
      messageText: `This condition will always return true since this '${checker.typeToString(type)}' is always defined.`,
    })
  }
  const visit = (node: TS.Node): void => {
    if (ts.isIfStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node)) test(node.expression)
    else if (ts.isForStatement(node)) test(node.condition)
    else if (ts.isConditionalExpression(node)) test(node.condition)
    else if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) test(node.operand)
    else if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || node.operatorToken.kind === ts.SyntaxKind.BarBarToken)) test(node.left)
    ts.forEachChild(node, visit)
  }
  visit(file)
  return out
}
