/**
 * The security corpora against every sandbox backend the project has: the project's own
 * (test/security, always) and ../shared/security (whenever it is beside the repository; CI always
 * has it, and without it in CI the suite fails). Plus what keeps the own corpus honest: which
 * corpora run when, and that it covers every family.
 */
import path from "node:path"
import { describe, expect, it } from "vitest"
import { quickjs } from "../../src/sandbox/quickjs/index.js"
import { quickjsMemoryOverhead } from "../../src/internal.js"
import { corpusPlan, loadPayloads, OWN_CORPUS_DIR, REPO_ROOT, type Corpus } from "../sandbox/corpus.js"
import { testSecurityCorpus } from "../sandbox/security-suite.js"

/**
 * Families the own corpus must cover: those of the shared corpus when this was written, and the
 * ones the project added (eval, host-function, symbol, cross-run, gc-callbacks).
 */
const REQUIRED_FAMILIES = [
  "ambient-authority", "boundary", "constructor-chain", "copy-in", "copy-out", "explicit-resource-management",
  "information-leak", "inspect-custom", "prepare-stack-trace", "promise-species", "prototype-pollution",
  "prototype-tampering", "proxy", "stack-overflow", "thenable", "wasm",
  "eval", "host-function", "symbol", "cross-run", "gc-callbacks",
  "dos-after-run", "dos-cpu", "dos-memory", "dos-output", "dos-regexp", "dos-stack", "dos-tools", "dos-wall",
]

const own: Corpus = { name: "own", dir: OWN_CORPUS_DIR }
const all = (corpus: Corpus) => [...loadPayloads(corpus, "escape"), ...loadPayloads(corpus, "dos")]
/** The payload's text after its header, to compare corpora. */
const body = (source: string) => source.replace(/^(\/\/.*\n)+/, "")

describe("the security corpora", () => {
  const absent = path.join(REPO_ROOT, ".tmp", "no-shared-corpus-here")

  it("runs the own corpus alone when the shared one is missing, and requires the shared one in CI", () => {
    expect(corpusPlan({}, absent)).toMatchObject({ corpora: [own], sharedRequired: false })
    expect(corpusPlan({}, absent).sharedMissing).toContain(absent)
    expect(corpusPlan({ CI: "true" }, absent)).toMatchObject({ corpora: [own], sharedRequired: true })
    expect(corpusPlan({ CI: "1" }, absent).sharedRequired).toBe(true)
    expect(corpusPlan({ CI: "false" }, absent).sharedRequired).toBe(false)
  })

  it("runs both when the shared corpus is beside the repository", () => {
    const plan = corpusPlan({ CI: "true" }, OWN_CORPUS_DIR)
    expect(plan.corpora.map((c) => c.name)).toEqual(["own", "shared"])
    expect(plan.sharedMissing).toBeUndefined()
  })

  it("covers every required family, and every family of the shared corpus when it is here", () => {
    const payloads = all(own)
    const families = new Set(payloads.map((p) => p.family))
    const shared = corpusPlan().corpora.find((c) => c.name === "shared")
    const required = new Set([...REQUIRED_FAMILIES, ...(shared ? all(shared).map((p) => p.family) : [])])
    expect([...required].filter((f) => !families.has(f))).toEqual([])
    expect(new Set(payloads.map((p) => p.name)).size).toBe(payloads.length)
  })

  it("gives every escape payload the prelude that reports an escape, and copies no shared payload", () => {
    for (const p of loadPayloads(own, "escape")) {
      expect(p.source, p.file).toContain('const MARKER = "/tmp/codemode-escape-marker"')
      expect(p.source, p.file).toMatch(/function pwn\(p\)[\s\S]*CODEMODE_CANARY[\s\S]*writeFileSync\(MARKER/)
    }
    const shared = corpusPlan().corpora.find((c) => c.name === "shared")
    if (!shared) return
    const theirs = new Set(all(shared).map((p) => body(p.source).trim()))
    expect(all(own).filter((p) => theirs.has(body(p.source).trim())).map((p) => p.file)).toEqual([])
  })
})

testSecurityCorpus({ name: "quickjs", create: () => quickjs(), memoryOverheadBytes: quickjsMemoryOverhead() })
