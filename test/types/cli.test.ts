/** `codemode types`: --openapi and --config sources, -o, --namespace, --docs, and clear errors. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { typesCommand } from "../../src/cli/types.js"
import { checkDeclarations } from "./compile.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

const petstore = {
  openapi: "3.0.3",
  info: { title: "Pets", version: "1" },
  servers: [{ url: "http://127.0.0.1:1" }],
  paths: {
    "/pets/{id}": {
      get: {
        operationId: "getPet",
        summary: "Get a pet",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" }, description: "The pet's id." }],
        responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Pet" } } } } },
      },
    },
  },
  components: { schemas: { Pet: { type: "object", required: ["name"], properties: { name: { type: "string" }, tag: { type: "string", nullable: true } } } } },
}

/** Runs `codemode types <argv>` in-process; returns what it wrote to stdout/stderr and the exit code. */
async function run(argv: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = ""
  let stderr = ""
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true))
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true))
  const before = process.exitCode
  process.exitCode = 0
  try {
    await typesCommand().exitOverride().parseAsync(argv, { from: "user" })
    return { stdout, stderr, exitCode: Number(process.exitCode ?? 0) }
  } finally {
    out.mockRestore()
    err.mockRestore()
    process.exitCode = before
  }
}

describe("codemode types", () => {
  let dir: string
  let spec: string

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "codemode-types-cli-"))
    spec = path.join(dir, "pets.json")
    await writeFile(spec, JSON.stringify(petstore))
  })
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })
  afterEach(() => vi.restoreAllMocks())

  it("prints the declarations of an OpenAPI spec to stdout", async () => {
    const { stdout, stderr, exitCode } = await run(["--openapi", spec, "--namespace", "pets"])
    expect({ stderr, exitCode }).toEqual({ stderr: "", exitCode: 0 })
    expect(stdout).toContain("declare namespace codemode.pets {")
    expect(stdout).toContain("function getPet(args: GetPetArgs): Promise<Pet>")
    expect(stdout).toContain("tag?: string | null")
    expect(checkDeclarations(stdout)).toEqual([])
  })

  it("writes to a file with -o and reports the size on stderr", async () => {
    const file = path.join(dir, "out.d.ts")
    const { stdout, stderr, exitCode } = await run(["--openapi", spec, "-o", file, "--docs", "none"])
    expect(exitCode).toBe(0)
    expect(stdout).toBe("")
    const text = await readFile(file, "utf8")
    expect(text).toContain("declare namespace codemode.api {")
    expect(text).not.toContain("/**")
    expect(stderr).toMatch(new RegExp(`^wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: 1 tools, ${text.length} characters, \\d+ o200k tokens\\n$`))
  })

  it("reads a codemode.json with an MCP server and an OpenAPI entry, and filters by --namespace", async () => {
    const config = path.join(dir, "codemode.json")
    const memory = path.join(repoRoot, "node_modules/@modelcontextprotocol/server-memory/dist/index.js")
    await writeFile(
      config,
      JSON.stringify({
        mcpServers: { memory: { command: process.execPath, args: [memory], env: { MEMORY_FILE_PATH: path.join(dir, "memory.jsonl") } } },
        openapi: { pets: { spec } },
      }),
    )
    const all = await run(["--config", config])
    expect(all.stderr).toBe("")
    expect(all.stdout).toContain("declare namespace codemode.memory {")
    expect(all.stdout).toContain("declare namespace codemode.pets {")
    expect(checkDeclarations(all.stdout)).toEqual([])
    const only = await run(["--config", config, "--namespace", "memory"])
    expect(only.stdout).toContain("function create_entities(args: CreateEntitiesArgs)")
    expect(only.stdout).not.toContain("codemode.pets")
  })

  it("fails with a clear message and exit code 2 on bad input", async () => {
    const missing = await run(["--openapi", path.join(dir, "nope.json")])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toMatch(/^\[codemode\] \[api\] source "api" \(openapi\) failed to load: \[codemode\] \[openapi:api\] .*nope\.json/)
    const config = path.join(dir, "only-pets.json")
    await writeFile(config, JSON.stringify({ openapi: { pets: { spec } } }))
    const wrongNs = await run(["--config", config, "--namespace", "github"])
    expect(wrongNs).toEqual({ stdout: "", stderr: '[codemode] [cli] namespace "github" has no tools; available: pets\n', exitCode: 2 })
  })
})
