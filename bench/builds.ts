/**
 * Builds to compare in the A/B benchmarks: a directory holding a build (`dist`), or a git ref built
 * into .tmp/ab/<commit>/dist with `tsc` (a detached worktree reusing this checkout's node_modules).
 */
import { execFileSync } from "node:child_process"
import { existsSync, symlinkSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** The build directory for a ref or a path given on the command line. */
export function buildFor(arg: string): string {
  if (existsSync(path.join(arg, "sandbox/quickjs/index.js"))) return path.resolve(arg)
  const commit = execFileSync("git", ["rev-parse", "--verify", `${arg}^{commit}`], { cwd: ROOT, encoding: "utf8" }).trim()
  const tree = path.join(ROOT, ".tmp/ab", commit.slice(0, 12))
  const dist = path.join(tree, "dist")
  if (existsSync(path.join(dist, "sandbox/quickjs/index.js"))) return dist
  process.stderr.write(`building ${arg} (${commit.slice(0, 12)}) in ${path.relative(ROOT, tree)}\n`)
  if (!existsSync(tree)) execFileSync("git", ["worktree", "add", "--detach", tree, commit], { cwd: ROOT, stdio: "ignore" })
  if (!existsSync(path.join(tree, "node_modules"))) symlinkSync(path.join(ROOT, "node_modules"), path.join(tree, "node_modules"))
  execFileSync(path.join(ROOT, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json"], { cwd: tree, stdio: "inherit" })
  return dist
}
