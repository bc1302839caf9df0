import { describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { filterTools, globMatcher } from "../../src/tools/filter.js"
import { defineSource, type Tool, type ToolSource } from "../../src/tools/tool.js"

function fakeTool(name: string, originalName: string): Tool {
  return { name, namespace: "gh", inputSchema: { type: "object" }, origin: { kind: "openapi", originalName }, call: async () => name }
}

function sourceOf(tools: Tool[], extra: Partial<ToolSource> = {}): ToolSource {
  return defineSource({ namespace: "gh", kind: "openapi", load: async () => tools, ...extra })
}

const TOOLS = [
  fakeTool("repos_get", "repos/get"),
  fakeTool("repos_delete", "repos/delete"),
  fakeTool("issues_list", "issues/list"),
  fakeTool("get_user", "get-user"),
  fakeTool("a_b", "a.b"),
]
const names = async (source: ToolSource) => (await source.load()).map((t) => t.name)

describe("globMatcher", () => {
  it("matches * and ? and takes everything else literally", () => {
    expect(globMatcher("repos_*")("repos_get")).toBe(true)
    expect(globMatcher("repos_*")("xrepos_get")).toBe(false)
    expect(globMatcher("get_?ser")("get_user")).toBe(true)
    expect(globMatcher("a.b")("a.b")).toBe(true)
    expect(globMatcher("a.b")("axb")).toBe(false)
    expect(globMatcher("(x)+[y]")("(x)+[y]")).toBe(true)
    expect(globMatcher("Repos_*")("repos_get")).toBe(false)
  })
})

describe("filterTools", () => {
  it("keeps tools matching include, on the identifier or the original name", async () => {
    expect(await names(filterTools(sourceOf(TOOLS), { include: ["repos_*"] }))).toEqual(["repos_get", "repos_delete"])
    expect(await names(filterTools(sourceOf(TOOLS), { include: ["get-user", "issues/*"] }))).toEqual(["issues_list", "get_user"])
  })

  it("drops tools matching exclude, after include", async () => {
    expect(await names(filterTools(sourceOf(TOOLS), { include: ["repos_*"], exclude: ["*delete*"] }))).toEqual(["repos_get"])
    expect(await names(filterTools(sourceOf(TOOLS), { exclude: ["a.b", "repos/*"] }))).toEqual(["issues_list", "get_user"])
  })

  it("returns the source itself when there is nothing to filter", () => {
    const source = sourceOf(TOOLS)
    expect(filterTools(source, {})).toBe(source)
    expect(filterTools(source, { include: [], exclude: [] })).toBe(source)
  })

  it("passes namespace, kind, onToolsChanged and close through", async () => {
    let closed = 0
    let listener: (() => void) | undefined
    const source = sourceOf(TOOLS, {
      onToolsChanged: (l) => ((listener = l), () => (listener = undefined)),
      close: async () => void closed++,
    })
    const filtered = filterTools(source, { include: ["issues_*"] })
    expect([filtered.namespace, filtered.kind]).toEqual(["gh", "openapi"])
    let heard = 0
    const off = filtered.onToolsChanged!(() => heard++)
    listener?.()
    expect(heard).toBe(1)
    off()
    expect(listener).toBeUndefined()
    await filtered.close!()
    expect(closed).toBe(1)
  })

  it("rejects empty or non-string globs with CONFIG_INVALID naming the field", () => {
    const err = (filter: unknown) => {
      try {
        filterTools(sourceOf(TOOLS), filter as never)
      } catch (e) {
        expect(CodeModeError.is(e, "CONFIG_INVALID")).toBe(true)
        return (e as Error).message
      }
      throw new Error("no error")
    }
    expect(err({ include: [""] })).toContain("include[0]")
    expect(err({ exclude: ["ok", 3] })).toContain("exclude[1]")
    expect(err({ include: "repos_*" })).toContain("include must be an array")
  })
})
