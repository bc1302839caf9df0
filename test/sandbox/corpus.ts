/**
 * Reads the shared security corpus (`../shared/security` next to the repo) and runs one payload the
 * way its README prescribes: a fresh canary, no marker file, one `demo.echo` tool, the corpus limits,
 * while the host's responsiveness, RSS and stdout/stderr are watched.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { randomBytes } from "node:crypto"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { Executor, Limits, RunOutcome } from "../../src/sandbox/executor.js"
import { exposeGc } from "../../src/bench/gc.js"

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
export const SECURITY_DIR = path.resolve(REPO_ROOT, "../shared/security")
export const MARKER = "/tmp/codemode-escape-marker"

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
  file: string
  name: string
  expect: Expect
  source: string
}

const EXPECTS = new Set<string>(["no-escape", "clean", "error", "stopped-by-time", "stopped-by-memory", "stopped-by-stack", "stopped-by-limit", "stopped-by-any"])

export function loadPayloads(group: "escape" | "dos"): Payload[] {
  const dir = path.join(SECURITY_DIR, group)
  if (!existsSync(dir)) throw new Error(`security corpus not found at ${dir} (expected a sibling shared/ checkout)`)
  return readdirSync(dir)
    .filter((f) => f.endsWith(".js"))
    .sort()
    .map((f) => {
      const source = readFileSync(path.join(dir, f), "utf8")
      const header = (tag: string) => new RegExp(`^//\\s*@${tag}\\s+(.+)$`, "m").exec(source)?.[1]?.trim()
      const expect = header("expect")
      if (!expect || !EXPECTS.has(expect)) throw new Error(`${group}/${f}: missing or unknown @expect (${expect})`)
      return { file: `${group}/${f}`, name: header("name") ?? f, expect: expect as Expect, source }
    })
}

export interface Observed {
  outcome: RunOutcome
  elapsedMs: number
  canary: string
  maxLagMs: number
  rssGrowthBytes: number
  hostOutput: string
  markerExists: boolean
}

/** Runs one payload with the corpus set-up and returns everything the assertions need. */
export async function runPayload(executor: Executor, payload: Payload, gc = exposeGc()): Promise<Observed> {
  // Collect the previous payloads' garbage (large outcomes and logs) now, so a GC pause of the test
  // harness itself does not land inside this payload's responsiveness measurement.
  gc?.()
  const canary = `canary-${randomBytes(12).toString("hex")}`
  process.env.CODEMODE_CANARY = canary
  rmSync(MARKER, { force: true })
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
