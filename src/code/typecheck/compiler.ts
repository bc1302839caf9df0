/**
 * The TypeScript side of the checker (runs in the worker): the catalog's declarations and the
 * standard library parsed once, one type checker kept across checks, each program parsed, bound and
 * checked against it. Keeping the checker keeps every type it already resolved (the big OpenAPI
 * intersections and unions): a warm check only computes what is new in the program. The checker
 * is rebuilt from the same parsed files every {@link RECHECK_AFTER} checks, which bounds what it
 * accumulates. Without the internals this needs (`bindSourceFile`, `TypeChecker.getDiagnostics`),
 * each check builds a program instead (same results, slower).
 */
import type * as TS from "typescript"
import type TsModule from "typescript"
import { WRAPPER_OPEN, WRAPPER_CLOSE, type CheckInput } from "./prepare.js"
import { keepDiagnostic, awaitHint } from "./filter.js"
import { promiseConditions } from "./conditions.js"
import { toolOf, type ToolRef } from "./tools.js"

type Ts = typeof TsModule

/** A diagnostic as the worker reports it (positions in the model's code). */
export interface RawDiagnostic {
  line: number
  column: number
  code: number
  message: string
  tool?: ToolRef
}

export interface Compiler {
  check(input: CheckInput): RawDiagnostic[]
}

/** Parsed standard library files, shared by every catalog the worker loads. */
export type LibCache = Map<string, TS.SourceFile>

/** Checks before the checker is rebuilt from the parsed files. */
export const RECHECK_AFTER = 500
/** Most diagnostics reported per program. */
export const MAX_DIAGNOSTICS = 10
/** Longest message, in characters. */
const MAX_MESSAGE_CHARS = 1_000

const DECLARATIONS = "/codemode.d.ts"
const GLOBALS = "/globals.d.ts"

/** What the sandbox offers besides the standard library and `codemode` (see sandbox/quickjs/prelude-core.ts). */
export const GLOBALS_TEXT = `interface Console {
  log(...data: any[]): void; info(...data: any[]): void; warn(...data: any[]): void; error(...data: any[]): void
  debug(...data: any[]): void; trace(...data: any[]): void; dir(item?: any, options?: any): void
}
declare var console: Console
`

/** Internals used for the fast path; checked at run time, the slow path needs none of them. */
interface Internals {
  bindSourceFile?: (file: TS.SourceFile, options: TS.CompilerOptions) => void
}
interface InternalChecker extends TS.TypeChecker {
  getDiagnostics?: (file: TS.SourceFile) => TS.Diagnostic[]
}
interface InternalFile extends TS.SourceFile {
  parseDiagnostics?: TS.Diagnostic[]
  bindDiagnostics?: TS.Diagnostic[]
}

/**
 * Options that keep every diagnostic about the program's use of the API and the standard library,
 * and leave out what does not fail at run time: no implicit-any or null checks (an OpenAPI result's
 * optional fields are there in practice), catch variables are `any`, unreachable code is fine.
 */
export function compilerOptions(ts: Ts): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ESNext,
    lib: ["lib.esnext.d.ts"],
    types: [],
    noEmit: true,
    allowJs: true,
    checkJs: true,
    strict: false,
    strictNullChecks: false,
    noImplicitAny: false,
    noImplicitThis: false,
    useUnknownInCatchVariables: false,
    allowUnreachableCode: true,
    allowUnusedLabels: true,
    skipLibCheck: true,
    skipDefaultLibCheck: true,
  }
}

/**
 * A tool whose result type is unknown returns `any` to the checker: whatever the program does with
 * a value the API does not describe is not a reason to block it. (Nested `unknown`s stay: they keep
 * `allOf` intersections such as `unknown[] & Item[]` precise; diagnostics about them are dropped.)
 */
export function unknownResultsAsAny(declarations: string): string {
  return declarations.replace(/\): Promise<unknown>$/gm, "): Promise<any>    ") // same length: positions do not move
}

export function createCompiler(ts: Ts, declarations: string, libs: LibCache): Compiler {
  const options = compilerOptions(ts)
  const internals = ts as unknown as Internals
  const files = new Map<string, TS.SourceFile>([
    [DECLARATIONS, ts.createSourceFile(DECLARATIONS, unknownResultsAsAny(declarations), ts.ScriptTarget.ESNext, false)],
    [GLOBALS, ts.createSourceFile(GLOBALS, GLOBALS_TEXT, ts.ScriptTarget.ESNext, false)],
  ])
  const libFile = ts.getDefaultLibFilePath(options)
  const libDir = libFile.slice(0, libFile.lastIndexOf("/"))
  let extra: TS.SourceFile | undefined // the program, on the slow path
  const host: TS.CompilerHost = {
    getSourceFile(name, languageVersion) {
      if (extra?.fileName === name) return extra
      const own = files.get(name)
      if (own) return own
      let lib = libs.get(name)
      if (!lib) {
        const text = ts.sys.readFile(name)
        if (text === undefined) return undefined
        lib = ts.createSourceFile(name, text, languageVersion, false)
        libs.set(name, lib)
      }
      return lib
    },
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    getDefaultLibLocation: () => libDir,
    writeFile: () => undefined,
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => files.has(name) || extra?.fileName === name || libs.has(name) || ts.sys.fileExists(name),
    readFile: (name) => files.get(name)?.text ?? ts.sys.readFile(name),
  }
  const roots = [DECLARATIONS, GLOBALS]
  let program = ts.createProgram({ rootNames: roots, options, host })
  let checker = program.getTypeChecker() as InternalChecker
  const fast = typeof internals.bindSourceFile === "function" && typeof checker.getDiagnostics === "function"
  let checks = 0
  let serial = 0

  const rebuild = () => {
    program = ts.createProgram({ rootNames: roots, options, host, oldProgram: program })
    checker = program.getTypeChecker() as InternalChecker
    checks = 0
  }

  /** Parse, bind and check one program file; returns its diagnostics and the checker that produced them. */
  const diagnose = (file: InternalFile): { diagnostics: readonly TS.Diagnostic[]; checker: TS.TypeChecker } => {
    if (fast) {
      if (file.parseDiagnostics?.length) return { diagnostics: file.parseDiagnostics, checker }
      if (++checks > RECHECK_AFTER) rebuild()
      internals.bindSourceFile!(file, options)
      const found = [...(file.bindDiagnostics ?? []), ...checker.getDiagnostics!(file)]
      return { diagnostics: found.filter((d) => d.file === file), checker }
    }
    extra = file
    try {
      const withFile = ts.createProgram({ rootNames: [...roots, file.fileName], options, host, oldProgram: program })
      const syntactic = withFile.getSyntacticDiagnostics(file)
      if (syntactic.length) return { diagnostics: syntactic, checker: withFile.getTypeChecker() }
      return { diagnostics: withFile.getSemanticDiagnostics(file), checker: withFile.getTypeChecker() }
    } finally {
      extra = undefined
    }
  }

  return {
    check(input) {
      const name = `/program-${++serial}.${input.js ? "js" : "ts"}`
      const text = `${WRAPPER_OPEN}${input.text}${WRAPPER_CLOSE}`
      const kind = input.js ? ts.ScriptKind.JS : ts.ScriptKind.TS
      const file = ts.createSourceFile(name, text, { languageVersion: ts.ScriptTarget.ESNext }, true, kind) as InternalFile
      const found = diagnose(file)
      const used = found.checker
      const syntaxOnly = found.diagnostics.some((d) => d.code < 2000)
      const diagnostics = syntaxOnly ? found.diagnostics : [...found.diagnostics, ...promiseConditions(ts, used, file)]
      const lastLine = input.text.split("\n").length
      const out: RawDiagnostic[] = []
      for (const d of [...diagnostics].sort((a, b) => (a.start ?? 0) - (b.start ?? 0))) {
        if (d.category !== ts.DiagnosticCategory.Error || d.start === undefined) continue
        if (!keepDiagnostic(ts, used, file, d)) continue
        const at = file.getLineAndCharacterOfPosition(d.start)
        // Line 0 is the wrapper: the model's line n is the file's line n (0-based).
        let line = at.line
        let column = at.character + 1
        if (line < 1) [line, column] = [1, 1]
        if (line > lastLine) [line, column] = [lastLine, (input.text.split("\n")[lastLine - 1] ?? "").length + 1]
        let message = ts.flattenDiagnosticMessageText(d.messageText, "\n")
        if (message.length > MAX_MESSAGE_CHARS) message = `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`
        const hint = awaitHint(ts, used, file, d, message)
        const diagnostic: RawDiagnostic = { line, column, code: d.code, message: hint ? `${message} ${hint}` : message }
        const tool = toolOf(ts, used, file, d.start)
        if (tool) diagnostic.tool = tool
        out.push(diagnostic)
        if (out.length >= MAX_DIAGNOSTICS) break
      }
      return out
    },
  }
}
