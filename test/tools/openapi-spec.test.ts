import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { loadOpenApiDocument, openapi } from "../../src/tools/openapi/index.js"
import type { Tool } from "../../src/tools/tool.js"
import { defsProblems } from "../fixtures/openapi/check-defs.js"

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/openapi/${name}`, import.meta.url))
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "codemode-openapi-"))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function failure(spec: string | object): Promise<CodeModeError> {
  const err = await openapi("t", { spec }).load().then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!CodeModeError.is(err)) throw new Error(`expected a CodeModeError, got ${String(err)}`)
  return err
}

async function byName(spec: string | object): Promise<Record<string, Tool>> {
  const tools = await openapi("t", { spec }).load()
  return Object.fromEntries(tools.map((t) => [t.name, t]))
}

const doc = (paths: object, components: object = {}) => ({ openapi: "3.0.3", info: { title: "t", version: "1" }, paths, components })
const ok = { "200": { description: "ok" } }

describe("reading specs", () => {
  it("rejects Swagger 2.0 with a conversion hint", async () => {
    const err = await failure(fixture("swagger2.json"))
    expect(err.code).toBe("SPEC_INVALID")
    expect(err.message).toMatch(/Swagger 2\.0 document/)
    expect(err.message).toMatch(/converter\.swagger\.io|swagger2openapi/)
  })

  it("reports JSON syntax errors with line and column", async () => {
    const file = join(dir, "bad.json")
    await writeFile(file, '{\n  "openapi": "3.0.3",\n  "paths": {,}\n}')
    const err = await failure(file)
    expect(err.code).toBe("SPEC_INVALID")
    expect(err.message).toContain("bad.json is not valid JSON at line 3, column 13")
  })

  it("reports YAML syntax errors with line and column", async () => {
    const file = join(dir, "bad.yaml")
    await writeFile(file, "openapi: 3.1.0\npaths:\n  /x: [1\n  /y: 2\n")
    const err = await failure(file)
    expect(err.code).toBe("SPEC_INVALID")
    expect(err.message).toMatch(/bad\.yaml is not valid YAML at line \d+, column \d+/)
  })

  it("rejects a missing or unsupported version, a non-object, and a missing file", async () => {
    expect((await failure({ info: {} })).message).toContain('missing "openapi" version')
    expect((await failure({ openapi: "4.0.0" })).message).toContain('"4.0.0"')
    expect((await failure({ openapi: "3.1.0", paths: [] })).message).toContain('"paths" must be an object')
    const missing = await failure(join(dir, "nope.yaml"))
    expect(missing.code).toBe("SOURCE_UNAVAILABLE")
    expect(missing.message).toContain("nope.yaml")
  })

  it("names the JSON pointer of a $ref that does not resolve", async () => {
    const err = await failure(
      doc({ "/x": { get: { operationId: "x", parameters: [{ name: "q", in: "query", schema: { $ref: "#/components/schemas/Missing" } }], responses: ok } } }),
    )
    expect(err.code).toBe("SPEC_INVALID")
    expect(err.message).toContain('"#/components/schemas/Missing" points to a missing schema')
    expect(err.message).toContain("#/paths/~1x/get/parameters/0/schema")
    const external = await failure(doc({ "/x": { get: { responses: { "200": { $ref: "other.yaml#/R" } } } } }))
    expect(external.message).toContain("external $ref")
  })

  it("loads a parsed document and returns it unchanged from loadOpenApiDocument", async () => {
    const parsed = await loadOpenApiDocument(fixture("notes.yaml"))
    expect(parsed.openapi).toBe("3.1.0")
    expect(Object.keys(parsed.paths ?? {})).toContain("/notes/{id}")
    expect((await openapi("t", { spec: parsed }).load()).length).toBe(11)
  })
})

describe("operations to tools", () => {
  it("keeps component schemas as shared $defs and resolves other refs inline", async () => {
    const tools = await byName(fixture("notes.yaml"))
    const getNote = tools.getNote!
    expect(getNote.outputSchema).toMatchObject({ $ref: "#/$defs/Note" })
    const noteDef = (getNote.outputSchema as { $defs: Record<string, unknown> }).$defs.Note
    expect(noteDef).toMatchObject({ properties: { replies: { items: { $ref: "#/$defs/Note" } } } })
    expect((tools.createNote!.outputSchema as { $defs: Record<string, unknown> }).$defs.Note).toBe(noteDef)
    expect(tools.createNote!.inputSchema).toEqual({
      type: "object",
      properties: { body: { $ref: "#/$defs/NewNote" } },
      required: ["body"],
      additionalProperties: false,
      $defs: { NewNote: expect.any(Object) },
    })
    expect(getNote.inputSchema).toMatchObject({ properties: { id: { type: "integer", description: "The note id." } }, required: ["id"] })
    expect(tools.echo!.outputSchema).toMatchObject({ $ref: "#/$defs/Echo.Result", $defs: { "Echo.Result": { type: "object" } } })
    expect(tools.deleteNote!.outputSchema).toEqual({ type: "null" })
    expect(tools.getText!.outputSchema).toEqual({ type: "string" })
    expect(tools.slow!.outputSchema).toBeUndefined()
    for (const tool of Object.values(tools)) {
      expect(defsProblems(tool.inputSchema)).toEqual([])
      expect(defsProblems(tool.outputSchema)).toEqual([])
    }
  })

  it("names tools, describes them, and records their origin", async () => {
    const tools = await byName(fixture("notes.yaml"))
    expect(tools.listNotes!.description).toBe("List notes\n\nNewest first.")
    expect(tools.listNotes!.origin).toEqual({ kind: "openapi", originalName: "listNotes", operationId: "listNotes", method: "GET", path: "/notes", tags: ["notes"] })
    expect(tools.listNotes!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
    expect(tools.deleteNote!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
    expect(tools.PATCH_notes_id!.origin).toMatchObject({ originalName: "PATCH /notes/{id}", method: "PATCH" })
    expect(tools.PATCH_notes_id!.origin?.operationId).toBeUndefined()
  })

  it("lets operation parameters override path parameters and ignores Accept/Content-Type/Authorization headers", async () => {
    const tools = await byName(fixture("notes.yaml"))
    expect((tools.PATCH_notes_id!.inputSchema as { properties: Record<string, unknown> }).properties.id).toEqual({
      type: "string",
      pattern: "^[0-9]+$",
      description: "Operation-level override of the path-level id.",
    })
    expect(Object.keys((tools.echo!.inputSchema as { properties: object }).properties)).toEqual(["name", "filter", "ids", "where", "X-Trace", "session"])
  })

  it("adds an undeclared path template variable as a required string parameter", async () => {
    const [tool] = await openapi("t", { spec: doc({ "/users/{user}/items/{item}": { get: { parameters: [{ name: "item", in: "path", required: true, schema: { type: "integer" } }], responses: ok } } }) }).load()
    expect(tool?.inputSchema).toMatchObject({ properties: { user: { type: "string" }, item: { type: "integer" } }, required: ["user", "item"] })
  })

  it("makes identifiers and argument keys collision-free", async () => {
    const tools = await openapi("t", {
      spec: doc({
        "/a": {
          get: {
            operationId: "a-b",
            parameters: [
              { name: "x", in: "query", schema: { type: "string" } },
              { name: "x", in: "header", schema: { type: "string" } },
              { name: "body", in: "query", schema: { type: "string" } },
            ],
            requestBody: { content: { "application/json": { schema: { type: "object" } } } },
            responses: ok,
          },
        },
        "/b": { get: { operationId: "a_b", responses: ok }, delete: { responses: ok } },
      }),
    }).load()
    expect(tools.map((t) => t.name)).toEqual(["a_b", "a_b_2", "DELETE_b"])
    expect(Object.keys((tools[0]!.inputSchema as { properties: object }).properties)).toEqual(["x", "query_body", "header_x", "body"])
  })

  it("handles $ref cycles: through named schemas as $defs refs, elsewhere as {}", async () => {
    const tools = await byName(fixture("cyclic.json"))
    const plant = tools.plantTree!
    expect(plant.inputSchema).toMatchObject({ properties: { body: { $ref: "#/$defs/TreeNode" } }, $defs: { TreeNode: { properties: { children: { items: { $ref: "#/$defs/TreeNode" } } } } } })
    expect(Object.keys((plant.outputSchema as { $defs: object }).$defs)).toEqual(["A", "B"])
    expect(tools.getWrapped!.outputSchema).toEqual({ type: "object", properties: { again: {} } })
    expect(defsProblems(plant.inputSchema)).toEqual([])
    expect(defsProblems(plant.outputSchema)).toEqual([])
  })

  it("translates OpenAPI 3.0 exclusiveMaximum and keeps nullable", async () => {
    const tools = await byName(fixture("cyclic.json"))
    expect((tools.getWrapped!.inputSchema as { properties: Record<string, unknown> }).properties.depth).toEqual({
      type: "integer",
      nullable: true,
      exclusiveMaximum: 9,
    })
  })

  it("passes OpenAPI 3.1 / JSON Schema 2020-12 keywords through", async () => {
    const [tool] = await openapi("t", {
      spec: {
        openapi: "3.1.0",
        paths: {
          "/x": {
            post: {
              requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/In", description: "Why." } } } },
              responses: ok,
            },
          },
        },
        components: { schemas: { In: { type: ["string", "null"], examples: ["a"], const: "a", "x-internal": { $ref: "#/nowhere" } } } },
      },
    }).load()
    expect(tool?.inputSchema).toEqual({
      type: "object",
      properties: { body: { $ref: "#/$defs/In", description: "Why." } },
      additionalProperties: false,
      $defs: { In: { type: ["string", "null"], examples: ["a"], const: "a" } },
    })
    expect(tool?.outputSchema).toBeUndefined()
  })

  it("reports a $ref loop among parameters as SPEC_INVALID", async () => {
    const err = await failure(
      doc({ "/x": { get: { parameters: [{ $ref: "#/components/parameters/P" }], responses: ok } } }, { parameters: { P: { $ref: "#/components/parameters/P" } } }),
    )
    expect(err.code).toBe("SPEC_INVALID")
    expect(err.message).toContain("loops")
  })
})

describe("options", () => {
  it("rejects bad options at factory time with CONFIG_INVALID", () => {
    const bad = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        expect(CodeModeError.is(e, "CONFIG_INVALID")).toBe(true)
        return (e as Error).message
      }
      throw new Error("expected a throw")
    }
    expect(bad(() => openapi("my-api", { spec: "x.yaml" }))).toContain("namespace")
    expect(bad(() => openapi("t", { spec: "" }))).toContain('"spec"')
    expect(bad(() => openapi("t", { spec: "x.yaml", baseUrl: "/relative" }))).toContain('"baseUrl"')
    expect(bad(() => openapi("t", { spec: "x.yaml", timeoutMs: 0 }))).toContain('"timeoutMs"')
    expect(bad(() => openapi("t", { spec: "x.yaml", auth: { bearer: 42 } as never }))).toContain('"auth"')
  })
})
