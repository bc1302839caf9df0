import { createServer, type Server } from "node:http"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cli, ROOT } from "./helpers.js"

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "codemode-cli-"))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("codemode run", { timeout: 120_000 }, () => {
  it("prints 2 for `echo 'return 1 + 1' | codemode run -`", async () => {
    expect(await cli(["run", "-"], "return 1 + 1\n")).toEqual({ code: 0, stdout: "2\n", stderr: "" })
  })

  it("prints strings raw and other values as JSON, logs on stderr", async () => {
    const text = await cli(["run", "-"], "console.log('hello', { a: 1 })\n'plain text'")
    expect(text).toMatchObject({ code: 0, stdout: "plain text\n" })
    expect(text.stderr).toContain("hello")
    const json = await cli(["run", "-"], "const t = await codemode.demo.addTodo({ text: 'x' })\nt")
    expect(JSON.parse(json.stdout)).toEqual({ id: 1, text: "x", done: false })
  })

  it("runs a TypeScript file in a markdown fence", async () => {
    const file = path.join(dir, "answer.md")
    await writeFile(file, "Here you go:\n```ts\nconst n: number = (await codemode.demo.echo({ n: 20 })).n\nn + 1\n```\n")
    expect(await cli(["run", file])).toMatchObject({ code: 0, stdout: "21\n" })
  })

  it("--json prints the whole outcome", async () => {
    const { code, stdout } = await cli(["run", "-", "--json"], "await codemode.demo.echo({ a: 1 })\nconsole.info('done')\nreturn 'v'")
    expect(code).toBe(0)
    const outcome = JSON.parse(stdout)
    expect(outcome).toMatchObject({ ok: true, value: "v", logs: [{ level: "info", message: "done" }], calls: [{ tool: "demo.echo", args: { a: 1 }, ok: true }] })
    expect(outcome.stats.toolCalls).toBe(1)
  })

  it("exits 1 with the error, line and excerpt on stderr when the program fails", async () => {
    const syntax = await cli(["run", "-"], "const a = 1\nconst = 2")
    expect(syntax.code).toBe(1)
    expect(syntax.stdout).toBe("")
    expect(syntax.stderr).toContain("syntax error at line 2, column 7")
    expect(syntax.stderr).toContain("> 2 | const = 2")
    const thrown = await cli(["run", "-"], "const x = 1\nthrow new Error('nope')")
    expect(thrown.code).toBe(1)
    expect(thrown.stderr).toMatch(/runtime error at line 2.*nope/)
    const json = await cli(["run", "-", "--json"], "throw new Error('nope')")
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { kind: "runtime" } })
  })

  it("--timeout ends a runaway program with a timeout error", async () => {
    const result = await cli(["run", "-", "--timeout", "200"], "while (true) {}")
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("timeout error")
  })

  it("exits 2 when codemode cannot run the program", async () => {
    const missing = await cli(["run", path.join(dir, "nope.js")])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("[codemode] [cli] cannot read")
    const badTimeout = await cli(["run", "-", "--timeout", "soon"], "1")
    expect(badTimeout.code).toBe(2)
    expect(badTimeout.stderr).toContain("--timeout must be a positive number")
  })

  it("--trace prints logs, the call trace and stats to stderr", async () => {
    const { stdout, stderr } = await cli(["run", "-", "--trace"], "for (let i = 0; i < 3; i++) await codemode.demo.echo({ i })\n'ok'")
    expect(stdout).toBe("ok\n")
    expect(stderr).toContain("calls (3,")
    expect(stderr).toMatch(/ 3\. demo\.echo\(\{"i":2\}\) .* ok/)
  })
})

describe("codemode run with configured tools", { timeout: 120_000 }, () => {
  it("--config: calls a real MCP server (server-memory over stdio)", async () => {
    const config = path.join(dir, "codemode.json")
    const server = path.join(ROOT, "node_modules", "@modelcontextprotocol", "server-memory", "dist", "index.js")
    await writeFile(
      config,
      JSON.stringify({ mcpServers: { memory: { command: process.execPath, args: [server], env: { MEMORY_FILE_PATH: path.join(dir, "memory.jsonl") } } } }),
    )
    const program = [
      "await codemode.memory.create_entities({ entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote the first program'] }] })",
      "const graph = await codemode.memory.read_graph({})",
      "graph.entities.map((e) => e.name)",
    ].join("\n")
    const result = await cli(["run", "-", "--config", config], program)
    expect(result.stderr).toBe("")
    expect(JSON.parse(result.stdout)).toEqual(["Ada"])
    expect(result.code).toBe(0)
  })

  describe("--openapi", () => {
    let server: Server
    let base: string
    beforeAll(async () => {
      const spec = {
        openapi: "3.1.0",
        info: { title: "pets", version: "1" },
        paths: {
          "/pets/{id}": {
            get: {
              operationId: "getPet",
              parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }],
              responses: { "200": { description: "a pet", content: { "application/json": { schema: { type: "object" } } } } },
            },
          },
        },
      }
      server = createServer((req, res) => {
        res.setHeader("content-type", "application/json")
        if (req.url === "/openapi.json") return res.end(JSON.stringify(spec))
        const id = /^\/pets\/(\d+)$/.exec(req.url ?? "")?.[1]
        if (id) return res.end(JSON.stringify({ id: Number(id), name: `pet ${id}` }))
        res.statusCode = 404
        res.end("{}")
      })
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
      const address = server.address() as { port: number }
      base = `http://127.0.0.1:${address.port}`
    })
    afterAll(() => new Promise<void>((r) => server.close(() => r())))

    it("calls the API of a spec given by URL", async () => {
      const result = await cli(["run", "-", "--openapi", `${base}/openapi.json`, "--namespace", "pets", "--base-url", base], "(await codemode.pets.getPet({ id: 7 })).name")
      expect(result).toMatchObject({ code: 0, stdout: "pet 7\n" })
    })
  })
})

describe("codemode demo", { timeout: 120_000 }, () => {
  it("prints the program, result, logs and the call trace", async () => {
    const { code, stdout } = await cli(["demo"])
    expect(code).toBe(0)
    expect(stdout).toContain("program:")
    expect(stdout).toMatch(/result:\n {2}\{\n {4}"open": \[/)
    expect(stdout).toContain("logs (5):")
    expect(stdout).toMatch(/calls \(\d+, .* in tools\):/)
    expect(stdout).toContain('demo.addTodo({"text":"book the train"})')
    expect(stdout).toContain("demo.completeTodo")
  })
})

describe("codemode bench", { timeout: 120_000 }, () => {
  it("bench sandbox --json prints one JSON object with the figures and their floors", async () => {
    const { code, stdout } = await cli(["bench", "sandbox", "--json", "--iterations", "20", "--tool-calls", "50", "--live", "10"])
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    // An RSS difference over 10 parked sandboxes: the OS may give back more than they take (0 then).
    expect(result.bytesPerSandbox).toBeGreaterThanOrEqual(0)
    for (const key of ["coldExecuteP50Us", "coldExecuteP95Us", "toolCallUs", "toolCallFreshWorkerUs", "bareQuickjsP50Us", "bareQuickjsBackToBackP50Us", "coldAfterIdleP50Us", "bareAfterIdleP50Us", "nodeVmP50Us"]) {
      expect(result[key], key).toBeGreaterThan(0)
    }
    expect(result).toMatchObject({ iterations: 20, toolCalls: 50, liveSandboxes: 10, largeTransfer: { calls: 8, values: 100_000 } })
    for (const direction of ["results", "arguments"]) expect(result.largeTransfer[direction].runMsP50, direction).toBeGreaterThan(0)
  })

  it("bench soak --json reports the growth after the warm-up and over the last runs", async () => {
    const { code, stdout } = await cli(["bench", "soak", "--json", "--runs", "60", "--warmup", "20", "--tail", "20"])
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    expect(result).toMatchObject({ runs: 60, warmupRuns: 20, tailRuns: 20, budgetBytes: 10 * 1024 * 1024, handlesGrowth: 0 })
    expect(result.samples.map((s: { runs: number }) => s.runs)).toEqual([0, 20, 40, 60])
    expect(Object.values(result.outcomes as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(60)
    for (const key of ["rssGrowthBytes", "rssTailGrowthBytes", "heapGrowthBytes", "heapTailGrowthBytes"]) expect(typeof result[key], key).toBe("number")
  })

  it("rejects a bad count", async () => {
    const { code, stderr } = await cli(["bench", "sandbox", "--iterations", "zero"])
    expect(code).not.toBe(0)
    expect(stderr).toContain("expected a positive integer")
  })
})
