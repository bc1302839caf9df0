/**
 * Test helper: typechecks generated declarations (plus optional usage code) in memory with the
 * TypeScript compiler API, as `tsc --noEmit --strict` would, and returns the diagnostics as text.
 */
import ts from "typescript"

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  types: [],
  // Our declarations are a .d.ts: they must be checked; the default lib need not be.
  skipLibCheck: false,
  skipDefaultLibCheck: true,
}

/** Parsed lib files, shared by every check in a test file (parsing lib.es2022 dominates small checks). */
const libCache = new Map<string, ts.SourceFile | undefined>()

/** Diagnostics for `files` (name → text), formatted `file:line:col message`; empty when it compiles. */
export function typecheck(files: Record<string, string>): string[] {
  const host = ts.createCompilerHost(OPTIONS)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, version, onError) => {
    if (Object.hasOwn(files, name)) return ts.createSourceFile(name, files[name]!, version)
    if (!libCache.has(name)) libCache.set(name, getSourceFile(name, version, onError))
    return libCache.get(name)
  }
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (name) => Object.hasOwn(files, name) || fileExists(name)
  const program = ts.createProgram(Object.keys(files), OPTIONS, host)
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n")
    if (!d.file || d.start === undefined) return text
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start)
    return `${d.file.fileName}:${line + 1}:${character + 1} ${text}`
  })
}

/** Typechecks declarations alone. */
export function checkDeclarations(dts: string, usage?: string): string[] {
  return typecheck(usage === undefined ? { "codemode.d.ts": dts } : { "codemode.d.ts": dts, "usage.ts": usage })
}
