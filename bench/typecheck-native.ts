/**
 * Does the native TypeScript preview (`@typescript/native-preview`, tsgo over its sync API) check a
 * program against big declarations faster than the JavaScript compiler codemode uses? Not a
 * dependency: install it to measure (`npm i --no-save @typescript/native-preview`), then
 * `npx tsx bench/typecheck-native.ts`. Prints one JSON object; docs/typecheck.md records the figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { compilerOptionsJson, loadBenchCatalogs, percentile, PROGRAMS } from "../src/bench/typecheck.js"
import { GLOBALS_TEXT } from "../src/code/typecheck/compiler.js"

interface NativeApi {
  updateSnapshot(params?: unknown): { getProject(config: string): { program: { getSemanticDiagnostics(file: string): readonly { code: number; text?: string }[] } } | undefined }
  close(): void
}

const spec = "@typescript/native-preview/unstable/sync"
let API: new (options: { cwd: string }) => NativeApi
try {
  ;({ API } = (await import(spec)) as { API: typeof API })
} catch {
  process.stdout.write(`${JSON.stringify({ skipped: `${spec} is not installed` })}\n`)
  process.exit(0)
}

const out: Record<string, unknown> = {}
for (const { name, declarations } of await loadBenchCatalogs()) {
  const dir = mkdtempSync(join(tmpdir(), "codemode-tsgo-"))
  const config = join(dir, "tsconfig.json")
  const program = join(dir, "program.ts")
  writeFileSync(join(dir, "codemode.d.ts"), declarations.replace(/\): Promise<unknown>$/gm, "): Promise<any>"))
  writeFileSync(join(dir, "globals.d.ts"), GLOBALS_TEXT)
  writeFileSync(config, JSON.stringify({ compilerOptions: compilerOptionsJson, files: ["codemode.d.ts", "globals.d.ts", "program.ts"] }))
  const source = (i: number) => `async function __codemode_program__() {\n${PROGRAMS[name]!.replaceAll("__N__", String(i))}\n}\n`
  writeFileSync(program, source(0))
  const started = performance.now()
  const api = new API({ cwd: dir })
  let snapshot = api.updateSnapshot({ openProjects: [config] })
  const first = snapshot.getProject(config)!.program.getSemanticDiagnostics(program)
  const coldMs = performance.now() - started
  const warm: number[] = []
  for (let i = 1; i <= 30; i++) {
    writeFileSync(program, source(i))
    const t = performance.now()
    snapshot = api.updateSnapshot({ fileChanges: { changed: [program] } })
    snapshot.getProject(config)!.program.getSemanticDiagnostics(program)
    warm.push(performance.now() - t)
  }
  api.close()
  rmSync(dir, { recursive: true, force: true })
  out[name] = { coldMs, warmP50Ms: percentile(warm, 0.5), warmP95Ms: percentile(warm, 0.95), diagnostics: first.map((d) => `TS${d.code} ${(d as { text?: string }).text ?? ""}`) }
}
process.stdout.write(`${JSON.stringify(out)}\n`)
