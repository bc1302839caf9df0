/**
 * Runs the CLI as a subprocess: the built bin (dist/cli/main.js) when it is newer than every source
 * file (CI builds before testing), else the TypeScript sources through tsx.
 */
import { spawn } from "node:child_process"
import { existsSync, readdirSync, statSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const BUILT = path.join(ROOT, "dist", "cli", "main.js")

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : statSync(file).mtimeMs)
  }
  return newest
}

/** How the CLI is started: node + the built bin, or node + tsx + the sources. */
export const CLI_ARGS: readonly string[] =
  existsSync(BUILT) && statSync(BUILT).mtimeMs > newestSource(path.join(ROOT, "src"))
    ? [BUILT]
    : ["--import", "tsx", path.join(ROOT, "src", "cli", "main.ts")]

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** `codemode <args>` with `input` on stdin (and `env` over the test's environment); killed after `timeoutMs` (then `code` is null). */
export function cli(args: string[], input = "", timeoutMs = 30_000, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGS, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(input)
  })
}
