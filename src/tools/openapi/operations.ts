/**
 * OpenAPI operations → tool descriptors: one per path × method, with the single argument object
 * (path/query/header/cookie parameters + `body`) and the 2xx response schema as JSON Schemas.
 */
import type { JSONSchema } from "../tool.js"
import { uniqueIdentifiers } from "../identifiers.js"
import { outputSchema, requestBody } from "./media.js"
import { escapePointer } from "../json-pointer.js"
import { createSchemaConverter, type Refs, type SchemaConverter } from "./refs.js"
import { isObject } from "../json.js"
import type { OpenApiDocument } from "./types.js"

export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const
export type ParameterLocation = "path" | "query" | "header" | "cookie"
const LOCATION_ORDER: Record<ParameterLocation, number> = { path: 0, query: 1, header: 2, cookie: 3 }
/** Header parameters OpenAPI says to ignore: the client sets them itself. */
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"])

/** One parameter of an operation and the property of the argument object that carries it. */
export interface OperationParameter {
  /** Property name in the argument object (the parameter name unless two locations share it). */
  key: string
  name: string
  in: ParameterLocation
  required: boolean
  style?: string
  explode?: boolean
  /** Declared with `content: { "application/json": … }`: sent as a JSON string. */
  json?: boolean
}

/** Everything needed to describe and call one operation. */
export interface OperationDescriptor {
  /** Unique JS identifier in the namespace. */
  name: string
  /** operationId, else "METHOD /path". */
  originalName: string
  operationId?: string
  method: string
  path: string
  tags: string[]
  description?: string
  deprecated: boolean
  parameters: OperationParameter[]
  body?: { key: "body"; mediaType: string; required: boolean }
  inputSchema: JSONSchema
  outputSchema?: JSONSchema
  /** `servers` declared on the operation or its path item (they override the document's). */
  servers?: unknown[]
}

/** Lists the operations of `doc` in document order. Throws `SPEC_INVALID` with the JSON pointer of a broken part. */
export function listOperations(doc: OpenApiDocument, origin: string): OperationDescriptor[] {
  const conv = createSchemaConverter(doc, origin)
  const found: Array<Omit<OperationDescriptor, "name">> = []
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const itemLoc = `#/paths/${escapePointer(path)}`
    if (!isObject(rawItem)) continue
    const { value: item } = conv.deref(rawItem, itemLoc)
    for (const method of HTTP_METHODS) {
      const op = item[method]
      if (!isObject(op)) continue
      found.push(describe(conv, path, method, item, op, `${itemLoc}/${method}`))
    }
  }
  const names = uniqueIdentifiers(found.map((op) => op.originalName))
  return found.map((op, i) => ({ name: names[i] as string, ...op }))
}

function describe(
  conv: SchemaConverter,
  path: string,
  method: string,
  item: Record<string, unknown>,
  op: Record<string, unknown>,
  loc: string,
): Omit<OperationDescriptor, "name"> {
  const operationId = typeof op.operationId === "string" && op.operationId !== "" ? op.operationId : undefined
  const inputRefs: Refs = new Set()
  const properties: Record<string, JSONSchema> = {}
  const required: string[] = []
  const parameters = collectParameters(conv, item, op, loc)
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
    // A template variable without a declared parameter (a common spec slip) still needs a value.
    if (name !== undefined && !parameters.some((p) => p.param.in === "path" && p.param.name === name)) {
      parameters.unshift({ param: { key: name, name, in: "path", required: true }, raw: { schema: { type: "string" } }, loc })
    }
  }
  const body = requestBody(conv, op, `${loc}/requestBody`, inputRefs)
  const taken = new Set(body ? ["body"] : [])
  for (const p of parameters) {
    let key = taken.has(p.param.name) ? `${p.param.in}_${p.param.name}` : p.param.name
    for (let n = 2; taken.has(key); n++) key = `${p.param.in}_${p.param.name}_${n}`
    taken.add(key)
    p.param.key = key
    properties[key] = parameterSchema(conv, p.raw, p.loc, inputRefs)
    if (p.param.required) required.push(key)
  }
  if (body) {
    properties.body = body.schema
    if (body.required) required.push("body")
  }
  const inputSchema: Record<string, unknown> = { type: "object", properties }
  if (required.length > 0) inputSchema.required = required
  inputSchema.additionalProperties = false
  conv.withDefs(inputSchema, inputRefs)
  const summary = typeof op.summary === "string" ? op.summary.trim() : ""
  const details = typeof op.description === "string" ? op.description.trim() : ""
  const deprecated = op.deprecated === true
  const servers = Array.isArray(op.servers) ? op.servers : Array.isArray(item.servers) ? item.servers : []
  const text = [deprecated ? "Deprecated." : "", summary, details !== summary ? details : ""].filter(Boolean).join("\n\n")
  return {
    originalName: operationId ?? `${method.toUpperCase()} ${path}`,
    ...(operationId !== undefined && { operationId }),
    method: method.toUpperCase(),
    path,
    tags: Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === "string") : [],
    ...(text !== "" && { description: text }),
    deprecated,
    parameters: parameters.map((p) => p.param),
    ...(body && { body: { key: "body" as const, mediaType: body.mediaType, required: body.required } }),
    inputSchema,
    ...outputSchema(conv, op, `${loc}/responses`),
    ...(servers.length > 0 && { servers }),
  }
}

interface RawParameter {
  param: OperationParameter
  raw: Record<string, unknown>
  loc: string
}

/** Path-level then operation-level parameters; an operation parameter replaces the same name+in. */
function collectParameters(conv: SchemaConverter, item: Record<string, unknown>, op: Record<string, unknown>, loc: string): RawParameter[] {
  const byKey = new Map<string, RawParameter>()
  const lists: Array<[unknown, string]> = [
    [item.parameters, `${loc.slice(0, loc.lastIndexOf("/"))}/parameters`],
    [op.parameters, `${loc}/parameters`],
  ]
  for (const [list, listLoc] of lists) {
    if (!Array.isArray(list)) continue
    list.forEach((entry, i) => {
      const { value: raw, loc: at } = conv.deref(entry, `${listLoc}/${i}`)
      const where = raw.in
      if (typeof raw.name !== "string" || !(where === "path" || where === "query" || where === "header" || where === "cookie")) return
      if (where === "header" && IGNORED_HEADERS.has(raw.name.toLowerCase())) return
      const param: OperationParameter = { key: raw.name, name: raw.name, in: where, required: where === "path" || raw.required === true }
      if (typeof raw.style === "string") param.style = raw.style
      if (typeof raw.explode === "boolean") param.explode = raw.explode
      if (raw.schema === undefined && isObject(raw.content) && Object.keys(raw.content).some((t) => /json/i.test(t))) param.json = true
      byKey.set(`${where}:${raw.name}`, { param, raw, loc: at })
    })
  }
  return [...byKey.values()].sort((a, b) => LOCATION_ORDER[a.param.in] - LOCATION_ORDER[b.param.in])
}

function parameterSchema(conv: SchemaConverter, raw: Record<string, unknown>, loc: string, refs: Refs): JSONSchema {
  let schema: JSONSchema = {}
  if (raw.schema !== undefined) schema = conv.schema(raw.schema, `${loc}/schema`, refs)
  else if (isObject(raw.content)) {
    const [mediaType, media] = Object.entries(raw.content)[0] ?? []
    if (mediaType !== undefined && isObject(media) && media.schema !== undefined) {
      schema = conv.schema(media.schema, `${loc}/content/${escapePointer(mediaType)}/schema`, refs)
    }
  }
  const extra: Record<string, unknown> = {}
  if (typeof raw.description === "string" && raw.description !== "") extra.description = raw.description
  if (raw.deprecated === true) extra.deprecated = true
  if (raw.example !== undefined && !(isObject(schema) && "example" in schema)) extra.example = raw.example
  if (Object.keys(extra).length === 0) return schema
  return { ...(isObject(schema) ? schema : {}), ...extra }
}
