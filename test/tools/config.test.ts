// codemode.json: Claude Desktop-style mcpServers + openapi entries, ${VAR}, relative paths, filters.
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { loadConfig, parseConfig } from "../../src/tools/config.js"
import type { ToolSource } from "../../src/tools/tool.js"
import { REPO_ROOT } from "../fixtures/mcp/servers.js"

const node = process.execPath
const serverJs = (name: string) => join(REPO_ROOT, "node_modules/@modelcontextprotocol", `server-${name}`, "dist/index.js")

let dir = ""
const opened: ToolSource[] = []
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "codemode-config-")))
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close?.()))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function parse(json: unknown, env: Record<string, string | undefined> = {}): ToolSource[] {
  const sources = parseConfig(json, { baseDir: dir, env })
  opened.push(...sources)
  return sources
}

function configError(json: unknown, env: Record<string, string | undefined> = {}): string {
  try {
    parse(json, env)
  } catch (e) {
    expect(CodeModeError.is(e, "CONFIG_INVALID")).toBe(true)
    return (e as Error).message
  }
  throw new Error("expected CONFIG_INVALID")
}

async function callTool(source: ToolSource, name: string, args: unknown = {}): Promise<unknown> {
  const tool = (await source.load()).find((t) => t.name === name)
  if (!tool) throw new Error(`no tool ${name} in ${source.namespace}`)
  return tool.call(args, {})
}

describe("mcpServers (Claude Desktop / Cursor shape)", () => {
  it("accepts a config as is: unknown keys tolerated, disabled entries skipped, names made identifiers", () => {
    const sources = parse({
      globalShortcut: "Ctrl+Space",
      mcpServers: {
        memory: { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"], env: {}, autoApprove: [] },
        "remote-api": { url: "http://127.0.0.1:9/mcp", headers: { Authorization: "Bearer x" }, type: "http" },
        off: { command: "npx", args: ["${NOT_SET_ANYWHERE}"], disabled: true },
      },
    })
    expect(sources.map((s) => [s.namespace, s.kind])).toEqual([
      ["memory", "mcp"],
      ["remote_api", "mcp"],
    ])
  })

  it("resolves ${VAR} from the given env, runs the server in the config's folder, and it works end to end", async () => {
    const memoryFile = join(dir, "graph.jsonl")
    const sources = parse(
      {
        mcpServers: {
          memory: { command: node, args: [serverJs("memory")], env: { MEMORY_FILE_PATH: "${MEM_FILE}" } },
          files: { command: node, args: [serverJs("filesystem"), "."] },
        },
      },
      { MEM_FILE: memoryFile },
    )
    const [memory, files] = sources as [ToolSource, ToolSource]
    await callTool(memory, "create_entities", { entities: [{ name: "Grace", entityType: "person", observations: ["COBOL"] }] })
    expect(await readFile(memoryFile, "utf8")).toContain("Grace")
    // "." in args means the config's folder because the child's cwd defaults to it.
    expect(JSON.stringify(await callTool(files, "list_allowed_directories"))).toContain(dir)
  })

  it("names a missing variable, its entry and its JSON path", () => {
    const message = configError({ mcpServers: { github: { command: "x", env: { GITHUB_TOKEN: "${GITHUB_TOKEN}" } } } })
    expect(message).toContain("GITHUB_TOKEN is not set")
    expect(message).toContain('entry "github"')
    expect(message).toContain("mcpServers.github.env.GITHUB_TOKEN")
  })

  it("supports ${VAR:-default} and leaves other dollar signs alone", async () => {
    const [source] = parse({
      mcpServers: { ev: { command: node, args: [serverJs("everything")], env: { A: "${UNSET:-fallback}", B: "$HOME and ${SET}" } } },
    }, { SET: "yes" })
    const env = (await callTool(source!, "get_env")) as Record<string, string>
    expect(env.A).toBe("fallback")
    expect(env.B).toBe("$HOME and yes")
  })

  it("applies include/exclude globs per entry", async () => {
    const [source] = parse({
      mcpServers: { ev: { command: node, args: [serverJs("everything")], include: ["get-*", "echo"], exclude: ["get_env", "*resource*"] } },
    })
    const names = (await source!.load()).map((t) => t.name).sort()
    expect(names).toEqual(["echo", "get_annotated_message", "get_structured_content", "get_sum", "get_tiny_image"])
  })

  it("resolves a path-like command and cwd against the config's folder", async () => {
    await mkdir(join(dir, "bin"), { recursive: true })
    await writeFile(join(dir, "bin", "server.mjs"), `import(${JSON.stringify(serverJs("everything"))})\n`)
    // If "./bin/run.sh" were taken relative to the child's cwd ("bin"), it would not be found.
    await writeFile(join(dir, "bin", "run.sh"), `#!/bin/sh\nexec "$NODE_BIN" ./server.mjs\n`, { mode: 0o755 })
    const [source] = parse({ mcpServers: { local: { command: "./bin/run.sh", cwd: "bin", env: { NODE_BIN: node } } } })
    expect(await callTool(source!, "echo", { message: "relative" })).toBe("Echo: relative")
  })

  it("rejects malformed entries with the JSON path", () => {
    expect(configError({ mcpServers: { a: { command: 42 } } })).toContain("mcpServers.a.command")
    expect(configError({ mcpServers: { a: { args: [] } } })).toMatch(/mcpServers\.a: .*exactly one of "command".*"url"/)
    expect(configError({ mcpServers: { a: { command: "x", url: "http://127.0.0.1" } } })).toContain("exactly one of")
    expect(configError({ mcpServers: { a: { command: "x", args: ["ok", 1] } } })).toContain("mcpServers.a.args[1]")
    expect(configError({ mcpServers: { a: { url: "ftp://example.test" } } })).toContain("mcpServers.a.url")
    expect(configError({ mcpServers: { a: { command: "x", include: "get_*" } } })).toContain("mcpServers.a.include")
    expect(configError({ mcpServers: { "my-api": { command: "x" }, my_api: { command: "y" } } })).toMatch(
      /mcpServers\.my_api: .*"my_api" is already used by mcpServers\.my-api/,
    )
    expect(configError({ mcpservers: {} })).toContain('no "mcpServers", "openapi" or "state"')
    expect(configError([1, 2])).toContain("codemode.json")
  })
})

describe("openapi entries", () => {
  let api: Server
  let base = ""
  const seen: Array<{ url: string; auth: string | undefined }> = []
  beforeAll(async () => {
    api = createServer((req, res) => {
      seen.push({ url: req.url ?? "", auth: req.headers.authorization })
      if (req.headers.authorization !== "Bearer tok-123") return res.writeHead(401).end(`{"message":"bad token"}`)
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: req.url?.split("/").pop(), ok: true }))
    })
    await new Promise<void>((r) => api.listen(0, "127.0.0.1", r))
    base = `http://127.0.0.1:${(api.address() as { port: number }).port}`
    const spec = {
      openapi: "3.0.3",
      info: { title: "items", version: "1" },
      paths: {
        "/items/{id}": {
          get: { operationId: "items_get", parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "ok" } } },
        },
        "/items": { delete: { operationId: "items_delete_all", responses: { "204": { description: "gone" } } } },
      },
    }
    await mkdir(join(dir, "specs"), { recursive: true })
    await writeFile(join(dir, "specs", "items.json"), JSON.stringify(spec))
  })
  afterAll(async () => {
    await new Promise((r) => api.close(r))
  })

  it("loads a relative spec, injects ${VAR} bearer auth on the host, and filters operations", async () => {
    const file = join(dir, "codemode.json")
    await writeFile(
      file,
      JSON.stringify({
        openapi: { "items-api": { spec: "./specs/items.json", baseUrl: base, auth: { bearer: "${ITEMS_TOKEN}" }, exclude: ["*_delete_*"] } },
      }),
    )
    const sources = await loadConfig(file, { ITEMS_TOKEN: "tok-123" })
    opened.push(...sources)
    const [source] = sources
    expect([source?.namespace, source?.kind]).toEqual(["items_api", "openapi"])
    expect((await source!.load()).map((t) => t.name)).toEqual(["items_get"])
    expect(await callTool(source!, "items_get", { id: "42" })).toEqual({ id: "42", ok: true })
    expect(seen.at(-1)).toEqual({ url: "/items/42", auth: "Bearer tok-123" })
  })

  it("accepts { env } secrets and reports a missing one", () => {
    const entry = (value: unknown) => ({ openapi: { items: { spec: "./specs/items.json", baseUrl: base, auth: { header: { name: "X-Key", value } } } } })
    expect(parse(entry({ env: "ITEMS_KEY" }), { ITEMS_KEY: "k" })).toHaveLength(1)
    const message = configError(entry({ env: "ITEMS_KEY" }))
    expect(message).toContain("ITEMS_KEY is not set")
    expect(message).toContain("openapi.items.auth.header.value")
    expect(configError({ openapi: { items: { spec: "./x.json", auth: { token: "x" } } } })).toContain("openapi.items.auth")
  })
})

describe("loadConfig", () => {
  it("reports an unreadable file and invalid JSON with the file name", async () => {
    const missing = await loadConfig(join(dir, "missing.json")).catch((e: unknown) => e)
    expect(CodeModeError.is(missing, "CONFIG_INVALID")).toBe(true)
    expect((missing as Error).message).toMatch(/cannot read .*missing\.json/)
    const bad = join(dir, "bad.json")
    await writeFile(bad, "{ mcpServers: ")
    const error = await loadConfig(bad).catch((e: unknown) => e)
    expect(CodeModeError.is(error, "CONFIG_INVALID")).toBe(true)
    expect((error as Error).message).toContain("bad.json is not valid JSON")
  })
})
