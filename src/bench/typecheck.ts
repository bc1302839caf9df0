/**
 * The typecheck benchmark: for the full Cloudflare and GitHub declarations, a realistic 20-line
 * program checked through the checker process as `execute` does it — cold (start the process, load
 * TypeScript and the declarations, first check) and warm (each check a new program) — and the
 * process's heap. Next to it, in this process, the alternative the issue asked about: pruning the
 * declarations to the tools each program references (no persistent checker possible then).
 */
import { availableParallelism, loadavg } from "node:os"
import path from "node:path"
import ts from "typescript"
import { createTypechecker } from "../code/typecheck/checker.js"
import { compilerOptions, createCompiler, type LibCache } from "../code/typecheck/compiler.js"
import { loadCatalog } from "../code/typecheck/catalog.js"
import { DEFAULT_TYPECHECK_MEMORY_BYTES } from "../code/typecheck/options.js"
import { checkInput } from "../code/typecheck/prepare.js"
import { openapi } from "../tools/openapi/index.js"
import type { Tool } from "../tools/tool.js"
import { buildDeclarations } from "../types/declarations.js"
import { DEFAULT_DATA_DIR } from "./search.js"

export interface TypecheckFigures {
  /** New checker process: spawn, load TypeScript and the declarations, first check. */
  coldMs: number
  /** A new 20-line program per check, through the process (IPC included). */
  warmP50Ms: number
  warmP95Ms: number
  /** CPU time of a warm check inside the checker process (load-independent, unlike the wall times). */
  warmCpuP50Ms: number
  /** The checker process's V8 heap in use after the warm checks. */
  heapBytes: number
}

export interface PruningFigures {
  /** In this process: one checker kept across checks over the full declarations (what codemode does). */
  persistentWarmP50Ms: number
  /** In this process: per program, declarations of only the tools it names, a fresh checker each time. */
  prunedWarmP50Ms: number
}

export interface TypecheckBenchResult {
  /** 1-minute load average per core when the benchmark started: wall times on a busy machine are not figures of the checker. */
  loadPerCore: number
  cloudflare: TypecheckFigures
  github: TypecheckFigures
  /** Lines of each benchmark program. */
  programLines: number
  warmChecks: number
  pruning: { cloudflare: PruningFigures; github: PruningFigures }
}

export interface TypecheckBenchOptions {
  /** Warm checks per catalog. Default 50. */
  checks?: number
  /** Folder of the specs. Default the repository's `data/` (as the search benchmark). */
  dataDir?: string
}

/** The benchmark programs: 20 lines each, `__N__` replaced by the check's number (a new program each time). */
export const PROGRAMS: Record<string, string> = {
  cloudflare: `const zones = await codemode.cloudflare.zones_get({ name: "example__N__.com", per_page: 50 })
const zone = zones.result[0]
const records = await codemode.cloudflare.dns_records_for_a_zone_list_dns_records({ zone_id: zone.id, per_page: 100 })
const byType: Record<string, number> = {}
const stale = []
for (const r of records.result) {
  byType[r.type] = (byType[r.type] ?? 0) + 1
  if (r.type === "A" && r.content === "192.0.2.__N__") stale.push(r)
}
for (const r of stale) {
  await codemode.cloudflare.dns_records_for_a_zone_patch_dns_record({
    zone_id: zone.id,
    dns_record_id: r.id,
    body: { type: "A", name: r.name, content: "198.51.100.7", proxied: true },
  })
}
const settings = await codemode.cloudflare.zone_settings_get_all_zone_settings({ zone_id: zone.id })
const ssl = settings.result.find((s) => s.id === "ssl")
console.log(\`\${zone.name}: \${stale.length} records moved\`)
return { zone: zone.name, byType, moved: stale.map((r) => r.name), ssl: ssl?.value }`,
  github: `const owner = "octo", repo = "hello__N__"
const meta = await codemode.github.repos_get({ owner, repo })
const issues = await codemode.github.issues_list_for_repo({ owner, repo, state: "open", per_page: 100 })
const prs = await codemode.github.pulls_list({ owner, repo, state: "open", per_page: 50 })
const stale = issues.filter((i) => !i.pull_request && Date.parse(i.updated_at) < Date.now() - 90 * 864e5)
const byLabel: Record<string, number> = {}
for (const issue of issues) {
  for (const label of issue.labels) {
    const name = typeof label === "string" ? label : label.name
    byLabel[name] = (byLabel[name] ?? 0) + 1
  }
}
for (const issue of stale.slice(0, 5)) {
  await codemode.github.issues_create_comment({ owner, repo, issue_number: issue.number, body: { body: "Still relevant?" } })
}
const drafts = prs.filter((p) => p.draft).map((p) => p.number)
const runs = await codemode.github.actions_list_workflow_runs_for_repo({ owner, repo, branch: meta.default_branch, per_page: 20 })
const failed = runs.workflow_runs.filter((r) => r.conclusion === "failure").length
console.log(\`\${meta.full_name}: \${meta.stargazers_count} stars\`)
return { stale: stale.length, byLabel, drafts, failed, checks: __N__ }`,
}

/** The checker's compiler options as tsconfig JSON (for a tsgo project: bench/typecheck-native.ts). */
export const compilerOptionsJson = (() => {
  const { target: _target, lib: _lib, ...flags } = compilerOptions(ts)
  return { ...flags, target: "esnext", lib: ["esnext"] }
})()

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN
}

const round = (ms: number) => Math.round(ms * 100) / 100

export interface BenchCatalog {
  name: "cloudflare" | "github"
  tools: Tool[]
  /** The declarations the checker reads (no docs). */
  declarations: string
}

export async function loadBenchCatalogs(dataDir?: string): Promise<BenchCatalog[]> {
  const dir = dataDir ?? DEFAULT_DATA_DIR
  const out: BenchCatalog[] = []
  for (const name of ["cloudflare", "github"] as const) {
    const tools = await openapi(name, { spec: path.join(dir, `${name}-openapi.json.gz`), baseUrl: "http://127.0.0.1:9" }).load()
    out.push({ name, tools, declarations: buildDeclarations(tools, { docs: "none" }).text() })
  }
  return out
}

const program = (name: string, i: number) => (PROGRAMS[name] ?? "").replaceAll("__N__", String(i))

async function throughProcess(catalog: BenchCatalog, checks: number): Promise<TypecheckFigures> {
  const checker = createTypechecker({ timeMs: 120_000, memoryBytes: DEFAULT_TYPECHECK_MEMORY_BYTES, prepareMs: 600_000 })
  try {
    const started = performance.now()
    const first = await checker.check(program(catalog.name, 0), true, catalog.tools)
    const coldMs = performance.now() - started
    if (first.status !== "passed") throw new Error(`[codemode] [bench] the ${catalog.name} program does not pass: ${JSON.stringify(first.diagnostics.slice(0, 2))}${first.reason ?? ""}`)
    const warm: number[] = []
    const cpu: number[] = []
    for (let i = 1; i <= checks; i++) {
      const t = performance.now()
      await checker.check(program(catalog.name, i), true, catalog.tools)
      warm.push(performance.now() - t)
      cpu.push(checker.lastCheck().cpuMs)
    }
    return {
      coldMs: round(coldMs),
      warmP50Ms: round(percentile(warm, 0.5)),
      warmP95Ms: round(percentile(warm, 0.95)),
      warmCpuP50Ms: round(percentile(cpu, 0.5)),
      heapBytes: checker.lastCheck().heapBytes,
    }
  } finally {
    await checker.close()
  }
}

/** Names in the program that are tools of the catalog. */
function referenced(text: string, tools: readonly Tool[]): Tool[] {
  const names = new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? [])
  return tools.filter((t) => names.has(t.name))
}

function inProcess(catalog: BenchCatalog, checks: number): PruningFigures {
  const libs: LibCache = new Map()
  const persistent = loadCatalog(ts, catalog.tools, libs).compiler
  persistent.check(checkInput(program(catalog.name, 0), true))
  const full: number[] = []
  const pruned: number[] = []
  for (let i = 1; i <= checks; i++) {
    const text = program(catalog.name, i)
    let t = performance.now()
    persistent.check(checkInput(text, true))
    full.push(performance.now() - t)
    t = performance.now()
    createCompiler(ts, buildDeclarations(referenced(text, catalog.tools), { docs: "none" }).text(), libs).check(checkInput(text, true))
    pruned.push(performance.now() - t)
  }
  return { persistentWarmP50Ms: round(percentile(full, 0.5)), prunedWarmP50Ms: round(percentile(pruned, 0.5)) }
}

export async function benchTypecheck(options: TypecheckBenchOptions = {}): Promise<TypecheckBenchResult> {
  const checks = options.checks ?? 50
  const [cloudflare, github] = await loadBenchCatalogs(options.dataDir)
  if (!cloudflare || !github) throw new Error("[codemode] [bench] specs missing")
  const loadPerCore = round(loadavg()[0]! / availableParallelism())
  return {
    loadPerCore,
    cloudflare: await throughProcess(cloudflare, checks),
    github: await throughProcess(github, checks),
    programLines: (PROGRAMS.cloudflare ?? "").split("\n").length,
    warmChecks: checks,
    pruning: { cloudflare: inProcess(cloudflare, checks), github: inProcess(github, checks) },
  }
}
