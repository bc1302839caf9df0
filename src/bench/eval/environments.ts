/**
 * The eval's environments: the demo functions, the real npm MCP servers (memory with its own file,
 * filesystem in a temp folder, everything) and the GitHub spec from data/ answered by a stub on
 * 127.0.0.1. Stateful ones (demo, memory, filesystem) are fresh for every task and arm; everything
 * and GitHub are shared (GitHub's created issues are forgotten before each task). All codemode
 * instances share one sandbox executor. The MCP servers are the repository's dev dependencies and
 * the spec is in its data/ folder: the eval runs from a clone.
 */
import { existsSync } from "node:fs"
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { codemodeError } from "../../errors.js"
import { createCodeMode, type CodeMode } from "../../runtime/codemode.js"
import { demoSource } from "../../tools/demo.js"
import type { Executor } from "../../sandbox/executor.js"
import { mcp } from "../../tools/mcp/index.js"
import { openapi } from "../../tools/openapi/index.js"
import type { ToolSource } from "../../tools/tool.js"
import { startGithubStub, type GithubStub } from "./github-stub.js"
import type { EnvName, EvalEnv } from "./task.js"

// src/bench/eval and dist/bench/eval both sit three levels below the repository.
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
export const GITHUB_SPEC = path.join(REPO_ROOT, "data", "github-openapi.json.gz")

const serverEntry = (name: string) => path.join(REPO_ROOT, "node_modules", "@modelcontextprotocol", `server-${name}`, "dist", "index.js")

function npmServer(name: "memory" | "filesystem" | "everything", ...args: string[]) {
  return { command: process.execPath, args: [serverEntry(name), ...args] }
}

/** Throws `CONFIG_INVALID` when what an environment needs is not here (the npm package rather than a clone). */
export function checkEnvironments(names: Iterable<EnvName>): void {
  for (const name of new Set(names)) {
    const needed = name === "github" ? GITHUB_SPEC : name === "demo" ? undefined : serverEntry(name)
    if (needed && !existsSync(needed)) {
      throw codemodeError("CONFIG_INVALID", "eval", `the ${name} tasks need ${path.relative(REPO_ROOT, needed)}: run the eval from a clone of the repository after npm ci`)
    }
  }
}

/** Files of the filesystem tasks, relative to the served folder. */
export const FILESYSTEM_SEED: Record<string, string> = {
  "notes/monday.txt": "standup\nreview PR 12\nlunch with Sam\n",
  "notes/tuesday.txt": "deploy\nwrite docs\n",
  "notes/wednesday.txt": "retro\nplan sprint\nfix flaky test\ninterview\n",
  "src/app.ts": "export const app = 1 // TODO: config\n",
  "src/db.ts": "export const db = 2\n",
  "src/http.ts": "// TODO: retries\nexport const http = 3\n",
  "data/small.csv": "a,b\n1,2\n",
  "data/medium.csv": "a,b,c\n1,2,3\n4,5,6\n7,8,9\n",
  "data/large.csv": "id,name,amount\n1,apple,3\n2,kiwi,5\n3,plum,7\n4,pear,9\n5,fig,11\n",
  "orders/2026-01.json": JSON.stringify([{ id: 1, amount: 120 }, { id: 2, amount: 80 }]),
  "orders/2026-02.json": JSON.stringify([{ id: 3, amount: 45 }]),
  "orders/2026-03.json": JSON.stringify([{ id: 4, amount: 200 }, { id: 5, amount: 5 }, { id: 6, amount: 50 }]),
  "part1.txt": "Once upon a time\n",
  "part2.txt": "there was a sandbox\n",
  "part3.txt": "that ran code safely.\n",
  "build.log": "build ok\n",
  "test.log": "12 passed\n",
  "deploy.log": "deployed v2\n",
}

/** An opened environment and how to close it. */
export interface OpenedEnv extends EvalEnv {
  close(): Promise<void>
}

export interface Environments {
  /** A fresh environment (demo, memory, filesystem) or the shared one (everything, github). */
  open(name: EnvName): Promise<OpenedEnv>
  close(): Promise<void>
}

/** The environments of one eval run, sharing `executor` (not disposed here). */
export function createEnvironments(executor: Executor): Environments {
  // the instances share the executor; it is disposed by the run, not by each instance
  const shared: Executor = { name: executor.name, run: (...args) => executor.run(...args), dispose: async () => undefined }
  const instance = (sources: ToolSource[]): Promise<CodeMode> => createCodeMode({ sources, executor: shared, typecheck: "off" })
  let everything: Promise<CodeMode> | undefined
  let github: Promise<{ cm: CodeMode; stub: GithubStub }> | undefined
  const keep = async () => undefined

  async function fresh(name: "demo" | "memory" | "filesystem"): Promise<OpenedEnv> {
    if (name === "demo") {
      const cm = await instance([demoSource()])
      return { cm, close: () => cm.close() }
    }
    const dir = await mkdtemp(path.join(tmpdir(), `codemode-eval-${name}-`))
    const cleanup = () => rm(dir, { recursive: true, force: true })
    try {
      if (name === "memory") {
        const cm = await instance([mcp("memory", { ...npmServer("memory"), env: { MEMORY_FILE_PATH: path.join(dir, "memory.jsonl") } })])
        return { cm, close: async () => (await cm.close(), await cleanup()) }
      }
      const root = path.join(dir, "files")
      for (const [file, text] of Object.entries(FILESYSTEM_SEED)) {
        await mkdir(path.dirname(path.join(root, file)), { recursive: true })
        await writeFile(path.join(root, file), text)
      }
      const cm = await instance([mcp("fs", { ...npmServer("filesystem", root), cwd: root })])
      return { cm, dir: root, close: async () => (await cm.close(), await cleanup()) }
    } catch (error) {
      await cleanup()
      throw error
    }
  }

  return {
    async open(name) {
      if (name === "everything") return { cm: await (everything ??= instance([mcp("everything", npmServer("everything"))])), close: keep }
      if (name === "github") {
        const { cm, stub } = await (github ??= (async () => {
          const stub = await startGithubStub()
          return { stub, cm: await instance([openapi("github", { spec: GITHUB_SPEC, baseUrl: stub.url })]) }
        })())
        stub.created.length = 0
        return { cm, github: stub, close: keep }
      }
      return fresh(name)
    },
    async close() {
      const opened = await Promise.allSettled([everything, github])
      for (const result of opened) {
        if (result.status !== "fulfilled" || !result.value) continue
        const value = result.value
        if ("stub" in value) await Promise.allSettled([value.cm.close(), value.stub.close()])
        else await value.close()
      }
    },
  }
}
