import { describe, expect, it } from "vitest"
import { z } from "zod"
import { CodeModeError } from "../../src/errors.js"
import { functions } from "../../src/tools/functions.js"
import type { JSONSchema, Tool } from "../../src/tools/tool.js"
import { buildDeclarations, generateDeclarations, renderToolSignature } from "../../src/types/index.js"
import { checkDeclarations } from "./compile.js"

function tool(name: string, inputSchema: JSONSchema, extra: Partial<Tool> = {}): Tool {
  return { name, namespace: "demo", inputSchema, call: async () => null, ...extra }
}

/** Generates declarations, asserts they compile under --strict, and returns them. */
function compiled(tools: Tool[], usage?: string): string {
  const dts = generateDeclarations(tools)
  expect(checkDeclarations(dts, usage)).toEqual([])
  return dts
}

/** The diagnostics of `usage` against the declarations of `tools` (which must compile alone). */
function usageErrors(tools: Tool[], usage: string): string[] {
  const dts = compiled(tools)
  return checkDeclarations(dts, usage)
}

describe("functions and their argument/result types", () => {
  const getUser = tool(
    "get_user",
    {
      type: "object",
      properties: {
        id: { type: "string", description: "The user's id.", examples: ["u_1"] },
        fields: { type: "array", items: { type: "string" }, default: ["name"], description: "Fields to return." },
        legacy: { type: "boolean", deprecated: true },
      },
      required: ["id"],
    },
    {
      description: "Fetches one user.\n\nReturns 404 when missing.",
      outputSchema: { type: "object", properties: { name: { type: "string" }, age: { type: "integer", minimum: 0 } }, required: ["name"] },
      origin: { kind: "openapi", originalName: "getUser", method: "get", path: "/users/{id}" },
    },
  )

  it("declares a documented function with named Args/Result interfaces beside it", () => {
    const dts = compiled([getUser])
    expect(dts).toContain("declare namespace codemode.demo {")
    expect(dts).toContain("function get_user(args: GetUserArgs): Promise<GetUserResult>")
    expect(dts).toContain("interface GetUserArgs {")
    expect(dts).toContain("interface GetUserResult {")
    expect(dts).toMatch(/\* Fetches one user\.\n\s+\*\n\s+\* Returns 404 when missing\.\n\s+\* @http GET \/users\/\{id\}/)
    expect(dts).toMatch(/\/\*\*\n\s+\* The user's id\.\n\s+\* @example "u_1"\n\s+\*\/\n\s+id: string/)
    expect(dts).toMatch(/@default \["name"\]\n\s+\*\/\n\s+fields\?: string\[\]/)
    expect(dts).toMatch(/\/\*\* @deprecated \*\/\n\s+legacy\?: boolean/)
    expect(dts).toMatch(/\/\*\* @minimum 0 \*\/\n\s+age\?: number/)
  })

  it("types calls: a right call compiles, a wrong argument or result use does not", () => {
    const ok = `async function f() { const u = await codemode.demo.get_user({ id: "1" }); const n: string = u.name; return n }`
    expect(usageErrors([getUser], ok)).toEqual([])
    const missing = `codemode.demo.get_user({ fields: [] })`
    expect(usageErrors([getUser], missing).join("\n")).toMatch(/Property 'id' is missing/)
    const wrongType = `codemode.demo.get_user({ id: 1 })`
    expect(usageErrors([getUser], wrongType).join("\n")).toMatch(/not assignable to type 'string'/)
    const optional = `async function f() { const u = await codemode.demo.get_user({ id: "1" }); const a: number = u.age; return a }`
    expect(usageErrors([getUser], optional).join("\n")).toMatch(/undefined/)
  })

  it("makes args optional when nothing is required and omits them when there are no properties", () => {
    const dts = compiled([
      tool("list", { type: "object", properties: { page: { type: "integer" } } }),
      tool("ping", { type: "object", properties: {} }),
      tool("pong", { type: "object" }),
    ])
    expect(dts).toContain("function list(args?: ListArgs): Promise<unknown>")
    expect(dts).toContain("function ping(): Promise<unknown>")
    expect(dts).toContain("function pong(): Promise<unknown>")
  })

  it("returns Promise<unknown> only without an output schema; short results stay inline", () => {
    const dts = compiled([
      tool("a", { type: "object" }, { outputSchema: { type: "array", items: { type: "string" } } }),
      tool("b", { type: "object" }, { outputSchema: { type: "string", enum: ["x", "y"] } }),
      tool("c", { type: "object" }),
      tool("d", { type: "object" }, { outputSchema: { allOf: [{ $ref: "#/$defs/Base" }, { type: "object", properties: { x: { type: "string" } } }], $defs: { Base: { type: "object", properties: { ok: { type: "boolean" } } } } } }),
      tool("e", { type: "object" }, { outputSchema: { type: "array", items: { $ref: "#/$defs/Base" }, nullable: true, $defs: { Base: { type: "object", properties: { ok: { type: "boolean" } } } } } }),
    ])
    expect(dts).toContain("function d(): Promise<DResult>")
    expect(dts).toContain("type DResult = Base & { x?: string }")
    expect(dts).toContain("function e(): Promise<Base[] | null>")
    expect(dts).toContain("function a(): Promise<string[]>")
    expect(dts).toContain(`function b(): Promise<"x" | "y">`)
    expect(dts).toContain("function c(): Promise<unknown>")
  })
})

describe("schema constructs", () => {
  it("renders enums and const as literal unions", () => {
    const dts = compiled([
      tool("t", {
        type: "object",
        properties: {
          color: { type: "string", enum: ["red", "green"] },
          level: { enum: [1, 2, 3] },
          mixed: { enum: ["a", 1, true, null] },
          fixed: { const: "v1" },
          shape: { const: { kind: "dot", at: [0, 0] } },
        },
      }),
    ])
    expect(dts).toContain(`color?: "red" | "green"`)
    expect(dts).toContain("level?: 1 | 2 | 3")
    expect(dts).toContain(`mixed?: "a" | 1 | true | null`)
    expect(dts).toContain(`fixed?: "v1"`)
    expect(dts).toContain(`shape?: { kind: "dot"; at: [0, 0] }`)
  })

  it("adds | null for OpenAPI nullable, x-nullable and type lists holding null", () => {
    const dts = compiled([
      tool("t", {
        type: "object",
        properties: {
          a: { type: "string", nullable: true },
          b: { type: ["integer", "null"] },
          c: { type: "string", "x-nullable": true },
          d: { type: "string", enum: ["x"], nullable: true },
          e: { $ref: "#/$defs/Thing", nullable: true },
          f: { allOf: [{ $ref: "#/$defs/Thing" }], nullable: true },
          g: { type: "null" },
          h: { type: "string" },
        },
        $defs: { Thing: { type: "object", properties: { id: { type: "string" } } } },
      }),
    ])
    expect(dts).toContain("a?: string | null")
    expect(dts).toContain("b?: number | null")
    expect(dts).toContain("c?: string | null")
    expect(dts).toContain(`d?: "x" | null`)
    expect(dts).toContain("e?: Thing | null")
    expect(dts).toContain("f?: Thing | null")
    expect(dts).toContain("g?: null")
    expect(dts).toContain("h?: string\n")
  })

  it("renders oneOf/anyOf as unions and allOf as intersections", () => {
    const dts = compiled([
      tool("t", {
        type: "object",
        properties: {
          one: { oneOf: [{ type: "string" }, { type: "number" }] },
          any: { anyOf: [{ $ref: "#/$defs/Cat" }, { $ref: "#/$defs/Dog" }] },
          all: { allOf: [{ $ref: "#/$defs/Cat" }, { type: "object", properties: { extra: { type: "boolean" } } }] },
          both: { allOf: [{ $ref: "#/$defs/Cat" }], oneOf: [{ $ref: "#/$defs/Dog" }, { type: "string" }] },
          withBase: { type: "object", properties: { id: { type: "string" } }, oneOf: [{ properties: { a: { type: "string" } } }, { properties: { b: { type: "number" } } }] },
          onlyRequired: { type: "object", properties: { x: { type: "string" } }, anyOf: [{ required: ["x"] }] },
        },
        $defs: {
          Cat: { type: "object", properties: { meow: { type: "boolean" } } },
          Dog: { type: "object", properties: { bark: { type: "boolean" } } },
        },
      }),
    ])
    expect(dts).toContain("one?: string | number")
    expect(dts).toContain("any?: Cat | Dog")
    expect(dts).toContain("all?: Cat & { extra?: boolean }")
    expect(dts).toContain("both?: Cat & (Dog | string)")
    expect(dts).toContain("withBase?: { id?: string } & ({ a?: string } | { b?: number })")
    expect(dts).toContain("onlyRequired?: { x?: string }")
  })

  it("renders additionalProperties and patternProperties as index signatures without conflicts", () => {
    const dts = compiled([
      tool("t", {
        type: "object",
        properties: {
          open: { type: "object" },
          openTrue: { type: "object", properties: { a: { type: "string" } }, additionalProperties: true },
          closed: { type: "object", properties: { a: { type: "string" } }, additionalProperties: false },
          map: { type: "object", additionalProperties: { type: "number" } },
          mixed: { type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "number" } },
          prefixed: { type: "object", patternProperties: { "^x-": { type: "string" } } },
          patterned: { type: "object", patternProperties: { "^[0-9]+$": { type: "boolean" }, "^x-": { type: "string" } } },
          none: { type: "object", properties: {}, additionalProperties: false },
        },
      }),
    ])
    expect(dts).toContain("open?: { [key: string]: unknown }")
    expect(dts).toContain("openTrue?: { a?: string; [key: string]: unknown }")
    expect(dts).toContain("closed?: { a?: string }")
    expect(dts).toContain("map?: { [key: string]: number }")
    expect(dts).toContain("mixed?: { a?: string; [key: string]: number | string | undefined }")
    expect(dts).toContain("prefixed?: { [key: `x-${string}`]: string }")
    expect(dts).toMatch(/Keys matching \/\^\[0-9\]\+\$\/ \*\/\n\s+\[key: string\]: boolean \| string/)
    expect(dts).toContain("none?: { [key: string]: never }")
    const usage = `const m: codemode.demo.TArgs["mixed"] = { a: "s", n: 1 }; const p: codemode.demo.TArgs["prefixed"] = { "x-a": "s" }`
    expect(checkDeclarations(dts, usage)).toEqual([])
  })

  it("renders tuples from prefixItems and from draft-07 items arrays", () => {
    const dts = compiled([
      tool("t", {
        type: "object",
        properties: {
          pair: { type: "array", prefixItems: [{ type: "string" }, { type: "number" }], items: false, minItems: 2 },
          head: { type: "array", prefixItems: [{ type: "string" }], items: { type: "boolean" }, minItems: 1 },
          loose: { type: "array", prefixItems: [{ type: "string" }, { oneOf: [{ type: "string" }, { type: "number" }] }] },
          draft7: { type: "array", items: [{ type: "string" }, { type: "integer" }], additionalItems: false, minItems: 2 },
          list: { type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } },
          any: { type: "array" },
        },
      }),
    ])
    expect(dts).toContain("pair?: [string, number]")
    expect(dts).toContain("head?: [string, ...boolean[]]")
    expect(dts).toContain("loose?: [string?, (string | number)?, ...unknown[]]")
    expect(dts).toContain("draft7?: [string, number]")
    expect(dts).toContain("list?: (string | number)[]")
    expect(dts).toContain("any?: unknown[]")
  })

  it("handles boolean schemas and schemas without a type", () => {
    const dts = compiled([
      tool("t", { type: "object", properties: { anything: true, nothing: false, inferred: { properties: { a: { type: "string" } } }, items: { items: { type: "number" } }, doc: { description: "free form" } } }),
    ])
    expect(dts).toContain("anything?: unknown")
    expect(dts).toContain("nothing?: never")
    expect(dts).toContain("inferred?: { a?: string }")
    expect(dts).toContain("items?: number[]")
    expect(dts).toContain("doc?: unknown")
  })
})

describe("named definitions and references", () => {
  const defs = {
    Node: { type: "object", description: "A tree node.", properties: { value: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/Node" } } }, required: ["value"] },
    Id: { type: "string", description: "An opaque id.", maxLength: 32 },
    Status: { type: "string", enum: ["on", "off"] },
  }

  it("declares each definition once per namespace, refers to it by name and inlines scalar ones", () => {
    const dts = compiled([
      tool("get_node", { type: "object", properties: { id: { $ref: "#/$defs/Id" } }, required: ["id"], $defs: defs }, { outputSchema: { $ref: "#/$defs/Node", $defs: defs } }),
      tool("put_node", { type: "object", properties: { node: { $ref: "#/$defs/Node" }, status: { $ref: "#/$defs/Status" } }, $defs: defs }, { outputSchema: { $ref: "#/$defs/Node", $defs: defs } }),
    ])
    expect(dts).toContain("function get_node(args: GetNodeArgs): Promise<Node>")
    expect(dts).toContain("node?: Node")
    expect(dts.match(/interface Node \{/g)).toHaveLength(1)
    expect(dts).toContain("children?: Node[]")
    expect(dts).toMatch(/\/\*\* A tree node\. \*\/\n\s+interface Node/)
    // Scalar definitions read better inline, and lend their docs to the property.
    expect(dts).toMatch(/An opaque id\.\n\s+\* @maxLength 32\n\s+\*\/\n\s+id: string/)
    expect(dts).toContain(`status?: "on" | "off"`)
    expect(dts).not.toMatch(/type (Id|Status) =/)
  })

  it("follows a chain of definitions thousands deep without overflowing the stack", () => {
    // Microsoft Graph's entities reach each other in chains this long
    const chain: Record<string, JSONSchema> = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`S${i}`, { type: "object", properties: { next: { $ref: `#/$defs/S${i + 1}` } } }]))
    chain.S20000 = { type: "object", properties: { end: { type: "string" } } }
    const dts = generateDeclarations([tool("walk", { type: "object", properties: { first: { $ref: "#/$defs/S0" } }, $defs: chain })])
    expect(dts).toContain("interface S19999 {")
    expect(dts).toContain("end?: string")
  })

  it("handles `definitions`, local pointers and a reference to the root", () => {
    const dts = compiled([
      tool("tree", {
        type: "object",
        properties: { left: { $ref: "#" }, right: { $ref: "#" }, label: { type: "string" }, meta: { $ref: "#/definitions/Meta" }, copy: { $ref: "#/properties/meta" }, box: { type: "object", properties: { z: { type: "number" } } }, other: { $ref: "#/properties/box" } },
        definitions: { Meta: { type: "object", properties: { at: { type: "string", format: "date-time" } } } },
      }),
    ])
    expect(dts).toContain("left?: TreeArgs")
    expect(dts).toContain("meta?: Meta")
    // `#/properties/meta` is only a $ref: an alias, written as its target.
    expect(dts).toContain("copy?: Meta")
    expect(dts).not.toContain("TreeMeta")
    // Any other local pointer gets a name from the tool and the pointer's last segment.
    expect(dts).toContain("other?: TreeBox")
    expect(dts).toContain("interface TreeBox { z?: number }")
  })

  it("compiles mutual recursion, and breaks alias cycles TypeScript cannot express", () => {
    const cyclic = {
      A: { type: "object", properties: { b: { $ref: "#/$defs/B" } } },
      B: { type: "object", properties: { a: { $ref: "#/$defs/A" } } },
      Loop: { anyOf: [{ $ref: "#/$defs/Loop" }, { type: "string" }, { type: "object", properties: { x: { type: "number" } } }] },
      P: { allOf: [{ $ref: "#/$defs/Q" }, { type: "object", properties: { p: { type: "string" } } }] },
      Q: { anyOf: [{ $ref: "#/$defs/P" }, { type: "object", properties: { q: { type: "string" } } }] },
      Json: { anyOf: [{ type: "string" }, { type: "number" }, { type: "boolean" }, { type: "null" }, { type: "array", items: { $ref: "#/$defs/Json" } }, { type: "object", additionalProperties: { $ref: "#/$defs/Json" } }] },
    }
    const dts = compiled([tool("t", { type: "object", properties: { a: { $ref: "#/$defs/A" }, loop: { $ref: "#/$defs/Loop" }, p: { $ref: "#/$defs/P" }, json: { $ref: "#/$defs/Json" } }, $defs: cyclic })])
    expect(dts).toContain("interface A { b?: B }")
    expect(dts).toContain("interface B { a?: A }")
    expect(dts).toContain("type Json = string | number | boolean | null | Json[] | { [key: string]: Json }")
    expect(dts).toContain("type Loop = string | { x?: number }")
    expect(dts).toContain("type P = Q & { p?: string }")
    expect(dts).toContain("interface Q { q?: string }")
  })

  it("names definitions PascalCase, collision-free, and never as a reserved or global type name", () => {
    const weird = {
      "dns-records_record": { type: "object", properties: { a: { type: "string" } } },
      dnsRecordsRecord: { type: "object", properties: { b: { type: "string" } } },
      Promise: { type: "object", properties: { c: { type: "string" } } },
      string: { type: "object", properties: { d: { type: "string" } } },
      "1st": { type: "object", properties: { e: { type: "string" } } },
      "a/b~c": { type: "object", properties: { f: { type: "string" } } },
    }
    const props = Object.fromEntries(Object.keys(weird).map((k, i) => [`p${i}`, { $ref: `#/$defs/${k.replace(/~/g, "~0").replace(/\//g, "~1")}` }]))
    const dts = compiled([tool("t", { type: "object", properties: props, $defs: weird }, { outputSchema: { type: "object", properties: { r: { type: "string" } } } })])
    expect(dts).toContain("interface DnsRecordsRecord { a?: string }")
    expect(dts).toContain("interface DnsRecordsRecord2 { b?: string }")
    expect(dts).toContain("interface Promise2 { c?: string }")
    expect(dts).toContain("interface String2 { d?: string }")
    expect(dts).toContain("interface T1st { e?: string }")
    expect(dts).toContain("interface ABC { f?: string }")
    expect(dts).toContain("Promise<TResult>")
  })

  it("gives same-named definitions with different content distinct names", () => {
    const dts = compiled([
      tool("a", { type: "object", properties: { x: { $ref: "#/$defs/Item" } }, $defs: { Item: { type: "object", properties: { a: { type: "string" } } } } }),
      tool("b", { type: "object", properties: { x: { $ref: "#/$defs/Item" } }, $defs: { Item: { type: "object", properties: { b: { type: "number" } } } } }),
      tool("c", { type: "object", properties: { x: { $ref: "#/$defs/Item" } }, $defs: { Item: { type: "object", properties: { a: { type: "string" } } } } }),
    ])
    expect(dts).toContain("interface Item { a?: string }")
    expect(dts).toContain("interface Item2 { b?: number }")
    expect(dts.match(/interface Item/g)).toHaveLength(2)
  })

  it("types an unresolvable $ref as unknown and reports a warning", () => {
    const warnings: string[] = []
    const tools = [tool("t", { type: "object", properties: { x: { $ref: "https://example.com/schema.json" }, y: { $ref: "#/$defs/Missing" } } })]
    const dts = generateDeclarations(tools, { onWarning: (m) => warnings.push(m) })
    expect(checkDeclarations(dts)).toEqual([])
    expect(dts).toContain("x?: unknown")
    expect(dts).toContain("y?: unknown")
    expect(warnings).toEqual([
      `demo.t: $ref "https://example.com/schema.json" does not resolve to a local schema; typed as unknown`,
      `demo.t: $ref "#/$defs/Missing" does not resolve to a local schema; typed as unknown`,
    ])
  })
})

describe("identifiers and documentation text", () => {
  it("quotes property keys that are not identifiers and keeps reserved words bare", () => {
    const dts = compiled([
      tool("t", { type: "object", properties: { default: { type: "string" }, class: { type: "string" }, "x-y": { type: "string" }, "a b": { type: "string" }, "123": { type: "string" }, $ok: { type: "string" }, "ünï": { type: "string" } }, required: ["default", "missing-one"] }),
    ])
    expect(dts).toContain("default: string")
    expect(dts).toContain("class?: string")
    expect(dts).toContain(`"x-y"?: string`)
    expect(dts).toContain(`"a b"?: string`)
    expect(dts).toContain(`"123"?: string`)
    expect(dts).toContain("$ok?: string")
    expect(dts).toContain(`"ünï"?: string`)
    expect(dts).toContain(`"missing-one": unknown`)
  })

  it("gives tools whose names clash in PascalCase distinct type names", () => {
    const dts = compiled([tool("get_x", { type: "object", properties: { a: { type: "string" } } }), tool("getX", { type: "object", properties: { b: { type: "string" } } })])
    expect(dts).toContain("function getX(args?: GetXArgs)")
    expect(dts).toContain("function get_x(args?: GetXArgs2)")
  })

  it("escapes comment terminators in descriptions and drops oversized examples", () => {
    const dts = compiled([
      tool("t", { type: "object", properties: { glob: { type: "string", description: "Use **/*.ts to match */ all", example: "x".repeat(500) } } }, { description: "Ends */ early?" }),
    ])
    expect(dts).toContain("Use **\\/*.ts to match *\\/ all")
    expect(dts).toContain("Ends *\\/ early?")
    expect(dts).not.toContain("xxxxxxxx")
  })

  it("supports summary and none documentation modes", () => {
    const tools = [tool("t", { type: "object", properties: { a: { type: "string", description: "First sentence, e.g. this one. Second sentence.", example: "e", default: "d" } } }, { description: "Does it. More detail follows here." })]
    const summary = generateDeclarations(tools, { docs: "summary" })
    expect(summary).toContain("/** Does it. */")
    expect(summary).toMatch(/First sentence, e\.g\. this one\.\n\s+\* @default "d"\n/)
    expect(summary).not.toContain("Second sentence")
    expect(summary).not.toContain("@example")
    const none = generateDeclarations(tools, { docs: "none" })
    expect(none).not.toContain("/**")
    expect(checkDeclarations(summary)).toEqual([])
    expect(checkDeclarations(none)).toEqual([])
  })
})

describe("output shape and options", () => {
  const tools = [
    tool("zeta", { type: "object", properties: { a: { $ref: "#/$defs/Z" } }, $defs: { Z: { type: "object", properties: { z: { type: "string" } } } } }),
    tool("alpha", { type: "object", properties: { b: { type: "number" } } }),
    { ...tool("put", { type: "object", properties: { c: { type: "string" } } }), namespace: "other" },
  ]

  it("is deterministic: same tools in any order give byte-identical output", () => {
    const first = generateDeclarations(tools)
    expect(generateDeclarations(tools)).toBe(first)
    expect(generateDeclarations([...tools].reverse())).toBe(first)
    expect(first.indexOf("function alpha")).toBeLessThan(first.indexOf("function zeta"))
    expect(first.indexOf("codemode.demo")).toBeLessThan(first.indexOf("codemode.other"))
  })

  it("declares one namespace per source and restricts output to options.namespace", () => {
    const all = compiled(tools)
    expect(all.match(/^declare namespace codemode\.\w+ \{$/gm)).toEqual(["declare namespace codemode.demo {", "declare namespace codemode.other {"])
    const only = generateDeclarations(tools, { namespace: "other" })
    expect(only).toContain("codemode.other")
    expect(only).not.toContain("codemode.demo")
    const usage = `codemode.demo.alpha({ b: 1 }); codemode.other.put({ c: "x" })`
    expect(checkDeclarations(all, usage)).toEqual([])
  })

  it("throws CONFIG_INVALID for unknown namespaces, invalid or duplicate tool names", () => {
    const code = (fn: () => unknown) => {
      try {
        fn()
      } catch (err) {
        return CodeModeError.is(err) ? `${err.code}: ${err.message}` : String(err)
      }
      return "no error"
    }
    expect(code(() => generateDeclarations(tools, { namespace: "nope" }))).toBe('CONFIG_INVALID: [codemode] [types] namespace "nope" has no tools; available: demo, other')
    expect(code(() => generateDeclarations([tool("delete", { type: "object" })]))).toMatch(/^CONFIG_INVALID: .*"demo\.delete" is not a valid identifier/)
    expect(code(() => generateDeclarations([{ ...tool("x", {}), namespace: "my-ns" }]))).toMatch(/^CONFIG_INVALID: .*namespace "my-ns"/)
    expect(code(() => generateDeclarations([tool("x", {}), tool("x", {})]))).toMatch(/^CONFIG_INVALID: .*declared twice/)
  })
})

describe("single-tool snippets", () => {
  const defs = {
    Repo: { type: "object", description: "A repository.", properties: { name: { type: "string" }, owner: { $ref: "#/$defs/User" } }, required: ["name"] },
    User: { type: "object", description: "A user. With more words.", properties: { login: { type: "string" }, org: { $ref: "#/$defs/Org" } } },
    Org: { type: "object", properties: { id: { type: "number" } } },
    Unused: { type: "object", properties: { never: { type: "string" } } },
  }
  const getRepo = tool("get_repo", { type: "object", properties: { name: { type: "string", description: "Repo name. Case-insensitive." } }, required: ["name"], $defs: defs }, { description: "Gets a repository. Long explanation.", outputSchema: { $ref: "#/$defs/Repo", $defs: defs } })
  const other = tool("get_org", { type: "object", properties: { org: { $ref: "#/$defs/Org" } }, $defs: { Org: { type: "object", properties: { other: { type: "string" } } } } })

  it("renders one tool with every type it needs as a snippet that compiles on its own", () => {
    const snippet = renderToolSignature(getRepo)
    expect(checkDeclarations(snippet)).toEqual([])
    expect(snippet).toContain("function get_repo(args: GetRepoArgs): Promise<Repo>")
    expect(snippet).toContain("interface Repo {")
    expect(snippet).toContain("interface User {")
    expect(snippet).toContain("interface Org {")
    expect(snippet).not.toContain("Unused")
  })

  it("limits expansion depth and documentation for a compact search result", () => {
    const snippet = renderToolSignature(getRepo, { maxDepth: 1, docs: "summary" })
    expect(checkDeclarations(snippet)).toEqual([])
    expect(snippet).toContain("/** Gets a repository. */")
    expect(snippet).toContain("interface Repo {")
    expect(snippet).toMatch(/\/\*\* A user\. \*\/\n\s+type User = unknown \/\/ details omitted/)
    expect(snippet).not.toContain("Org")
    const bare = renderToolSignature(getRepo, { wrap: false, docs: "none", maxDepth: 0 })
    expect(bare.startsWith("function get_repo(args: GetRepoArgs): Promise<Repo>\n")).toBe(true)
    expect(bare).toContain("type Repo = unknown // details omitted")
  })

  it("uses the same names in snippets as in the full declarations of the namespace", () => {
    const decls = buildDeclarations([getRepo, other])
    const full = decls.text()
    // Tools are taken in name order: get_org's Org is met first.
    expect(full).toContain("interface Org { other?: string }")
    expect(full).toContain("interface Org2 { id?: number }")
    const snippet = decls.tool("demo", "get_repo")!
    expect(snippet).toContain("org?: Org2")
    expect(snippet).toContain("interface Org2 { id?: number }")
    expect(checkDeclarations(snippet)).toEqual([])
    expect(decls.tool("demo", "missing")).toBeUndefined()
    expect(decls.namespaces).toEqual(["demo"])
  })
})

describe("robustness", () => {
  it("terminates on alias cycles", () => {
    const warnings: string[] = []
    const tools = [tool("t", { type: "object", properties: { a: { $ref: "#/$defs/A" }, b: { $ref: "#/$defs/B" } }, $defs: { A: { $ref: "#/$defs/A" }, B: { $ref: "#/$defs/C" }, C: { $ref: "#/$defs/B" } } })]
    const dts = generateDeclarations(tools, { onWarning: (m) => warnings.push(m) })
    expect(checkDeclarations(dts)).toEqual([])
    expect(dts).toContain("interface TArgs { a?: unknown; b?: unknown }")
    expect(warnings).toEqual([
      `demo.t: $ref "#/$defs/A" is an alias that leads back to itself; typed as unknown`,
      `demo.t: $ref "#/$defs/B" is an alias that leads back to itself; typed as unknown`,
    ])
  })

  it("survives a schema object graph that contains itself without $ref", () => {
    const node: Record<string, unknown> = { type: "object", properties: { name: { type: "string" } } }
    ;(node.properties as Record<string, unknown>).child = node
    const warnings: string[] = []
    const dts = generateDeclarations([tool("t", { type: "object", properties: { root: node } })], { onWarning: (m) => warnings.push(m) })
    expect(checkDeclarations(dts)).toEqual([])
    expect(dts).toContain("root?: { name?: string; child?: unknown }")
    expect(warnings).toEqual(["demo.t: the schema object contains itself (a cycle without $ref); typed as unknown there"])
  })
})

describe("schemas from zod (functions source)", () => {
  it("declares recursive zod types under the name of the property that uses them", async () => {
    const Category: z.ZodType<{ name: string; subcategories: unknown[] }> = z.object({
      name: z.string().describe("Category name"),
      get subcategories() {
        return z.array(Category)
      },
    })
    const shop = functions("shop", {
      addItem: {
        description: "Adds an item.",
        input: z.object({
          name: z.string().min(1),
          note: z.string().nullable(),
          kind: z.enum(["a", "b"]).optional(),
          category: Category.optional(),
          prices: z.record(z.string(), z.number()),
          pair: z.tuple([z.string(), z.number()]),
        }),
        output: z.object({ id: z.string() }),
        run: () => ({ id: "1" }),
      },
    })
    const dts = compiled(await shop.load(), `codemode.shop.addItem({ name: "x", note: null, prices: { eur: 1 }, pair: ["a", 1], category: { name: "c", subcategories: [] } })`)
    expect(dts).toContain("function addItem(args: AddItemArgs): Promise<AddItemResult>")
    expect(dts).toContain("note: string | null")
    expect(dts).toContain(`kind?: "a" | "b"`)
    expect(dts).toContain("category?: Category")
    expect(dts).toContain("subcategories: Category[]")
    expect(dts).toContain("prices: { [key: string]: number }")
    expect(dts).toContain("pair: [string, number]")
  })
})
