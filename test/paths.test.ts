/**
 * No absolute machine path in src/, test/, bench/, CI or the config files: a clone anywhere runs as
 * is. Repository files are found relative to `import.meta.url`; temporary files go under
 * `os.tmpdir()` (`mkdtemp`), never a hard-coded /tmp path.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const SELF = path.relative(ROOT, fileURLToPath(import.meta.url))
const SCANNED = ["src", "test", "bench", ".ci", "package.json", "tsconfig.json", "tsconfig.build.json", "vitest.config.ts"]

/** Top-level folders of a machine's own layout (Linux, macOS, containers), as path roots. */
const ROOTS = "work|root|home|Users|tmp|mnt|opt|srv|private|Volumes|workspace"
const MACHINE_PATHS = [
  new RegExp(`(?<![\\w.~/-])/(?:${ROOTS})/[^\\s"'\`)]*`, "g"),
  new RegExp(`file:///(?:${ROOTS})/[^\\s"'\`)]*`, "g"),
  /(?<![\w])[A-Z]:\\\\[A-Za-z][^\s"'`)]*/g,
]

/** Absolute paths that are not a machine's: each with the reason it may stay. */
const ALLOWED: ReadonlyArray<{ text: string; file?: string; why: string }> = [
  { text: "/tmp/codemode-escape-marker", why: "the marker path fixed by the security corpus format; only deleted and checked for, never needed" },
  { text: "/home/someone/secret.ts", file: "test/sandbox/executor-suite.ts", why: "made-up text inside a tool's error message, checked to pass through unchanged" },
]

/** Every absolute machine path in `text`. */
function machinePaths(text: string): string[] {
  return MACHINE_PATHS.flatMap((re) => [...text.matchAll(re)].map((m) => m[0]))
}

function files(rel: string): string[] {
  const abs = path.join(ROOT, rel)
  if (statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
    return readdirSync(abs).flatMap((name) => files(path.join(rel, name)))
  }
  return statSync(abs, { throwIfNoEntry: false })?.isFile() ? [rel] : []
}

describe("no absolute machine paths", () => {
  it("finds them in the forms they take", () => {
    for (const root of ROOTS.split("|")) {
      expect(machinePaths(`const DATA = "/${root}/shared/data"`)).toEqual([`/${root}/shared/data`])
      expect(machinePaths(`new URL("file:///${root}/repo/x.js")`)).toEqual([`file:///${root}/repo/x.js`])
    }
    expect(machinePaths(`mkdir("/tmp/x"); open('/home/me/a.json'); "/Users/me/x" /root/.npmrc`)).toEqual([
      "/tmp/x",
      "/home/me/a.json",
      "/Users/me/x",
      "/root/.npmrc",
    ])
    expect(machinePaths(String.raw`"C:\\Users\\me\\repo"`)).toEqual([String.raw`C:\\Users\\me\\repo`])
    // relative paths, URLs and regular-expression text are not machine paths
    expect(machinePaths(`path.resolve(root, "../shared/data"); "node_modules/x/tmp/y"; "https://h.example/home/x"; /\\/home\\//`)).toEqual([])
  })

  it("has none in src/, test/, bench/, .ci/ or the config files", () => {
    const found: string[] = []
    for (const file of SCANNED.flatMap(files)) {
      if (file === SELF) continue // its examples above
      const bytes = readFileSync(path.join(ROOT, file))
      if (bytes.includes(0)) continue // binary (e.g. a .gz fixture)
      for (const hit of machinePaths(bytes.toString("utf8"))) {
        const allowed = ALLOWED.some((a) => hit.startsWith(a.text) && (a.file === undefined || a.file === file.split(path.sep).join("/")))
        if (!allowed) found.push(`${file}: ${hit}`)
      }
    }
    expect(found).toEqual([])
  })
})
