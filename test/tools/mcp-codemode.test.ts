// End to end: codemode.json → loadConfig → createCodeMode → a program in the sandbox calling the real
// server-memory and server-everything over stdio.
import { mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { createCodeMode, type CodeMode } from "../../src/runtime/codemode.js"
import { loadConfig } from "../../src/tools/config.js"
import { npmServer } from "../fixtures/mcp/servers.js"

let dir = ""
let cm: CodeMode | undefined
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "codemode-e2e-")))
})
afterAll(async () => {
  await cm?.close()
  await rm(dir, { recursive: true, force: true })
})

it("runs a program against MCP servers configured in codemode.json", async () => {
  const memory = npmServer("memory")
  const everything = npmServer("everything")
  const file = join(dir, "codemode.json")
  await writeFile(
    file,
    JSON.stringify({
      mcpServers: {
        memory: { ...memory, env: { MEMORY_FILE_PATH: "${E2E_MEMORY_FILE}" } },
        everything: { ...everything, include: ["echo", "get-structured-content"] },
      },
    }),
  )
  const memoryFile = join(dir, "memory.jsonl")
  cm = await createCodeMode({ sources: await loadConfig(file, { E2E_MEMORY_FILE: memoryFile }) })
  expect(cm.tools().filter((t) => t.namespace === "everything").map((t) => t.name).sort()).toEqual(["echo", "get_structured_content"])

  const result = await cm.execute(`
    await codemode.memory.create_entities({ entities: [{ name: "Ada", entityType: "person", observations: ["first programmer"] }] })
    const graph = await codemode.memory.read_graph({})
    const weather = await codemode.everything.get_structured_content({ location: "Los Angeles" })
    const echo = await codemode.everything.echo({ message: "from the sandbox" })
    return { names: graph.entities.map((e) => e.name), sunny: weather.conditions, echo }
  `)
  expect(result.error).toBeUndefined()
  expect(result.value).toEqual({ names: ["Ada"], sunny: "Sunny / Clear", echo: "Echo: from the sandbox" })
  expect(result.calls.map((c) => c.tool)).toEqual(["memory.create_entities", "memory.read_graph", "everything.get_structured_content", "everything.echo"])
  expect(await readFile(memoryFile, "utf8")).toContain("first programmer")

  // the server's own validation, not the typecheck (which would stop this program before it runs)
  const failed = await cm.execute(`return await codemode.memory.open_nodes({ names: 42 })`, { typecheck: "off" })
  expect(failed.ok).toBe(false)
  expect(failed.error?.message).toMatch(/open_nodes/)
  expect(failed.calls[0]?.error?.code).toBe("TOOL_CALL_FAILED")
})
