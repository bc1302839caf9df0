/**
 * Reads a security corpus (the project's own in `test/security`, and the shared one in
 * `../shared/security` beside the repository when it is there) and runs one payload the way the
 * corpus README prescribes: a fresh canary, no marker file, one `demo.echo` tool, the corpus limits,
 * while the host's responsiveness, RSS, stdout/stderr and built-in prototypes are watched.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { randomBytes } from "node:crypto"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { Executor, Limits, RunOutcome } from "../../src/sandbox/executor.js"
import { exposeGc } from "../../src/bench/gc.js"

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
/** The project's own corpus: `escape/` and `dos/` payloads written for codemode (test/security/README.md). */
export const OWN_CORPUS_DIR = path.join(REPO_ROOT, "test", "security")
/** The shared corpus, a sibling checkout of the repository (CI always has it; a fresh clone does not). */
export const SHARED_CORPUS_DIR = path.resolve(REPO_ROOT, "../shared/security")
/**
 * The marker file an escaped payload writes. Fixed by the corpus format (payloads are plain text and
 * cannot be told a temp dir), and only ever deleted and checked here, never required to exist.
 */
export const MARKER = "/tmp/codemode-escape-marker"

export interface Corpus {
  /** Prefix of the payloads' titles: "own" or "shared". */
  name: string
  dir: string
}

export interface CorpusPlan {
  /** The corpora to run, the project's own first. */
  corpora: Corpus[]
  /** Why the shared corpus is not among them (absent beside the repository). */
  sharedMissing?: string
  /** Whether its absence is an error: it always is in CI. */
  sharedRequired: boolean
}

/** `CI` set to anything but "", "0" or "false". */
export const isCi = (env: NodeJS.ProcessEnv = process.env): boolean => !["", "0", "false"].includes((env.CI ?? "").toLowerCase())

/**
 * Which corpora to run: always the project's own; the shared one whenever it exists; when it does
 * not, `sharedMissing` says so and `sharedRequired` is true in CI (which always has it).
 */
export function corpusPlan(env: NodeJS.ProcessEnv = process.env, sharedDir = SHARED_CORPUS_DIR): CorpusPlan {
  const own: Corpus = { name: "own", dir: OWN_CORPUS_DIR }
  if (existsSync(path.join(sharedDir, "escape")) && existsSync(path.join(sharedDir, "dos"))) {
    return { corpora: [own, { name: "shared", dir: sharedDir }], sharedRequired: isCi(env) }
  }
  return {
    corpora: [own],
    sharedMissing: `the shared security corpus is not at ${sharedDir} (../shared/security beside the repository)`,
    sharedRequired: isCi(env),
  }
}

export const CORPUS_LIMITS: Limits = {
  timeMs: 2000,
  memoryBytes: 64 * 1024 * 1024,
  stackBytes: 1024 * 1024,
  maxToolCalls: 1000,
  maxOutputBytes: 1024 * 1024,
  maxResultBytes: 1024 * 1024,
}

export type Expect =
  | "no-escape"
  | "clean"
  | "error"
  | "stopped-by-time"
  | "stopped-by-memory"
  | "stopped-by-stack"
  | "stopped-by-limit"
  | "stopped-by-any"

export interface Payload {
  /** `<corpus>/<group>/<file>`, e.g. "own/escape/01-realm-constructors.js". */
  file: string
  name: string
  family: string
  expect: Expect
  source: string
}

const EXPECTS = new Set<string>(["no-escape", "clean", "error", "stopped-by-time", "stopped-by-memory", "stopped-by-stack", "stopped-by-limit", "stopped-by-any"])

export function loadPayloads(corpus: Corpus, group: "escape" | "dos"): Payload[] {
  const dir = path.join(corpus.dir, group)
  if (!existsSync(dir)) throw new Error(`security corpus "${corpus.name}" has no ${group}/ folder at ${dir}`)
  const payloads = readdirSync(dir)
    .filter((f) => f.endsWith(".js"))
    .sort()
    .map((f) => {
      const file = `${corpus.name}/${group}/${f}`
      const source = readFileSync(path.join(dir, f), "utf8")
      const header = (tag: string) => new RegExp(`^//\\s*@${tag}\\s+(.+)$`, "m").exec(source)?.[1]?.trim()
      const expect = header("expect")
      if (!expect || !EXPECTS.has(expect)) throw new Error(`${file}: missing or unknown @expect (${expect})`)
      const family = header("family")
      if (!family) throw new Error(`${file}: missing @family`)
      return { file, name: header("name") ?? f, family, expect: expect as Expect, source }
    })
  if (payloads.length === 0) throw new Error(`security corpus "${corpus.name}" has no payloads in ${dir}`)
  return payloads
}

export interface Observed {
  outcome: RunOutcome
  elapsedMs: number
  canary: string
  maxLagMs: number
  rssGrowthBytes: number
  hostOutput: string
  markerExists: boolean
  /** Own keys added to or removed from the host's built-in prototypes during the run ("Object.prototype.x"). */
  hostPrototypeChanges: string[]
}

/** The host built-ins a leaked reference or a merge of sandbox data (`__proto__` keys) would change. */
const HOST_BUILTINS: ReadonlyArray<readonly [string, object]> = [
  ["Object.prototype", Object.prototype],
  ["Array.prototype", Array.prototype],
  ["Function.prototype", Function.prototype],
  ["Promise.prototype", Promise.prototype],
  ["Error.prototype", Error.prototype],
  ["String.prototype", String.prototype],
  ["JSON", JSON],
]

function builtinKeys(): Map<string, Set<PropertyKey>> {
  return new Map(HOST_BUILTINS.map(([name, o]) => [name, new Set(Reflect.ownKeys(o))]))
}

function prototypeChanges(before: Map<string, Set<PropertyKey>>): string[] {
  const changes: string[] = []
  for (const [name, keys] of builtinKeys()) {
    const was = before.get(name) ?? new Set()
    for (const k of keys) if (!was.has(k)) changes.push(`${name}.${String(k)} added`)
    for (const k of was) if (!keys.has(k)) changes.push(`${name}.${String(k)} removed`)
  }
  return changes
}

/** Runs one payload with the corpus set-up and returns everything the assertions need. */
export async function runPayload(executor: Executor, payload: Payload, gc = exposeGc()): Promise<Observed> {
  // Collect the previous payloads' garbage (large outcomes and logs) now, so a GC pause of the test
  // harness itself does not land inside this payload's responsiveness measurement.
  gc?.()
  const canary = `canary-${randomBytes(12).toString("hex")}`
  process.env.CODEMODE_CANARY = canary
  rmSync(MARKER, { force: true })
  const builtins = builtinKeys()
  const captured: string[] = []
  const restore = captureHostOutput(captured)
  const baseRss = process.memoryUsage.rss()
  let peakRss = baseRss
  let maxLagMs = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    maxLagMs = Math.max(maxLagMs, now - last - 10)
    last = now
    peakRss = Math.max(peakRss, process.memoryUsage.rss())
  }, 10)
  const started = performance.now()
  let outcome: RunOutcome
  try {
    outcome = await executor.run(payload.source, { "demo.echo": async (args) => args }, CORPUS_LIMITS)
  } finally {
    clearInterval(timer)
    restore()
  }
  const elapsedMs = performance.now() - started
  // Let late output (worker stdio is forwarded asynchronously) reach the capture before judging.
  delete process.env.CODEMODE_CANARY
  return {
    outcome,
    elapsedMs,
    canary,
    maxLagMs,
    rssGrowthBytes: Math.max(0, peakRss - baseRss),
    hostOutput: captured.join(""),
    markerExists: existsSync(MARKER),
    hostPrototypeChanges: prototypeChanges(builtins),
  }
}

function captureHostOutput(into: string[]): () => void {
  const streams = [process.stdout, process.stderr]
  const originals = streams.map((s) => s.write)
  for (const s of streams) {
    const original = s.write.bind(s)
    s.write = ((chunk: unknown, ...rest: unknown[]) => {
      into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString())
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest)
    }) as typeof s.write
  }
  return () => streams.forEach((s, i) => (s.write = originals[i] as typeof s.write))
}
