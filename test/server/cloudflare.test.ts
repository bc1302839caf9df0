/**
 * The whole Cloudflare API (1,533 operations) behind `search` + `execute`: what a client lists and
 * pays, search for DNS records, and an execute whose OpenAPI call hits a real HTTP server on 127.0.0.1.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { countTokens } from "gpt-tokenizer"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { measureContext } from "../../src/server/measure.js"
import { createCodeModeServer, type CodeModeServer } from "../../src/server/server.js"
import { openapi } from "../../src/tools/openapi/index.js"
import { CLOUDFLARE_SPEC, connect, textOf } from "./helpers.js"

describe("serving the Cloudflare spec", () => {
  let api: Server
  let server: CodeModeServer
  let client: Client
  const seen: Array<{ method?: string; url?: string; auth?: string }> = []

  beforeAll(async () => {
    // a stand-in for api.cloudflare.com on 127.0.0.1
    api = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization })
      const records = [
        { id: "r1", type: "A", name: "example.com", content: "192.0.2.1" },
        { id: "r2", type: "CNAME", name: "www.example.com", content: "example.com" },
      ]
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ success: true, errors: [], messages: [], result: records }))
    })
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve))
    const baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/client/v4`
    server = await createCodeModeServer({ sources: [openapi("cloudflare", { spec: CLOUDFLARE_SPEC, baseUrl, auth: { bearer: "cf-secret" } })] })
    client = await connect(server)
  }, 60_000)
  afterAll(async () => {
    await client?.close()
    await server?.close()
    await new Promise((resolve) => api?.close(resolve))
  })

  it("lists search + execute in under 1,000 tokens", async () => {
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(["search", "execute"])
    expect(tools[0]?.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false })
    expect(tools[1]?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: true })
    expect(tools[0]?.description).toContain("1533 API functions (namespaces: cloudflare (1533))")
    const fixed = countTokens(JSON.stringify(tools))
    expect(fixed).toBeLessThanOrEqual(1_000)
    const measured = await measureContext(server, { samples: 5 })
    expect(measured.fixedTokens).toBe(fixed)
    expect(measured.tasks).toHaveLength(5)
    expect(measured.perTaskTokens).toBeGreaterThan(0)
  })

  it("finds the DNS record operations", async () => {
    const result = await client.callTool({ name: "search", arguments: { query: "list DNS records of a zone", limit: 3 } })
    const text = textOf(result)
    expect(text.startsWith('3 best matches for "list DNS records of a zone"')).toBe(true)
    expect(text).toContain("function dns_records_for_a_zone_list_dns_records(args: DnsRecordsForAZoneListDnsRecordsArgs)")
    expect(text).toContain("@http GET /zones/{zone_id}/dns_records")
    const create = textOf(await client.callTool({ name: "search", arguments: { query: "create a DNS record" } }))
    expect(/function (\w+)\(/.exec(create)?.[1]).toBe("dns_records_for_a_zone_create_dns_record")
    const none = textOf(await client.callTool({ name: "search", arguments: { query: "zzzz qqqq" } }))
    expect(none).toMatch(/^No function matches "zzzz qqqq" among 1533/)
    const badNs = textOf(await client.callTool({ name: "search", arguments: { query: "dns", namespace: "aws" } }))
    expect(badNs).toBe('No namespace "aws". Namespaces: cloudflare.')
  })

  it("searches the whole catalog with a program over its view", async () => {
    const result = await client.callTool({ name: "search", arguments: { code: 'tools.filter((t) => t.method === "DELETE" && t.path.endsWith("/dns_records/{dns_record_id}"))' } })
    expect(textOf(result)).toMatch(/^1 function matched your program \(call it in execute as written\):\n\ndeclare namespace codemode\.cloudflare \{[\s\S]*function dns_records_for_a_zone_delete_dns_record\(/)
    const count = textOf(await client.callTool({ name: "search", arguments: { code: "tools.length" } }))
    expect(count.endsWith("\n1533")).toBe(true)
  })

  it("runs a program whose calls reach the HTTP API, with the secret added on the host", async () => {
    const code = [
      'const page = await codemode.cloudflare.dns_records_for_a_zone_list_dns_records({ zone_id: "023e105f4ecef8ad9ca31a8372d0c353", type: "A" })',
      "return page.result.filter((r) => r.type === 'A').map((r) => r.content)",
    ].join("\n")
    const result = await client.callTool({ name: "execute", arguments: { code } })
    expect(result.isError).toBeFalsy()
    expect(textOf(result)).toMatch(/^\["192\.0\.2\.1"\]\n\ncalls: 1\n- cloudflare\.dns_records_for_a_zone_list_dns_records ok/)
    expect(seen.at(-1)).toEqual({ method: "GET", url: "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/dns_records?type=A", auth: "Bearer cf-secret" })
  })
})
