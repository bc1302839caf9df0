/**
 * What loads at start: `import "codemode"` and `codemode --help` must not load the heavy
 * dependencies (gpt-tokenizer, the MCP SDK, zod, yaml, ajv, acorn, typescript); they load where they are used. Checked
 * in a child process whose module loader records every module it resolves, plus the CommonJS cache.
 * Runs the TypeScript sources through tsx. Timings are not asserted here: `npm run bench -- startup`.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "vitest"
import { ROOT } from "./cli/helpers.js"

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), "codemode-startup-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const HEAVY = ["gpt-tokenizer", "@modelcontextprotocol/sdk", "zod", "yaml", "ajv", "acorn", "typescript", "openai"]

/** A resolve hook (it runs on the loader thread) appending every resolved URL to the log. */
const HOOKS = `
import { appendFileSync } from "node:fs"
let log
export function initialize(data) { log = data.log }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(log, result.url + "\\n")
  return result
}`

/** Preloaded with --import: registers the hook and, at exit, logs the CommonJS modules loaded. */
const SETUP = `
import { register, createRequire } from "node:module"
import { appendFileSync } from "node:fs"
const log = process.env.STARTUP_LOG
register(new URL("./hooks.mjs", import.meta.url), { data: { log } })
const cache = createRequire(import.meta.url).cache
process.on("exit", () => appendFileSync(log, Object.keys(cache).join("\\n") + "\\n"))`

writeFileSync(join(dir, "hooks.mjs"), HOOKS)
writeFileSync(join(dir, "setup.mjs"), SETUP)

/** The packages under node_modules that `node --import tsx <args>` loads. */
async function packagesLoadedBy(name: string, args: string[]): Promise<string[]> {
  const log = join(dir, `${name}.log`)
  const setup = pathToFileURL(join(dir, "setup.mjs")).href
  await run(process.execPath, ["--import", "tsx", "--import", setup, ...args], { cwd: ROOT, timeout: 60_000, env: { ...process.env, STARTUP_LOG: log } })
  const packages = new Set<string>()
  for (const line of readFileSync(log, "utf8").split("\n")) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line)
    if (m?.[1]) packages.add(m[1])
  }
  return [...packages].sort()
}

const heavyIn = (packages: string[]) => packages.filter((p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`)))
const source = (file: string) => pathToFileURL(join(ROOT, "src", file)).href

describe("startup", () => {
  it("the loader hook sees what an import loads (so an empty list below means something)", async () => {
    const code = `await import("zod"); await import("yaml"); await import(${JSON.stringify(source("lazy.ts"))}).then((m) => m.tokenizer())`
    const loaded = await packagesLoadedBy("control", ["--input-type=module", "-e", code])
    expect(heavyIn(loaded)).toEqual(["gpt-tokenizer", "yaml", "zod"])
  })

  it('import "codemode" loads none of gpt-tokenizer, the MCP SDK, zod, yaml, ajv, acorn, typescript', async () => {
    const loaded = await packagesLoadedBy("import", ["--input-type=module", "-e", `await import(${JSON.stringify(source("index.ts"))})`])
    expect(heavyIn(loaded)).toEqual([])
  })

  it("the adapters (codemode/ai, /openai, /anthropic) load no SDK: neither ai, openai nor @anthropic-ai/sdk", async () => {
    const code = ["ai", "openai", "anthropic"].map((name) => `await import(${JSON.stringify(source(`integrations/${name}.ts`))})`).join("; ")
    const loaded = await packagesLoadedBy("adapters", ["--input-type=module", "-e", code])
    expect(loaded.filter((p) => p === "ai" || p === "openai" || p.startsWith("@ai-sdk/") || p.startsWith("@anthropic-ai/"))).toEqual([])
    expect(heavyIn(loaded)).toEqual([])
  })

  it("codemode --help loads none of them either", async () => {
    const loaded = await packagesLoadedBy("help", [join(ROOT, "src", "cli", "main.ts"), "--help"])
    expect(heavyIn(loaded)).toEqual([])
    expect(loaded).toContain("commander")
  })
})
