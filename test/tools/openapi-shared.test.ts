import { describe, expect, it } from "vitest"
import { isIdentifier } from "../../src/tools/identifiers.js"
import { openapi } from "../../src/tools/openapi/index.js"
import type { Tool } from "../../src/tools/tool.js"
import { defsProblems } from "../fixtures/openapi/check-defs.js"
import { CLOUDFLARE_SPEC, GITHUB_SPEC } from "../fixtures/specs.js"

function checkAll(tools: Tool[]): void {
  const names = tools.map((t) => t.name)
  expect(new Set(names).size).toBe(names.length)
  expect(names.filter((n) => !isIdentifier(n))).toEqual([])
  const problems = tools.flatMap((t) => [...defsProblems(t.inputSchema), ...defsProblems(t.outputSchema)].map((p) => `${t.name}: ${p}`))
  expect(problems.slice(0, 5)).toEqual([])
}

describe("the full specs in data/", () => {
  it("loads every Cloudflare operation as a tool", { timeout: 60_000 }, async () => {
    const sent: Array<{ url: string; init: RequestInit | undefined }> = []
    const recorder: typeof fetch = async (input, init) => {
      sent.push({ url: String(input), init })
      return new Response('{"success":true}', { headers: { "content-type": "application/json" } })
    }
    const tools = await openapi("cloudflare", { spec: CLOUDFLARE_SPEC, fetch: recorder }).load()
    expect(tools).toHaveLength(1533)
    checkAll(tools)
    const create = tools.find((t) => t.origin?.operationId === "dns-records-for-a-zone-create-dns-record")
    expect(create?.name).toBe("dns_records_for_a_zone_create_dns_record")
    expect(create?.origin).toMatchObject({ method: "POST", path: "/zones/{zone_id}/dns_records" })
    expect(create?.description).toMatch(/^Create DNS Record/)
    expect(create?.inputSchema).toMatchObject({
      properties: { zone_id: { $ref: "#/$defs/dns-records_identifier" }, body: { $ref: "#/$defs/dns-records_dns-record" } },
      required: ["zone_id", "body"],
    })
    expect(Object.keys((create?.inputSchema as { $defs: object }).$defs)).toContain("dns-records_ARecord")
    expect(create?.outputSchema).toBeDefined()
    const record = { type: "A", name: "www", content: "198.51.100.4", proxied: true }
    expect(await create!.call({ zone_id: "z1", body: record }, {})).toEqual({ success: true })
    expect(sent[0]?.url).toBe("https://api.cloudflare.com/client/v4/zones/z1/dns_records")
    expect(sent[0]?.init).toMatchObject({ method: "POST", body: JSON.stringify(record) })
  })

  it("loads every GitHub operation as a tool", { timeout: 60_000 }, async () => {
    // No calls leave the machine: this fetch records the request and answers itself.
    const sent: Array<{ url: string; method: string; headers: Headers; body: unknown }> = []
    const recorder: typeof fetch = async (input, init) => {
      sent.push({ url: String(input), method: String(init?.method), headers: new Headers(init?.headers), body: init?.body })
      return new Response('{"ok":true}', { headers: { "content-type": "application/json" } })
    }
    const tools = await openapi("github", {
      spec: GITHUB_SPEC,
      auth: { bearer: "ghp_test" },
      fetch: recorder,
    }).load()
    expect(tools).toHaveLength(1223)
    checkAll(tools)
    const get = tools.find((t) => t.name === "repos_get")
    expect(get?.origin).toEqual({ kind: "openapi", originalName: "repos/get", operationId: "repos/get", method: "GET", path: "/repos/{owner}/{repo}", tags: ["repos"] })
    expect(get?.inputSchema).toMatchObject({ properties: { owner: { type: "string" }, repo: { type: "string" } }, required: ["owner", "repo"] })
    const out = get?.outputSchema as { $ref: string; $defs: Record<string, { properties?: Record<string, unknown> }> }
    expect(out.$ref).toBe("#/$defs/full-repository")
    expect(out.$defs["full-repository"]?.properties?.license).toEqual({ $ref: "#/$defs/nullable-license-simple" })
    expect(out.$defs["nullable-license-simple"]).toMatchObject({ type: "object", nullable: true })

    expect(await get!.call({ owner: "octo cat", repo: "hello" }, {})).toEqual({ ok: true })
    expect(sent[0]).toMatchObject({ url: "https://api.github.com/repos/octo%20cat/hello", method: "GET" })
    expect(sent[0]?.headers.get("authorization")).toBe("Bearer ghp_test")
    const upload = tools.find((t) => t.name === "repos_upload_release_asset")
    await upload!.call({ owner: "o", repo: "r", release_id: 7, name: "a.zip", body: "raw bytes" }, {})
    expect(sent[1]).toMatchObject({ url: "https://uploads.github.com/repos/o/r/releases/7/assets?name=a.zip", method: "POST", body: "raw bytes" })
    expect(sent[1]?.headers.get("content-type")).toBe("application/octet-stream")
  })
})
