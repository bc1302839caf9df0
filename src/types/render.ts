/**
 * JSON Schema → TypeScript type text. One pure recursive renderer: named definitions are referred
 * to by name (scalars and aliases written in place); cycles TypeScript cannot express are cut.
 */
import type { JSONSchema } from "../tools/tool.js"
import type { DocMode } from "./jsdoc.js"
import { formatDoc, schemaDocLines } from "./jsdoc.js"
import type { DefEntry, Registry } from "./registry.js"
import type { SchemaObject } from "./schema.js"
import { isObject } from "../tools/json.js"
import { isNullable, typeList } from "./schema.js"

export interface RenderContext {
  readonly registry: Registry
  readonly docs: DocMode
  /** The document `$ref`s resolve against (a tool's input/output schema). */
  readonly root: JSONSchema
  /** The definition being declared, if any; used to break cycles TypeScript cannot express. */
  readonly selfEntry?: DefEntry
  /** The root schema being declared (args/result type), if any; same purpose. */
  readonly selfRoot?: JSONSchema
  /** The declared type name of a root that refers to itself with `"#"`. */
  readonly rootName: (root: JSONSchema) => string | undefined
  readonly warn: (message: string) => void
  /** Schema objects being rendered: a JS object graph with a cycle (not via `$ref`) stops here. */
  readonly active: Set<object>
}

/** Operator precedence of a rendered type, to parenthesize when nesting. */
const Prec = { Union: 0, Intersection: 1, Primary: 2 } as const
type Prec = (typeof Prec)[keyof typeof Prec]

export interface TypeText {
  readonly text: string
  readonly prec: Prec
  /** Union members (each at least Intersection precedence), to flatten nested unions. */
  readonly members?: readonly string[]
  /** Exactly one object literal: can be declared as an `interface`. */
  readonly object?: boolean
  /** A reference cut to break a cycle: left out of unions and intersections. */
  readonly omit?: boolean
}

const UNKNOWN: TypeText = { text: "unknown", prec: Prec.Primary }
const NEVER: TypeText = { text: "never", prec: Prec.Primary }
const CUT: TypeText = { text: "unknown", prec: Prec.Primary, omit: true }
const primary = (text: string): TypeText => ({ text, prec: Prec.Primary })
/** Longest object literal written on one line (when none of its members is documented). */
const MAX_INLINE_OBJECT_CHARS = 80
const PROPERTY_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/
/** `^prefix` or `^prefix.*`: keys expressible as a template literal type. */
const PREFIX_PATTERN = /^\^((?:[A-Za-z0-9_ -]|\\[.\-/_])+)(?:\.\*)?$/

function paren(t: TypeText, min: Prec): string {
  return t.prec < min ? `(${t.text})` : t.text
}

/** `A | B`, flattened and deduplicated; `unknown` absorbs everything, `never` disappears. */
function union(all: readonly TypeText[]): TypeText {
  const types = all.filter((t) => !t.omit)
  if (types.length === 0) return UNKNOWN
  const members: string[] = []
  for (const t of types) {
    for (const m of t.members ?? [paren(t, Prec.Intersection)]) if (!members.includes(m)) members.push(m)
  }
  if (members.includes("unknown")) return UNKNOWN
  const real = members.filter((m) => m !== "never")
  if (real.length === 0) return NEVER
  if (real.length === 1) return types.find((t) => t.text === real[0]) ?? primary(real[0]!)
  return { text: real.join(" | "), prec: Prec.Union, members: real }
}

/** `A & B`, deduplicated; `unknown` disappears, `never` absorbs everything. */
function intersection(types: readonly TypeText[]): TypeText {
  const parts = types.filter((t) => t.text !== "unknown")
  if (parts.some((t) => t.text === "never")) return NEVER
  const texts = [...new Set(parts.map((t) => paren(t, Prec.Intersection)))]
  if (texts.length === 0) return UNKNOWN
  if (texts.length === 1) return parts[0]!
  return { text: texts.join(" & "), prec: Prec.Intersection }
}

/** A TypeScript literal type for a JSON value (`const` / `enum` members). */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`
  if (isObject(value)) return `{ ${Object.entries(value).map(([k, v]) => `${propertyName(k)}: ${literal(v)}`).join("; ")} }`
  return value === undefined ? "unknown" : JSON.stringify(value)
}

/** A property key as written in a type literal: bare when it is an identifier name, else quoted. */
function propertyName(key: string): string {
  return PROPERTY_NAME.test(key) ? key : JSON.stringify(key)
}

/** Renders `schema` as a type expression whose continuation lines are indented by `indent`. */
export function renderType(schema: JSONSchema, ctx: RenderContext, indent: string, direct = true): TypeText {
  if (schema === true) return UNKNOWN
  if (schema === false) return NEVER
  if (!isObject(schema)) return UNKNOWN
  if (ctx.active.has(schema)) {
    ctx.warn("the schema object contains itself (a cycle without $ref); typed as unknown there")
    return UNKNOWN
  }
  ctx.active.add(schema)
  try {
    return renderSchema(schema, ctx, indent, direct)
  } finally {
    ctx.active.delete(schema)
  }
}

function renderSchema(schema: SchemaObject, ctx: RenderContext, indent: string, direct: boolean): TypeText {
  const nullable = isNullable(schema)
  const withNull = (t: TypeText) => (nullable ? union([t, primary("null")]) : t)
  if ("const" in schema) return withNull(primary(literal(schema.const)))
  if (Array.isArray(schema.enum)) return withNull(union(schema.enum.map((v) => primary(literal(v)))))

  const combined: TypeText[] = []
  if (typeof schema.$ref === "string") combined.push(renderRef(schema.$ref, ctx, indent, direct))
  if (Array.isArray(schema.allOf)) for (const m of schema.allOf) combined.push(renderType(m as JSONSchema, ctx, indent, direct))
  for (const key of ["anyOf", "oneOf"] as const) {
    const list = schema[key]
    if (Array.isArray(list)) combined.push(union(list.map((m) => renderType(m as JSONSchema, ctx, indent, direct))))
  }
  const known = combined.filter((t) => t.text !== "unknown")
  const base = renderBase(schema, ctx, indent, known.length > 0)
  const cut = known.length === 0 && base === undefined && combined.some((t) => t.omit)
  return withNull(known.length === 0 ? (base ?? (cut ? CUT : UNKNOWN)) : intersection(base ? [base, ...known] : known))
}

/**
 * The part of a schema given by `type` and its object/array keywords. With `skipTrivial` (the
 * schema also has `$ref`/combinators), a bare `type: "object"` or primitive adds nothing readable.
 */
function renderBase(schema: SchemaObject, ctx: RenderContext, indent: string, skipTrivial: boolean): TypeText | undefined {
  let types = typeList(schema).filter((t) => t !== "null")
  const hasObject = ["properties", "patternProperties", "additionalProperties"].some((k) => schema[k] !== undefined)
  const hasArray = schema.items !== undefined || schema.prefixItems !== undefined
  if (typeList(schema).length === 0) types = hasObject ? ["object"] : hasArray ? ["array"] : []
  if (types.length === 0) return typeList(schema).includes("null") ? primary("null") : undefined
  if (skipTrivial && !hasObject && !hasArray) return undefined
  if (skipTrivial && types.includes("object") && !hasObject) return undefined
  return union(
    types.map((t) => {
      switch (t) {
        case "string":
          return primary("string")
        case "number":
        case "integer":
          return primary("number")
        case "boolean":
          return primary("boolean")
        case "object":
          return renderObject(schema, ctx, indent)
        case "array":
          return renderArray(schema, ctx, indent)
        default:
          return UNKNOWN
      }
    }),
  )
}

function renderRef(ref: string, ctx: RenderContext, indent: string, direct: boolean): TypeText {
  const target = ctx.registry.resolve(ctx.root, ref)
  if (target === undefined) {
    ctx.warn(`$ref "${ref}" does not resolve to a local schema; typed as unknown`)
    return UNKNOWN
  }
  if (target.kind === "root") {
    const name = ctx.rootName(target.root)
    if (direct && ctx.selfRoot === target.root) return CUT
    return name === undefined ? UNKNOWN : primary(name)
  }
  const entry = target.entry
  if (entry.inline) {
    if (isObject(entry.schema) && ctx.active.has(entry.schema)) {
      ctx.warn(`$ref "${ref}" is an alias that leads back to itself; typed as unknown`)
      return UNKNOWN
    }
    return renderType(entry.schema, { ...ctx, root: entry.root }, indent, direct)
  }
  // `type A = B | …` with B standing for A again is a circular alias: TypeScript rejects it. Cutting
  // the edges that point to a name sorting no later than their source leaves no cycle (none can
  // climb strictly in name order all the way round) and keeps the other edges.
  const self = ctx.selfEntry
  if (direct && self !== undefined && entry.typeName <= self.typeName && (entry === self || ctx.registry.reachesDirectly(entry, self))) return CUT
  return entry.typeName === "" ? UNKNOWN : primary(entry.typeName)
}

/** Doc lines for a property; a `$ref` to an inline (scalar or alias) definition lends its description. */
function propertyDoc(sub: JSONSchema, ctx: RenderContext): string[] {
  if (!isObject(sub)) return []
  let fallback: SchemaObject | undefined
  if (typeof sub.$ref === "string") {
    const target = ctx.registry.resolve(ctx.root, sub.$ref)
    if (target?.kind === "def" && target.entry.inline && isObject(target.entry.schema)) fallback = target.entry.schema
  }
  return schemaDocLines(sub, ctx.docs, fallback)
}

function renderObject(schema: SchemaObject, ctx: RenderContext, indent: string): TypeText {
  const inner = `${indent}  `
  const members: { doc: string; text: string }[] = []
  const types: TypeText[] = []
  let optional = false
  const props = isObject(schema.properties) ? schema.properties : {}
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === "string") : [])
  for (const [key, sub] of Object.entries(props)) {
    const type = renderType(sub as JSONSchema, ctx, inner, false)
    const doc = formatDoc(propertyDoc(sub as JSONSchema, ctx), inner)
    members.push({ doc, text: `${propertyName(key)}${required.has(key) ? "" : "?"}: ${type.text}` })
    types.push(type)
    optional ||= !required.has(key)
  }
  for (const key of required) {
    if (Object.hasOwn(props, key)) continue
    members.push({ doc: "", text: `${propertyName(key)}: unknown` })
    types.push(UNKNOWN)
  }

  const index = indexSignatures(schema, ctx, inner).map(({ doc, key, type }) => ({ doc, text: `[key: ${key}]: ${widen(type, types, optional).text}` }))
  return { ...objectLiteral([...members, ...index], indent), object: true }
}

/**
 * Inside one object type every property must fit every index signature, so the signature's type
 * also admits the property types (and `undefined` for optional ones) — or is `unknown` when they
 * are too long to repeat. (`{ a: string } & { [k: string]: number }` compiles, but no value fits it.)
 */
function widen(index: TypeText, props: readonly TypeText[], optional: boolean): TypeText {
  if (index.text === "unknown" || props.length === 0) return index
  if (props.some((t) => t.text.includes("\n") || t.text.length > MAX_INLINE_OBJECT_CHARS)) return UNKNOWN
  return union([index, ...props, ...(optional ? [primary("undefined")] : [])])
}

function objectLiteral(members: readonly { doc: string; text: string }[], indent: string): TypeText {
  if (members.length === 0) return primary("{ [key: string]: never }")
  const oneLine = `{ ${members.map((m) => m.text).join("; ")} }`
  if (members.every((m) => m.doc === "" && !m.text.includes("\n")) && oneLine.length <= MAX_INLINE_OBJECT_CHARS) return primary(oneLine)
  return primary(`{\n${members.map((m) => `${m.doc}${indent}  ${m.text}\n`).join("")}${indent}}`)
}

interface IndexSignature {
  doc: string
  key: string
  type: TypeText
}

function indexSignatures(schema: SchemaObject, ctx: RenderContext, inner: string): IndexSignature[] {
  const hasProperties = isObject(schema.properties) && Object.keys(schema.properties).length > 0
  const out: IndexSignature[] = []
  const stringTypes: TypeText[] = []
  const patterns = isObject(schema.patternProperties) ? Object.entries(schema.patternProperties) : []
  for (const [pattern, sub] of patterns) {
    const type = renderType(sub as JSONSchema, ctx, inner, false)
    const prefix = PREFIX_PATTERN.exec(pattern)?.[1]
    if (prefix !== undefined) out.push({ doc: "", key: `\`${prefix.replace(/\\/g, "")}\${string}\``, type })
    else stringTypes.push(type)
  }
  const extra = schema.additionalProperties
  if (extra === true || (extra === undefined && !hasProperties && patterns.length === 0)) stringTypes.push(UNKNOWN)
  else if (isObject(extra)) stringTypes.push(renderType(extra, ctx, inner, false))
  if (stringTypes.length > 0) {
    // Every template-keyed signature must fit the string one: widen the string signature to cover them.
    stringTypes.push(...out.map((s) => s.type))
    const docs = patterns.filter(([p]) => !PREFIX_PATTERN.test(p)).map(([p]) => `Keys matching /${p}/`)
    out.push({ doc: ctx.docs === "none" ? "" : formatDoc(docs, inner), key: "string", type: union(stringTypes) })
  }
  return out
}

function renderArray(schema: SchemaObject, ctx: RenderContext, indent: string): TypeText {
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : undefined
  if (prefix === undefined) {
    const items = schema.items === undefined ? UNKNOWN : renderType(schema.items as JSONSchema, ctx, indent, false)
    return primary(`${paren(items, Prec.Primary)}[]`)
  }
  const min = typeof schema.minItems === "number" ? schema.minItems : 0
  const parts = prefix.map((m, i) => {
    const t = renderType(m as JSONSchema, ctx, indent, false)
    return i < min ? t.text : `${paren(t, Prec.Primary)}?`
  })
  const restSchema = Array.isArray(schema.prefixItems) ? schema.items : schema.additionalItems
  if (restSchema !== false) {
    const rest = restSchema === undefined ? UNKNOWN : renderType(restSchema as JSONSchema, ctx, indent, false)
    if (rest.text !== "never") parts.push(`...${paren(rest, Prec.Primary)}[]`)
  }
  return primary(`[${parts.join(", ")}]`)
}

/**
 * A named declaration: `interface Name { … }` for a plain object type, else `type Name = …`,
 * preceded by the schema's JSDoc. Ends with a newline.
 */
export function renderDeclaration(name: string, schema: JSONSchema, ctx: RenderContext, indent: string, type = renderType(schema, ctx, indent, true)): string {
  const docLines = isObject(schema) ? schemaDocLines(schema, ctx.docs) : []
  const doc = formatDoc(docLines, indent)
  return type.object ? `${doc}${indent}interface ${name} ${type.text}\n` : `${doc}${indent}type ${name} = ${type.text}\n`
}
