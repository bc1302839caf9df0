/**
 * Read-only helpers over JSON Schema values as the declarations generator sees them: pointers,
 * sub-schema traversal, and the "scalar" test that decides whether a named definition is inlined.
 */
import { isObject } from "../tools/json.js"
import type { JSONSchema } from "../tools/tool.js"

export type SchemaObject = Record<string, unknown>


/** Keywords whose members are rendered in place of the schema itself (unions, intersections). */
export const COMBINATORS = ["allOf", "anyOf", "oneOf"] as const
/** Keywords that make a schema structured (an object or an array type). */
const STRUCTURAL = ["properties", "patternProperties", "additionalProperties", "items", "prefixItems", "additionalItems", "required"] as const
const PRIMITIVE_TYPES: ReadonlySet<string> = new Set(["string", "number", "integer", "boolean", "null"])
/** Enums whose literals, as JSON, are longer than this get a named type instead of being inlined. */
const MAX_INLINE_ENUM_CHARS = 100
/** Unions with more members than this get a named type instead of being inlined. */
const MAX_INLINE_UNION = 4


/** The schema's `type` keyword as a list (empty when absent or malformed). */
export function typeList(schema: SchemaObject): string[] {
  const t = schema.type
  if (typeof t === "string") return [t]
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : []
}

/** True for OpenAPI 3.0 `nullable: true`, Swagger `x-nullable: true` and type lists holding "null". */
export function isNullable(schema: SchemaObject): boolean {
  return schema.nullable === true || schema["x-nullable"] === true || typeList(schema).includes("null")
}

type Visit = (sub: JSONSchema, direct: boolean, property?: string) => void

/**
 * Calls `visit` for every sub-schema the renderer renders, with `direct` true when the sub-schema
 * stands for the schema itself and `property` naming the property it describes, if any (a `$ref`
 * target is not visited: callers follow references).
 * `direct` matters for recursion: TypeScript accepts `type A = { next: A }` but not `type A = A | B`.
 */
export function forEachSubschema(schema: JSONSchema, visit: Visit): void {
  if (!isObject(schema)) return
  if (isObject(schema.properties)) for (const [key, sub] of Object.entries(schema.properties)) visitSchema(sub, false, visit, key)
  if (isObject(schema.patternProperties)) for (const sub of Object.values(schema.patternProperties)) visitSchema(sub, false, visit)
  visitSchema(schema.additionalProperties, false, visit)
  visitSchema(schema.additionalItems, false, visit)
  for (const key of ["items", "prefixItems"] as const) {
    const value = schema[key]
    if (Array.isArray(value)) for (const sub of value) visitSchema(sub, false, visit)
    else visitSchema(value, false, visit)
  }
  for (const key of COMBINATORS) {
    const list = schema[key]
    if (Array.isArray(list)) for (const sub of list) visitSchema(sub, true, visit)
  }
}

function visitSchema(value: unknown, direct: boolean, visit: Visit, property?: string): void {
  if (isObject(value) || typeof value === "boolean") visit(value, direct, property)
}

/**
 * True when `schema` renders as a short, self-contained type (`string`, `"a" | "b"`, `number | null`)
 * that reads better inline than behind a name. `follow` resolves a `$ref` to its target schema
 * (`undefined` when it cannot be resolved); `seen` guards against reference cycles.
 */
export function isScalarSchema(schema: JSONSchema, follow: (ref: string) => JSONSchema | undefined, seen = new Set<unknown>()): boolean {
  if (typeof schema === "boolean") return true
  if (seen.has(schema)) return false // a reference cycle: never inline
  seen.add(schema)
  try {
    return isScalarObject(schema, follow, seen)
  } finally {
    seen.delete(schema)
  }
}

function isScalarObject(schema: SchemaObject, follow: (ref: string) => JSONSchema | undefined, seen: Set<unknown>): boolean {
  if (STRUCTURAL.some((k) => schema[k] !== undefined)) return false
  const types = typeList(schema)
  if (types.some((t) => !PRIMITIVE_TYPES.has(t))) return false
  const literals = Array.isArray(schema.enum) ? schema.enum : "const" in schema ? [schema.const] : undefined
  if (literals !== undefined) {
    const primitive = literals.every((v) => v === null || typeof v !== "object")
    if (!primitive || JSON.stringify(literals).length > MAX_INLINE_ENUM_CHARS) return false
  }
  if (typeof schema.$ref === "string") {
    const target = follow(schema.$ref)
    if (target === undefined || !isScalarSchema(target, follow, seen)) return false
  }
  for (const key of COMBINATORS) {
    const list = schema[key]
    if (list === undefined) continue
    if (!Array.isArray(list) || list.length > MAX_INLINE_UNION) return false
    if (!list.every((m) => (isObject(m) || typeof m === "boolean") && isScalarSchema(m, follow, seen))) return false
  }
  return true
}
