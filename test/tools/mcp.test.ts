// mcp() against the real npm servers over stdio: server-everything, server-memory, server-filesystem.
import { mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { isIdentifier } from "../../src/tools/identifiers.js"
import { mcp, type McpSource } from "../../src/tools/mcp/index.js"
import { childPids, failure, isAlive, npmServer, toolNamed, waitFor } from "../fixtures/mcp/servers.js"

const sources: McpSource[] = []
const track = (source: McpSource) => (sources.push(source), source)
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()))
})

let dir = ""
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "codemode-mcp-")))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("server-everything over stdio", () => {
  it("lists its tools as identifiers with schemas, annotations and original names", async () => {
    const tools = await track(mcp("everything", npmServer("everything"))).load()
    const names = tools.map((t) => t.name)
    expect(names).toEqual(expect.arrayContaining(["echo", "get_sum", "get_structured_content", "trigger_long_running_operation"]))
    expect(names.every(isIdentifier)).toBe(true)
    const sum = tools.find((t) => t.name === "get_sum")!
    expect(sum.origin).toEqual({ kind: "mcp", originalName: "get-sum" })
    expect(sum.inputSchema).toMatchObject({ type: "object", properties: { a: { type: "number" }, b: { type: "number" } } })
    const structured = tools.find((t) => t.name === "get_structured_content")!
    expect(structured.outputSchema).toMatchObject({ type: "object", properties: { temperature: { type: "number" } } })
    expect(structured.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
  })

  it("calls tools: text, structured content, image description, server-side validation error", async () => {
    const source = track(mcp("everything", npmServer("everything")))
    expect(await (await toolNamed(source, "echo")).call({ message: "hi" }, {})).toBe("Echo: hi")
    expect(await (await toolNamed(source, "get_structured_content")).call({ location: "Chicago" }, {})).toEqual({
      temperature: 36,
      conditions: "Light rain / drizzle",
      humidity: 82,
    })
    const image = await (await toolNamed(source, "get_tiny_image")).call({}, {})
    expect(image).toEqual([expect.any(String), { type: "image", mimeType: "image/png", bytes: expect.any(Number) }, expect.any(String)])
    const error = await failure((await toolNamed(source, "get_sum")).call({ a: "one", b: 2 }, {}))
    expect(error.code).toBe("TOOL_CALL_FAILED")
    expect(error.message).toMatch(/get_sum.*(invalid|validation)/is)
  })

  it("gives the child the SDK's safe env plus the config's env, not the rest of the host env", async () => {
    process.env.CODEMODE_HOST_ONLY_PROBE = "leak"
    try {
      const source = track(mcp("everything", { ...npmServer("everything"), env: { CODEMODE_GIVEN: "yes" } }))
      const env = (await (await toolNamed(source, "get_env")).call({}, {})) as Record<string, string>
      expect(env.CODEMODE_GIVEN).toBe("yes")
      expect(env.PATH).toBe(process.env.PATH)
      expect(env.CODEMODE_HOST_ONLY_PROBE).toBeUndefined()
    } finally {
      delete process.env.CODEMODE_HOST_ONLY_PROBE
    }
  })

  it("fails a call in flight when the server is SIGKILLed, and the next call restarts it", async () => {
    const source = track(mcp("everything", npmServer("everything")))
    const long = await toolNamed(source, "trigger_long_running_operation")
    const { pid } = source.status()
    expect(pid).toBeGreaterThan(0)
    const inFlight = failure(long.call({ duration: 10, steps: 10 }, {})) // handled from the start
    await new Promise((r) => setTimeout(r, 300))
    process.kill(pid!, "SIGKILL")
    const error = await inFlight
    expect(error.code).toBe("SOURCE_UNAVAILABLE")
    expect(error.message).toContain("restarted on the next call")
    expect(await (await toolNamed(source, "echo")).call({ message: "back" }, {})).toBe("Echo: back")
    expect(source.status()).toMatchObject({ state: "connected", connects: 2 })
    expect(source.status().pid).not.toBe(pid)
  })

  it("close() is idempotent, ends the child, and later calls fail with CLOSED", async () => {
    const source = mcp("everything", npmServer("everything"))
    const echo = await toolNamed(source, "echo")
    const { pid } = source.status()
    await Promise.all([source.close(), source.close()])
    await source.close()
    expect(await waitFor(() => !isAlive(pid!))).toBe(true)
    expect(source.status().state).toBe("closed")
    expect((await failure(echo.call({ message: "x" }, {}))).code).toBe("CLOSED")
    expect((await failure(source.load())).code).toBe("CLOSED")
  })
})

describe("server-memory over stdio", () => {
  it("creates entities that land in MEMORY_FILE_PATH and reads them back", async () => {
    const file = join(dir, "memory.jsonl")
    const source = track(mcp("memory", { ...npmServer("memory"), env: { MEMORY_FILE_PATH: file } }))
    const created = await (await toolNamed(source, "create_entities")).call(
      { entities: [{ name: "Ada", entityType: "person", observations: ["wrote the first program"] }] },
      {},
    )
    expect(JSON.stringify(created)).toContain("Ada")
    const graph = (await (await toolNamed(source, "read_graph")).call({}, {})) as { entities: Array<{ name: string }> }
    expect(graph.entities.map((e) => e.name)).toContain("Ada")
    expect(await readFile(file, "utf8")).toContain("wrote the first program")
  })
})

describe("server-filesystem over stdio", () => {
  it("reads and writes inside its allowed folder and reports access outside it as a tool error", async () => {
    await writeFile(join(dir, "hello.txt"), "hello from the host")
    const source = track(mcp("fs", npmServer("filesystem", dir)))
    const names = (await source.load()).map((t) => t.name)
    expect(names).toEqual(expect.arrayContaining(["read_text_file", "write_file", "list_directory"]))
    expect(JSON.stringify(await (await toolNamed(source, "read_text_file")).call({ path: join(dir, "hello.txt") }, {}))).toContain(
      "hello from the host",
    )
    await (await toolNamed(source, "write_file")).call({ path: join(dir, "out.txt"), content: "written by a tool" }, {})
    expect(await readFile(join(dir, "out.txt"), "utf8")).toBe("written by a tool")
    const error = await failure((await toolNamed(source, "read_text_file")).call({ path: "/etc/hostname" }, {}))
    expect(error.code).toBe("TOOL_CALL_FAILED")
    expect(error.message).toMatch(/denied|outside|not allowed/i)
  })
})

describe("servers that cannot start", () => {
  it("reports a missing command as SOURCE_UNAVAILABLE", async () => {
    const error = await failure(track(mcp("nope", { command: "codemode-no-such-command-xyz" })).load())
    expect(error.code).toBe("SOURCE_UNAVAILABLE")
    expect(error.message).toContain("codemode-no-such-command-xyz")
  })

  it("quotes the stderr of a server that exits at once", async () => {
    const source = track(mcp("dies", { command: process.execPath, args: ["-e", "console.error('bad flag --foo'); process.exit(2)"] }))
    const error = await failure(source.load())
    expect(error.code).toBe("SOURCE_UNAVAILABLE")
    expect(error.message).toContain("exited before answering")
    expect(error.message).toContain("bad flag --foo")
  })

  it("gives up on a server that never answers initialize after connectTimeoutMs, and kills it", async () => {
    const script = "setInterval(() => {}, 1000) // codemode-mute-server"
    const source = track(mcp("mute", { command: process.execPath, args: ["-e", script], connectTimeoutMs: 400 }))
    const error = await failure(source.load())
    expect(error.code).toBe("SOURCE_UNAVAILABLE")
    expect(error.message).toContain("400 ms")
    expect(source.status().state).toBe("idle")
    expect(await waitFor(() => childPids("codemode-mute-server").length === 0)).toBe(true)
  })

  it("rejects malformed configs with CONFIG_INVALID naming the field", () => {
    const invalid = (ns: string, config: unknown) => {
      try {
        mcp(ns, config as never)
      } catch (e) {
        expect(CodeModeError.is(e, "CONFIG_INVALID")).toBe(true)
        return (e as Error).message
      }
      throw new Error("no error")
    }
    expect(invalid("my-server", { command: "x" })).toContain("not a JS identifier")
    expect(invalid("s", {})).toContain("`command`")
    expect(invalid("s", { command: "x", url: "http://127.0.0.1" })).toContain("not both")
    expect(invalid("s", { url: "ftp://example.test" })).toContain("http(s)")
    expect(invalid("s", { command: "x", args: "--flag" })).toContain("`args`")
    expect(invalid("s", { command: "x", callTimeoutMs: -1 })).toContain("callTimeoutMs")
  })
})
