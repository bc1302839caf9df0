/** Shared helpers of the server tests: how to start the CLI, in-memory clients, real upstreams. */
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Client, type ClientOptions } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { CodeModeServer } from "../../src/server/server.js"

export const ROOT = resolve(fileURLToPath(import.meta.url), "../../..")
export { CLOUDFLARE_SPEC, GITHUB_SPEC } from "../fixtures/specs.js"
export const MEMORY_SERVER = join(ROOT, "node_modules/@modelcontextprotocol/server-memory/dist/index.js")

/** `node --import tsx src/cli/main.ts`: the CLI from its sources (the last element is the entry file). */
export const CLI_ARGS: readonly string[] = ["--import", "tsx", join(ROOT, "src/cli/main.ts")]

/**
 * A client connected to a fresh session of `server` over an in-memory transport; `options` declare
 * its capabilities (e.g. `{ capabilities: { elicitation: {} } }`).
 */
export async function connect(server: CodeModeServer, options?: ClientOptions): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await server.createSession().connect(serverSide)
  const client = new Client({ name: "test", version: "0" }, options)
  await client.connect(clientSide)
  return client
}

/** The text of a tool result. */
export function textOf(result: unknown): string {
  return (result as CallToolResult).content.map((c) => (c.type === "text" ? c.text : "")).join("\n")
}
