/**
 * `query({ filter, sort, limit, offset })` over documents: the filter language (no SQL from the
 * model) and its JSON Schema, so the declarations type it like any argument. Evaluated in JS on the
 * documents a run sees (committed ones with its own writes laid over), so there is one meaning.
 */
import type { JSONSchema } from "../tool.js"

/** Comparison operators of a condition, e.g. `{ priority: { gte: 2 } }`. */
export const OPERATORS = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "contains"] as const
type Operator = (typeof OPERATORS)[number]

export interface QueryArgs {
  filter?: Record<string, unknown>
  sort?: string | string[]
  limit?: number
  offset?: number
}

/** Most documents one query returns. */
export const MAX_QUERY_LIMIT = 10_000

/** What `contains` takes for a field of schema `value`: an element of an array field, else a substring. */
const elementOf = (value: JSONSchema): Record<string, unknown> => (typeof value === "object" && typeof value.items === "object" && value.items !== null && !Array.isArray(value.items) ? (value.items as Record<string, unknown>) : { type: "string" })

/** The JSON Schema of `query`'s argument for documents described by `properties` (plus `id`). */
export function querySchema(properties: Record<string, JSONSchema>, fields: readonly string[]): JSONSchema {
  const condition = (value: JSONSchema): JSONSchema => ({
    anyOf: [
      value,
      {
        type: "object",
        description: "A condition: every operator given must hold.",
        properties: {
          eq: value,
          ne: value,
          gt: value,
          gte: value,
          lt: value,
          lte: value,
          in: { type: "array", items: value, description: "One of these values." },
          contains: { ...elementOf(value), description: "Substring of a string field, or an element of an array field." },
        },
        additionalProperties: false,
      },
    ],
  })
  const filter: Record<string, JSONSchema> = { id: condition({ type: "string" }) }
  for (const [name, schema] of Object.entries(properties)) filter[name] = condition(stripDocs(schema))
  return {
    type: "object",
    properties: {
      filter: {
        type: "object",
        description: "Documents whose fields equal these values, or meet these conditions; all must hold. Default: every document.",
        properties: filter,
        additionalProperties: false,
      },
      sort: {
        anyOf: [{ type: "string", enum: sortKeys(fields) }, { type: "array", items: { type: "string", enum: sortKeys(fields) } }],
        description: 'A field to sort by, "-field" for descending; several for ties. Default: insertion order.',
      },
      limit: { type: "integer", minimum: 1, maximum: MAX_QUERY_LIMIT, description: `At most this many documents. Default ${MAX_QUERY_LIMIT}.` },
      offset: { type: "integer", minimum: 0, description: "Skip this many documents first. Default 0." },
    },
    additionalProperties: false,
  }
}

const sortKeys = (fields: readonly string[]) => ["id", ...fields].flatMap((f) => [f, `-${f}`])

/** A property schema without its documentation: the filter repeats its type, not its docs. */
function stripDocs(schema: JSONSchema): JSONSchema {
  if (typeof schema !== "object") return schema
  const { description: _d, title: _t, examples: _e, default: _default, ...rest } = schema
  return rest
}

const isCondition = (value: unknown): value is Partial<Record<Operator, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => (OPERATORS as readonly string[]).includes(k))

/** Total order over JSON values for sorting and comparisons: null < booleans < numbers < strings < others. */
function compare(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v === null || v === undefined ? 0 : typeof v === "boolean" ? 1 : typeof v === "number" ? 2 : typeof v === "string" ? 3 : 4)
  const ra = rank(a)
  const rb = rank(b)
  if (ra !== rb) return ra - rb
  if (ra === 4) return compare(JSON.stringify(a), JSON.stringify(b))
  return (a as number | string | boolean) < (b as number | string | boolean) ? -1 : (a as number | string | boolean) > (b as number | string | boolean) ? 1 : 0
}

/** JSON equality: primitives directly, arrays and objects by their JSON text. */
const equal = (a: unknown, b: unknown) =>
  typeof a === "object" && a !== null && typeof b === "object" && b !== null ? JSON.stringify(a) === JSON.stringify(b) : a === b
/** Order comparisons hold only between values of one kind (a string is never "greater" than a number). */
const comparable = (a: unknown, b: unknown) => a !== null && a !== undefined && typeof a === typeof b

function holds(value: unknown, op: Operator, operand: unknown): boolean {
  switch (op) {
    case "eq":
      return equal(value, operand)
    case "ne":
      return !equal(value, operand)
    case "gt":
      return comparable(value, operand) && compare(value, operand) > 0
    case "gte":
      return comparable(value, operand) && compare(value, operand) >= 0
    case "lt":
      return comparable(value, operand) && compare(value, operand) < 0
    case "lte":
      return comparable(value, operand) && compare(value, operand) <= 0
    case "in":
      return Array.isArray(operand) && operand.some((o) => equal(value, o))
    case "contains":
      return typeof value === "string" ? typeof operand === "string" && value.includes(operand) : Array.isArray(value) && value.some((v) => equal(v, operand))
  }
}

/** True when `doc` meets every field of `filter`. */
export function matches(doc: Record<string, unknown>, filter: Record<string, unknown> | undefined): boolean {
  if (!filter) return true
  for (const [field, expected] of Object.entries(filter)) {
    const value = doc[field]
    if (isCondition(expected)) {
      for (const [op, operand] of Object.entries(expected)) if (!holds(value, op as Operator, operand)) return false
    } else if (!equal(value, expected)) return false
  }
  return true
}

/** Filters, sorts (stable: ties keep insertion order), skips and limits. */
export function runQuery<T extends Record<string, unknown>>(docs: readonly T[], args: QueryArgs): T[] {
  const found = docs.filter((doc) => matches(doc, args.filter))
  const keys = args.sort === undefined ? [] : [args.sort].flat()
  if (keys.length > 0) {
    const order = keys.map((k) => (k.startsWith("-") ? { field: k.slice(1), sign: -1 } : { field: k, sign: 1 }))
    found.sort((a, b) => {
      for (const { field, sign } of order) {
        const c = compare(a[field], b[field])
        if (c !== 0) return c * sign
      }
      return 0
    })
  }
  const offset = args.offset ?? 0
  return found.slice(offset, offset + (args.limit ?? MAX_QUERY_LIMIT))
}
