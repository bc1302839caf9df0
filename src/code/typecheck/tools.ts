/**
 * Which tool a diagnostic is about, so its signature can go with it: the tool called where the
 * diagnostic is, or the tool whose result the offending value came from (followed through
 * variables, `for … of`, destructuring and array callbacks, a few hops).
 */
import type * as TS from "typescript"
import type TsModule from "typescript"

type Ts = typeof TsModule

export interface ToolRef {
  namespace: string
  name: string
}

/** The innermost node of `file` that contains `pos`. */
export function nodeAt(ts: Ts, file: TS.SourceFile, pos: number): TS.Node {
  let node: TS.Node = file
  for (;;) {
    const child: TS.Node | undefined = ts.forEachChild(node, (c) => (c.getStart(file) <= pos && pos < c.end ? c : undefined))
    if (!child) return node
    node = child
  }
}

/** Hops through variables when looking for where a value came from. */
const MAX_HOPS = 6

/**
 * The tool a symbol declares: a function inside `declare namespace codemode.<ns>`, or a method of
 * the `Tools` interface of a nested namespace (`codemode.state.todos`, see types/declarations.ts).
 */
export function toolOfSymbol(ts: Ts, symbol: TS.Symbol | undefined): ToolRef | undefined {
  const decl = symbol?.declarations?.[0]
  if (!decl) return undefined
  let name: string
  let block: TS.Node | undefined
  if (ts.isFunctionDeclaration(decl) && decl.name) {
    name = decl.name.text
    block = decl.parent
  } else if (ts.isMethodSignature(decl) && ts.isIdentifier(decl.name) && ts.isInterfaceDeclaration(decl.parent) && decl.parent.name.text === "Tools") {
    name = decl.name.text
    block = decl.parent.parent
  } else return undefined
  const path: string[] = []
  let module = block?.parent
  while (module && ts.isModuleDeclaration(module)) {
    path.unshift(module.name.getText())
    module = module.parent
  }
  if (path.length < 2 || path[0] !== "codemode") return undefined
  return { namespace: path.slice(1).join("."), name }
}

/** The tool `call` calls, e.g. `codemode.github.repos_get(…)` or `gh.repos_get(…)` with `const gh = codemode.github`. */
function calledTool(ts: Ts, checker: TS.TypeChecker, call: TS.CallExpression): ToolRef | undefined {
  const callee = call.expression
  return toolOfSymbol(ts, checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee))
}

/** The tool whose result `expr` is (part of), following variables up to `hops` times. */
function originOf(ts: Ts, checker: TS.TypeChecker, expr: TS.Node, hops: number): ToolRef | undefined {
  let node: TS.Node = expr
  for (;;) {
    if (ts.isCallExpression(node)) {
      const tool = calledTool(ts, checker, node)
      if (tool) return tool
      // `items.map(…)`, `Object.values(x)`: the receiver or the first argument
      const inner: TS.Node | undefined = ts.isPropertyAccessExpression(node.expression) ? node.expression.expression : node.arguments[0]
      if (!inner) return undefined
      node = inner
    } else if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isAwaitExpression(node) || ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node) || ts.isAsExpression(node)) {
      node = node.expression
    } else break
  }
  if (!ts.isIdentifier(node) || hops <= 0) return undefined
  const decl = checker.getSymbolAtLocation(node)?.valueDeclaration
  if (!decl || decl.getSourceFile() !== expr.getSourceFile()) return undefined
  let at: TS.Node = decl
  while (ts.isBindingElement(at) || ts.isObjectBindingPattern(at) || ts.isArrayBindingPattern(at)) at = at.parent
  if (ts.isVariableDeclaration(at)) {
    if (at.initializer) return originOf(ts, checker, at.initializer, hops - 1)
    const statement = at.parent?.parent
    if (statement && (ts.isForOfStatement(statement) || ts.isForInStatement(statement))) return originOf(ts, checker, statement.expression, hops - 1)
    return undefined
  }
  if (ts.isParameter(at)) {
    // `xs.map((x) => x.foo)`: the parameter stands for the elements of `xs`
    const fn = at.parent
    const call = fn?.parent
    if (call && ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression)) return originOf(ts, checker, call.expression.expression, hops - 1)
  }
  return undefined
}

/** The tool the diagnostic at `pos` of `file` is about, if any. */
export function toolOf(ts: Ts, checker: TS.TypeChecker, file: TS.SourceFile, pos: number): ToolRef | undefined {
  const node = nodeAt(ts, file, pos)
  for (let n: TS.Node | undefined = node; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isCallExpression(n)) {
      const tool = calledTool(ts, checker, n)
      if (tool) return tool
    }
    if (ts.isStatement(n) || ts.isFunctionLike(n)) break
  }
  // A property of a value: where did the value come from?
  const access = node.parent
  if (access && (ts.isPropertyAccessExpression(access) || ts.isElementAccessExpression(access))) return originOf(ts, checker, access.expression, MAX_HOPS)
  return ts.isExpression(node) ? originOf(ts, checker, node, MAX_HOPS) : undefined
}
