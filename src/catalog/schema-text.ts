/**
 * The words a JSON Schema documents: property names, titles, descriptions and enum values, found by
 * walking `properties`, `items`, `allOf`/`anyOf`/`oneOf` and local `$ref`s (`#/$defs/…`,
 * `#/definitions/…`, `#/components/schemas/…`). Users often describe a task by what it returns or
 * takes ("earnings", "bank account"), and those words live in the schema's field docs rather than
 * in the operation's name. Capped by depth and by the number of texts, so a huge schema costs a
 * bounded amount of index-build time.
 */
import type { JSONSchema } from "../tools/tool.js"

/** Limits of {@link schemaText}. */
export interface SchemaTextOptions {
  /** Levels of nested properties walked. Default 3. */
  maxDepth?: number
  /** Maximum number of texts (names and docs) collected. Default 120. */
  maxTexts?: number
}

type SchemaObject = { [key: string]: unknown }

const isObject = (value: unknown): value is SchemaObject => typeof value === "object" && value !== null && !Array.isArray(value)

/** Resolves a local JSON pointer such as `#/$defs/zone` against `root`. */
function resolve(ref: string, root: JSONSchema): unknown {
  if (!ref.startsWith("#/")) return undefined
  let node: unknown = root
  for (const raw of ref.slice(2).split("/")) {
    if (!isObject(node)) return undefined
    node = node[decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~")]
  }
  return node
}

/**
 * Property names (as written: the analyzer splits them later) and the titles, descriptions and
 * string enum values of `schema`, breadth-first, so the top-level fields come before nested ones.
 */
export function schemaText(schema: JSONSchema | undefined, options: SchemaTextOptions = {}): string[] {
  const maxDepth = options.maxDepth ?? 3
  const maxTexts = options.maxTexts ?? 120
  const texts: string[] = []
  const seenRefs = new Set<string>()
  let frontier: unknown[] = schema === undefined ? [] : [schema]
  for (let depth = 0; depth <= maxDepth && frontier.length > 0 && texts.length < maxTexts; depth++) {
    const next: unknown[] = []
    // Combinators and refs stay on the same level: only `properties`/`items` go one level deeper.
    const queue = [...frontier]
    while (queue.length > 0 && texts.length < maxTexts) {
      const node = queue.shift()
      if (!isObject(node)) continue
      if (typeof node.$ref === "string") {
        if (!seenRefs.has(node.$ref)) {
          seenRefs.add(node.$ref)
          queue.push(resolve(node.$ref, schema as JSONSchema))
        }
        continue
      }
      for (const key of ["allOf", "anyOf", "oneOf"]) {
        const list = node[key]
        if (Array.isArray(list)) queue.push(...list)
      }
      if (node.items !== undefined) queue.push(node.items)
      if (isObject(node.properties)) {
        for (const [name, value] of Object.entries(node.properties)) {
          texts.push(name)
          // a property that is only a `$ref` is documented by its definition
          const doc = isObject(value) && typeof value.$ref === "string" ? resolve(value.$ref, schema as JSONSchema) : value
          if (isObject(doc)) {
            for (const text of [doc.title, doc.description]) if (typeof text === "string") texts.push(text)
            if (Array.isArray(doc.enum)) texts.push(doc.enum.filter((e) => typeof e === "string").join(" "))
          }
          next.push(value)
        }
      }
    }
    frontier = next
  }
  return texts.length > maxTexts ? texts.slice(0, maxTexts) : texts
}
