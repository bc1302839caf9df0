/**
 * Request bodies and responses: choosing the media type and building the `body` and output schemas.
 */
import type { JSONSchema } from "../tool.js"
import { escapePointer } from "../json-pointer.js"
import type { Refs, SchemaConverter } from "./refs.js"
import { isObject } from "../json.js"

/** Media types in order of preference: JSON, then forms, then text, then anything. */
export function pickMediaType(content: Record<string, unknown>): string | undefined {
  const types = Object.keys(content)
  const rank = (t: string) => {
    const m = t.toLowerCase()
    if (m === "application/json" || /^application\/[^;]*\+json/.test(m) || m.startsWith("application/json")) return 0
    if (m.includes("json")) return 1
    if (m.startsWith("application/x-www-form-urlencoded")) return 2
    if (m.startsWith("multipart/form-data")) return 3
    if (m.startsWith("text/")) return 4
    return 5
  }
  return types.sort((a, b) => rank(a) - rank(b))[0]
}

export function requestBody(conv: SchemaConverter, op: Record<string, unknown>, loc: string, refs: Refs) {
  if (op.requestBody === undefined) return undefined
  const { value: rb, loc: at } = conv.deref(op.requestBody, loc)
  const content = isObject(rb.content) ? rb.content : {}
  const mediaType = pickMediaType(content)
  if (mediaType === undefined) return undefined
  const media = content[mediaType]
  const fallback: JSONSchema = /json/i.test(mediaType) ? {} : { type: "string" }
  let schema: JSONSchema =
    isObject(media) && media.schema !== undefined
      ? conv.schema(media.schema, `${at}/content/${escapePointer(mediaType)}/schema`, refs)
      : fallback
  if (typeof rb.description === "string" && rb.description !== "") schema = { ...(isObject(schema) ? schema : {}), description: rb.description }
  return { schema, mediaType, required: rb.required === true }
}

/** The union of the 2xx responses: JSON schema, `string` for text, `null` for 204/205; unknown if any is undocumented. */
export function outputSchema(conv: SchemaConverter, op: Record<string, unknown>, loc: string): { outputSchema?: JSONSchema } {
  if (!isObject(op.responses)) return {}
  const refs: Refs = new Set()
  const variants = new Map<string, JSONSchema>()
  const codes = Object.keys(op.responses).filter((c) => /^2(\d\d|XX)$/i.test(c)).sort()
  for (const code of codes) {
    const { value: res, loc: at } = conv.deref(op.responses[code], `${loc}/${code}`)
    const content = isObject(res.content) ? res.content : {}
    const mediaType = pickMediaType(content)
    let schema: JSONSchema
    if (mediaType === undefined) {
      // 204/205 have no body by definition; elsewhere a missing `content` usually means "undocumented".
      if (!/^20[45]$/.test(code)) return {}
      schema = { type: "null" }
    } else if (!/json/i.test(mediaType)) schema = { type: "string" }
    else {
      const media = content[mediaType]
      if (!isObject(media) || media.schema === undefined) return {}
      schema = conv.schema(media.schema, `${at}/content/${escapePointer(mediaType)}/schema`, refs)
    }
    if (schema === true || (isObject(schema) && Object.keys(schema).length === 0)) return {}
    variants.set(JSON.stringify(schema), schema)
  }
  if (variants.size === 0) return {}
  const list = [...variants.values()]
  const top: Record<string, unknown> = list.length === 1 && isObject(list[0]) ? { ...list[0] } : { anyOf: list }
  conv.withDefs(top, refs)
  return { outputSchema: top }
}
