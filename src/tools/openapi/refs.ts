/**
 * `$ref` handling. Component schemas stay named: `#/components/schemas/Foo` becomes `#/$defs/Foo`
 * and each tool schema carries the `$defs` reachable from it (def objects are shared across tools).
 * Every other local `$ref` (parameters, responses, sub-schemas …) is resolved inline; a cycle among
 * those becomes `{}`. Cycles through named schemas stay `$ref`s, which is legal JSON Schema.
 * Specification extensions (`x-*`) are dropped from schemas: they are vendor data (GitHub's even hold
 * `$ref`s into `#/components`) that would mislead tools walking the schema.
 */
import { isObject } from "../json.js"
import { codemodeError } from "../../errors.js"
import { escapePointer, resolvePointer, unescapePointer } from "../json-pointer.js"
import type { JSONSchema } from "../tool.js"
import { createDefClosures } from "./closures.js"
import type { OpenApiDocument } from "./types.js"

const SCHEMA_PREFIX = "#/components/schemas/"
/** Keywords whose value is data, never a schema: copied as is (shared, not walked). */
const DATA_KEYWORDS = new Set(["example", "examples", "default", "enum", "const", "xml", "externalDocs"])
/** Keywords whose value maps arbitrary names to schemas. */
const MAP_KEYWORDS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"])
/** How many `$ref` hops a non-schema reference may take before it counts as a loop. */
const MAX_REF_HOPS = 32

export type Refs = Set<string>


/** The name of a component schema when `ref` is exactly `#/components/schemas/<name>`. */
function schemaName(ref: string): string | undefined {
  if (!ref.startsWith(SCHEMA_PREFIX)) return undefined
  const rest = ref.slice(SCHEMA_PREFIX.length)
  return rest.includes("/") || rest === "" ? undefined : unescapePointer(rest)
}

/** Converts schemas of one document, caching named defs and inline-resolved refs. */
export interface SchemaConverter {
  /** Converts the schema `node` found at pointer `loc`; names of the defs it references are added to `refs`. */
  schema(node: unknown, loc: string, refs: Refs): JSONSchema
  /** Follows a chain of `$ref`s to a non-schema object (parameter, response …); returns it with its pointer. */
  deref(node: unknown, loc: string): { value: Record<string, unknown>; loc: string }
  /** Gives `schema` a `$defs` holding every def transitively reachable from `refs` (none when `refs` is empty); see closures.ts. */
  withDefs(schema: Record<string, unknown>, refs: Refs): void
}

/** Creates the converter for `doc`; `origin` prefixes error messages. */
export function createSchemaConverter(doc: OpenApiDocument, origin: string): SchemaConverter {
  const components = (doc.components?.schemas ?? {}) as Record<string, unknown>
  const defs = new Map<string, { schema: JSONSchema; refs: Refs }>()
  const inline = new Map<string, { schema: JSONSchema; refs: Refs }>()
  const resolving = new Set<string>()

  const fail = (loc: string, message: string) =>
    codemodeError("SPEC_INVALID", origin, `${message} (at ${loc})`, { data: { pointer: loc } })

  function ref(node: Record<string, unknown>, target: string, loc: string, refs: Refs): JSONSchema {
    const siblings = Object.keys(node).length > 1 ? walkObject(node, loc, refs, "$ref") : undefined
    if (!target.startsWith("#")) throw fail(loc, `external $ref "${target}" is not supported; bundle the spec into one file`)
    const name = schemaName(target)
    if (name !== undefined) {
      if (!Object.hasOwn(components, name)) throw fail(loc, `$ref "${target}" points to a missing schema`)
      refs.add(name)
      return { $ref: `#/$defs/${escapePointer(name)}`, ...siblings }
    }
    let hit = inline.get(target)
    if (!hit) {
      if (resolving.has(target)) return siblings ?? {}
      const value = resolvePointer(doc, target)
      if (value === undefined) throw fail(loc, `$ref "${target}" does not resolve`)
      resolving.add(target)
      const own: Refs = new Set()
      try {
        hit = { schema: walk(value, target, own), refs: own }
      } finally {
        resolving.delete(target)
      }
      inline.set(target, hit)
    }
    for (const r of hit.refs) refs.add(r)
    return siblings && isObject(hit.schema) ? { ...hit.schema, ...siblings } : hit.schema
  }

  function walk(node: unknown, loc: string, refs: Refs): JSONSchema {
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${loc}/${i}`, refs)) as unknown as JSONSchema
    if (!isObject(node)) return node as JSONSchema
    if (typeof node.$ref === "string") return ref(node, node.$ref, loc, refs)
    return walkObject(node, loc, refs)
  }

  function walkObject(node: Record<string, unknown>, loc: string, refs: Refs, skip?: string): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(node)) {
      if (key === skip || key.startsWith("x-")) continue
      const at = `${loc}/${escapePointer(key)}`
      if (DATA_KEYWORDS.has(key)) out[key] = value
      else if (MAP_KEYWORDS.has(key) && isObject(value)) {
        const map: Record<string, unknown> = {}
        for (const [name, sub] of Object.entries(value)) map[name] = walk(sub, `${at}/${escapePointer(name)}`, refs)
        out[key] = map
      } else if (key === "discriminator" && isObject(value)) out[key] = discriminator(value, refs)
      else out[key] = walk(value, at, refs)
    }
    fixExclusiveBound(out, "exclusiveMaximum", "maximum")
    fixExclusiveBound(out, "exclusiveMinimum", "minimum")
    return out
  }

  function discriminator(value: Record<string, unknown>, refs: Refs): Record<string, unknown> {
    if (!isObject(value.mapping)) return value
    const mapping: Record<string, unknown> = {}
    for (const [key, target] of Object.entries(value.mapping)) {
      const name = typeof target === "string" ? schemaName(target) : undefined
      if (name !== undefined && Object.hasOwn(components, name)) {
        refs.add(name)
        mapping[key] = `#/$defs/${escapePointer(name)}`
      } else mapping[key] = target
    }
    return { ...value, mapping }
  }

  function def(name: string): { schema: JSONSchema; refs: Refs } {
    let entry = defs.get(name)
    if (!entry) {
      const refs: Refs = new Set()
      entry = { schema: walk(components[name], `${SCHEMA_PREFIX}${escapePointer(name)}`, refs), refs }
      defs.set(name, entry)
    }
    return entry
  }

  const closures = createDefClosures(Object.keys(components), def)

  return {
    schema: walk,
    deref(node, loc) {
      let value = node
      let at = loc
      for (let hops = 0; isObject(value) && typeof value.$ref === "string"; hops++) {
        const target = value.$ref
        if (hops === MAX_REF_HOPS) throw fail(loc, `$ref chain loops or is longer than ${MAX_REF_HOPS} hops`)
        if (!target.startsWith("#")) throw fail(at, `external $ref "${target}" is not supported; bundle the spec into one file`)
        value = resolvePointer(doc, target)
        if (value === undefined) throw fail(at, `$ref "${target}" does not resolve`)
        at = target
      }
      if (!isObject(value)) throw fail(at, `expected an object`)
      return { value, loc: at }
    },
    withDefs: closures.attach,
  }
}

/** OpenAPI 3.0 / draft-4 boolean `exclusiveMaximum: true` → the JSON Schema 2020-12 number form. */
function fixExclusiveBound(schema: Record<string, unknown>, exclusive: string, bound: string): void {
  const flag = schema[exclusive]
  if (typeof flag !== "boolean") return
  if (flag && typeof schema[bound] === "number") {
    schema[exclusive] = schema[bound]
    delete schema[bound]
  } else delete schema[exclusive]
}
