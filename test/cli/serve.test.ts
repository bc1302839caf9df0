/**
 * `codemode serve` as a real subprocess: over stdio with the SDK client and with the MCP Inspector
 * CLI, over Streamable HTTP with a bearer token, wrapping the real npm server-memory; graceful
 * shutdown closes the upstream server.
 */
import { execFile, execFileSync, spawn } from "node:child_process"
import { once } from "node:events"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { promisify } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CLI_ARGS, MEMORY_SERVER, ROOT, textOf } from "../server/helpers.js"

const run = promisify(execFile)
const INSPECTOR = join(ROOT, "node_modules/@modelcontextprotocol/inspector/cli/build/cli.js")
const TSX_CLI = join(ROOT, "node_modules/tsx/dist/cli.mjs")

/** Process ids of the direct children of `pid`. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number)
  } catch {
    return [] // ps exits 1 when there are none
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting")
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** `codemode serve --http 0 …` in a subprocess; `stderr()` is what it logged so far, `stop()` ends it. */
function serveHttp(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [...CLI_ARGS, "serve", ...args, "--http", "0"], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
  return {
    stderr: () => stderr,
    url: () => /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr)?.[1] as string,
    stop: async () => {
      child.kill("SIGTERM")
      await once(child, "exit")
    },
  }
}

const program = [
  'await codemode.memory.create_entities({ entities: [{ name: "ada", entityType: "person", observations: ["wrote the first program"] }] })',
  "const graph = await codemode.memory.read_graph()",
  "return graph.entities.map((e) => `${e.name}: ${e.observations.join(', ')}`)",
].join("\n")

describe("codemode serve (subprocess)", () => {
  let dir: string
  let config: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "codemode-serve-"))
    config = join(dir, "codemode.json")
    const memory = { command: process.execPath, args: [MEMORY_SERVER], env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") } }
    // "broken" cannot start: the server reports it and serves memory
    writeFileSync(config, JSON.stringify({ mcpServers: { memory, broken: { command: process.execPath, args: [join(dir, "missing.js")] } } }))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("serves over stdio, reports the broken source, and closes the upstream server when the client leaves", async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [...CLI_ARGS, "serve", "--config", config, "--source-grace", "30s"], cwd: ROOT, stderr: "pipe" })
    let stderr = ""
    transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()))
    const client = new Client({ name: "stdio-test", version: "0" })
    await client.connect(transport)
    const pid = transport.pid as number
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(["execute"])
    expect(tools[0]?.description).toContain("function create_entities(args: CreateEntitiesArgs)")
    const result = await client.callTool({ name: "execute", arguments: { code: program } })
    expect(textOf(result)).toMatch(/^\["ada: wrote the first program"\]\n\ncalls: 2\n- memory\.create_entities ok/)
    expect(stderr).toMatch(/^\[codemode\] WARN \[broken\] source "broken" \(mcp\) failed to load: .*; retrying in \d+ s$/m)
    const upstream = childrenOf(pid)
    expect(upstream.length).toBeGreaterThan(0)
    await client.close() // closes stdin: the server shuts down
    await waitFor(() => !alive(pid))
    await waitFor(() => upstream.every((p) => !alive(p)))
    expect(stderr).toContain("stdin closed: closing upstream servers")
  }, 60_000)

  it("shuts down on SIGTERM, closing the upstream server", async () => {
    const child = spawn(process.execPath, [...CLI_ARGS, "serve", "--config", config], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    await waitFor(() => stderr.includes("MCP server on stdio"), 30_000)
    const upstream = childrenOf(child.pid as number)
    expect(upstream.length).toBeGreaterThan(0)
    child.kill("SIGTERM")
    const [code] = await once(child, "exit")
    expect(code).toBe(0)
    await waitFor(() => upstream.every((p) => !alive(p)))
  }, 60_000)

  it("serves Streamable HTTP on 127.0.0.1 behind the CODEMODE_TOKEN bearer token", async () => {
    const server = serveHttp(["--config", config], { CODEMODE_TOKEN: "t0ken" })
    try {
      await waitFor(() => /MCP server on http:\/\/127\.0\.0\.1:\d+\/mcp \(bearer token required\)/.test(server.stderr()), 30_000)
      const url = server.url()
      const denied = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
      expect(denied.status).toBe(401)
      const client = new Client({ name: "http-test", version: "0" })
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: "Bearer t0ken" } } }))
      const result = await client.callTool({ name: "execute", arguments: { code: "return (await codemode.memory.read_graph()).entities.length" } })
      expect(textOf(result)).toMatch(/^\d+\n\ncalls: 1/)
      await client.close()
    } finally {
      await server.stop()
    }
  }, 60_000)

  it("answers a line that is not JSON with -32700 Parse error on stdio, logs it, and goes on", async () => {
    const child = spawn(process.execPath, [...CLI_ARGS, "serve", "--demo"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    const lines: string[] = []
    createInterface({ input: child.stdout }).on("line", (line) => lines.push(line))
    try {
      await waitFor(() => stderr.includes("MCP server on stdio"), 30_000)
      child.stdin.write("this is not json\n")
      await waitFor(() => lines.length >= 1)
      expect(JSON.parse(lines[0] as string)).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } })
      child.stdin.write('{"hello":"world"}\n')
      await waitFor(() => lines.length >= 2)
      expect(JSON.parse(lines[1] as string)).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request" } })
      // an invalid message whose id can be read is answered with that id (else the client waits for it forever)
      child.stdin.write('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":5}\n')
      await waitFor(() => lines.length >= 3)
      expect(JSON.parse(lines[2] as string)).toEqual({ jsonrpc: "2.0", id: 7, error: { code: -32600, message: "Invalid Request" } })
      const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } }
      child.stdin.write(`${JSON.stringify(initialize)}\n`)
      await waitFor(() => lines.length >= 4)
      expect(JSON.parse(lines[3] as string)).toMatchObject({ jsonrpc: "2.0", id: 1, result: { serverInfo: { name: "codemode" } } })
      expect(stderr).toMatch(/^\[codemode\] WARN \[stdio\] a line on stdin is not JSON \(.*this is not json.*\): answered -32700 Parse error$/m)
      expect(stderr).toMatch(/^\[codemode\] WARN \[stdio\] a line on stdin is JSON but not a JSON-RPC message: answered -32600 Invalid Request$/m)
    } finally {
      child.kill("SIGTERM")
      await once(child, "exit")
    }
  }, 60_000)

  it("refuses an empty --token (as `--token \"$TOKEN\"` gives with TOKEN unset) and counts of 0, naming the flag", async () => {
    const refused = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [...CLI_ARGS, "serve", "--demo", ...args], { cwd: ROOT, env: { ...process.env, CODEMODE_TOKEN: "from-env-1234" }, timeout: 30_000 }, (error, _stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
        )
      })
    expect(await refused(["--http", "0", "--token", ""])).toMatchObject({ code: 2, stderr: expect.stringContaining("--token is empty") })
    expect(await refused(["--timeout", "0"])).toMatchObject({ code: 2, stderr: expect.stringContaining('--timeout must be an integer of at least 1, got "0"') })
    expect(await refused(["--http", "0", "--max-sessions", "0"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--max-sessions must be an integer of at least 1") })
  })

  it("warns when --http runs without a token, and applies --max-sessions", async () => {
    const server = serveHttp(["--demo", "--max-sessions", "1", "--idle-timeout", "10m"], { CODEMODE_TOKEN: "" })
    try {
      await waitFor(() => /--http without a token/.test(server.stderr()), 30_000)
      expect(server.stderr()).toMatch(/^\[codemode\] WARN \[serve\] --http without a token: any program or user on this machine can run code with these tools; set --token or CODEMODE_TOKEN$/m)
      const url = server.url()
      const initialize = { jsonrpc: "2.0", id: 7, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } }
      const post = () => fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify(initialize) })
      expect((await post()).status).toBe(200)
      const refused = await post()
      expect(refused.status).toBe(503)
      expect(await refused.json()).toMatchObject({ id: 7, error: { message: expect.stringContaining("at most 1 open") } })
      await waitFor(() => server.stderr().includes("refused a new session"))
      expect(server.stderr()).toMatch(/^\[codemode\] WARN \[http\] refused a new session from 127\.0\.0\.1: 1 sessions open, the most allowed \(503\)$/m)
    } finally {
      await server.stop()
    }
  }, 60_000)

  it("works with the MCP Inspector CLI: tools/list and tools/call", async () => {
    const inspectorConfig = join(dir, "inspector.json")
    // the Inspector starts `node`; tsx's own CLI runs the TypeScript sources without --import flags
    const entry = CLI_ARGS[CLI_ARGS.length - 1] as string
    writeFileSync(inspectorConfig, JSON.stringify({ mcpServers: { codemode: { command: process.execPath, args: [TSX_CLI, entry, "serve", "--config", config, "--source-grace", "30s"] } } }))
    const base = [INSPECTOR, "--cli", "--config", inspectorConfig, "--server", "codemode"]
    const list = await run(process.execPath, [...base, "--method", "tools/list"], { cwd: ROOT, timeout: 60_000 })
    const listed = JSON.parse(list.stdout) as { tools: Array<{ name: string; annotations: Record<string, unknown> }> }
    expect(listed.tools.map((t) => t.name)).toEqual(["execute"])
    expect(listed.tools[0]?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
    const call = await run(process.execPath, [...base, "--method", "tools/call", "--tool-name", "execute", "--tool-arg", `code=${program}`], { cwd: ROOT, timeout: 60_000 })
    const called = JSON.parse(call.stdout) as { content: Array<{ text: string }>; isError?: boolean }
    expect(called.isError).toBeFalsy()
    expect(called.content[0]?.text).toMatch(/^\["ada: wrote the first program"\]/)
  }, 120_000)
})
