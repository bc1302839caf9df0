/**
 * The named definitions of one namespace. `#/$defs/Foo` and `#/definitions/Foo` found in any tool
 * schema of the namespace denote one definition `Foo` (emitted once); any other local pointer
 * (`#/properties/a`) becomes a definition of its own, named after the tool and the pointer.
 * Scalar definitions (`string`, short enums) and aliases are written in place, never named.
 * Same-named definitions whose content differs (two MCP tools each carrying their own `$defs/Item`)
 * get distinct names.
 */
import type { JSONSchema } from "../tools/tool.js"
import type { NameAllocator } from "./names.js"
import { toPascalCase } from "./names.js"
import type { SchemaObject } from "./schema.js"
import { pointerSegments, resolveSegments } from "../tools/json-pointer.js"
import { isObject } from "../tools/json.js"
import { forEachSubschema, isScalarSchema } from "./schema.js"

export interface DefEntry {
  /** The definition key (`Foo` of `#/$defs/Foo`) or a name derived from the pointer. */
  readonly rawName: string
  readonly schema: JSONSchema
  /** The document its own `$ref`s resolve against. */
  readonly root: JSONSchema
  /**
   * Written in place wherever it is used, never named: scalar definitions (`string`, short enums)
   * and aliases (`{ "$ref": … }` only), which thus refer to their target's name directly.
   */
  readonly inline: boolean
  /** The emitted type name; set by {@link Registry.assignNames} ("" for inline entries). */
  typeName: string
  /** The property that first referred to it: names definitions whose key is generated (`__schema0`). */
  hint?: string
}

/** What a `$ref` points to: a definition, or the document root itself (`"#"`). */
export type RefTarget = { kind: "def"; entry: DefEntry } | { kind: "root"; root: JSONSchema }

export interface Registry {
  /** Records `root` (a tool's input or output schema) and every definition reachable from it. */
  collect(root: JSONSchema, hint: string): void
  /** Resolves a `$ref` found in `root`; `undefined` when it points nowhere (or outside the document). */
  resolve(root: JSONSchema, ref: string): RefTarget | undefined
  /** Names every definition that is not inline, sorted by key so that names do not depend on tool order. */
  assignNames(names: NameAllocator): void
  /** Definitions referenced from `node` (a collected root or an entry), not following into them. */
  refsOf(node: JSONSchema | DefEntry): readonly DefEntry[]
  /** True when `from` stands for (a union/intersection containing) `to`, directly or through other definitions. */
  reachesDirectly(from: DefEntry, to: DefEntry): boolean
  /** True when the root refers to itself (`"#"`) somewhere. */
  isSelfReferencing(root: JSONSchema): boolean
  /** All definitions, in collection order. */
  entries(): readonly DefEntry[]
}

const DEF_CONTAINERS: ReadonlySet<string> = new Set(["$defs", "definitions"])
/** Definition keys that carry no meaning (zod's `z.toJSONSchema` writes `__schema0`, `__schema1` …). */
const GENERATED_KEY = /^_*schema\d+$/i
/** Keywords an alias may carry besides `$ref` (documentation only). */
const ALIAS_KEYS: ReadonlySet<string> = new Set(["$ref", "description", "title", "$comment"])

/** `{ "$ref": … }` with nothing but documentation beside it. */
function isAlias(schema: JSONSchema): boolean {
  return isObject(schema) && typeof schema.$ref === "string" && Object.keys(schema).every((k) => ALIAS_KEYS.has(k))
}

/** Creates an empty registry for one namespace. */
export function createRegistry(): Registry {
  const byName = new Map<string, DefEntry[]>()
  const byPointer = new WeakMap<object, Map<string, DefEntry>>()
  const hints = new WeakMap<object, string>()
  /** Edges: the definitions each root (schema object) or entry refers to. */
  const refs = new Map<object, Set<DefEntry>>()
  const direct = new Map<DefEntry, Set<DefEntry>>()
  const selfRef = new Set<unknown>()
  const all: DefEntry[] = []
  const json = new WeakMap<object, string>()

  const sameSchema = (a: JSONSchema, b: JSONSchema): boolean => {
    if (a === b) return true
    const text = (s: JSONSchema) => {
      if (!isObject(s)) return JSON.stringify(s)
      let t = json.get(s)
      if (t === undefined) json.set(s, (t = JSON.stringify(s)))
      return t
    }
    return text(a) === text(b)
  }

  const follow = (root: JSONSchema) => (ref: string) => {
    const target = resolve(root, ref)
    return target === undefined ? undefined : target.kind === "def" ? target.entry.schema : target.root
  }

  /** Registers a new entry via `register` before classifying it, so self-references find it. */
  function create(rawName: string, schema: JSONSchema, root: JSONSchema, register: (e: DefEntry) => void): DefEntry {
    const entry: DefEntry = { rawName, schema, root, inline: false, typeName: "" }
    all.push(entry)
    register(entry)
    ;(entry as { inline: boolean }).inline = isAlias(schema) || isScalarSchema(schema, follow(root))
    return entry
  }

  function resolve(root: JSONSchema, ref: string): RefTarget | undefined {
    const segments = pointerSegments(ref)
    if (segments === undefined || !isObject(root)) return undefined
    if (segments.length === 0) return { kind: "root", root }
    const target = resolveSegments(root, segments)
    if (!isObject(target) && typeof target !== "boolean") return undefined
    if (segments.length === 2 && DEF_CONTAINERS.has(segments[0]!)) {
      const name = segments[1]!
      const variants = byName.get(name) ?? []
      const found = variants.find((e) => sameSchema(e.schema, target))
      if (found) return { kind: "def", entry: found }
      const entry = create(name, target, root, (e) => byName.set(name, [...variants, e]))
      return { kind: "def", entry }
    }
    let local = byPointer.get(root)
    if (!local) byPointer.set(root, (local = new Map()))
    const map = local
    const entry = local.get(ref) ?? create(`${hints.get(root) ?? ""} ${segments[segments.length - 1]!}`, target, root, (e) => map.set(ref, e))
    return { kind: "def", entry }
  }

  /**
   * Records the references of `node` (inside `root`) as edges of `owner` (a root or an entry) and
   * yields each definition referred to, as it is met, for {@link visitAll} to walk next.
   * `stack` holds the objects being walked for this owner: a JS object cycle stops there (the renderer reports it).
   */
  function* walk(node: JSONSchema, root: JSONSchema, owner: object, isDirect: boolean, stack: Set<object>, property?: string): Generator<DefEntry, void, undefined> {
    if (!isObject(node) || stack.has(node)) return
    stack.add(node)
    try {
      yield* walkNode(node, root, owner, isDirect, stack, property)
    } finally {
      stack.delete(node)
    }
  }

  function* walkNode(node: SchemaObject, root: JSONSchema, owner: object, isDirect: boolean, stack: Set<object>, property?: string): Generator<DefEntry, void, undefined> {
    if (typeof node.$ref === "string") {
      const target = resolve(root, node.$ref)
      if (target?.kind === "root") selfRef.add(target.root)
      else if (target) {
        target.entry.hint ??= property
        refs.get(owner)?.add(target.entry)
        if (isDirect) direct.get(owner as DefEntry)?.add(target.entry)
        yield target.entry
      }
    }
    // A property's name also names what its items or union members refer to (`tags: Tag[]`).
    const subs: Array<[JSONSchema, boolean, string | undefined]> = []
    forEachSubschema(node, (sub, d, key) => subs.push([sub, d, key]))
    for (const [sub, d, key] of subs) yield* walk(sub, root, owner, isDirect && d, stack, key ?? property)
  }

  /**
   * Runs `first` (a walk) and, depth first in the order they are met, the walk of every definition it reaches
   * that was not visited yet. The stack is explicit: reference chains of big specs (Microsoft Graph's
   * entities reach each other thousands deep) overflow the call stack.
   */
  function visitAll(first: Generator<DefEntry, void, undefined>): void {
    const pending = [first]
    while (pending.length > 0) {
      const step = (pending[pending.length - 1] as Generator<DefEntry, void, undefined>).next()
      if (step.done) {
        pending.pop()
        continue
      }
      const entry = step.value
      if (refs.has(entry)) continue
      refs.set(entry, new Set())
      direct.set(entry, new Set())
      pending.push(walk(entry.schema, entry.root, entry, true, new Set()))
    }
  }

  const reach = new Map<DefEntry, Set<DefEntry>>()
  function directClosure(entry: DefEntry): Set<DefEntry> {
    let out = reach.get(entry)
    if (out) return out
    out = new Set()
    const stack = [...(direct.get(entry) ?? [])]
    while (stack.length > 0) {
      const next = stack.pop()!
      if (out.has(next)) continue
      out.add(next)
      stack.push(...(direct.get(next) ?? []))
    }
    reach.set(entry, out)
    return out
  }

  return {
    collect(root, hint) {
      if (!isObject(root) || refs.has(root)) return
      hints.set(root, hint)
      refs.set(root, new Set())
      visitAll(walk(root, root, root, true, new Set()))
    },
    resolve,
    assignNames(names) {
      const named = all.filter((e) => !e.inline && e.typeName === "")
      const order = new Map(named.map((e, i) => [e, i]))
      named.sort((a, b) => (a.rawName < b.rawName ? -1 : a.rawName > b.rawName ? 1 : order.get(a)! - order.get(b)!))
      for (const entry of named) {
        const base = GENERATED_KEY.test(entry.rawName) && entry.hint !== undefined ? entry.hint : entry.rawName
        entry.typeName = names.take(toPascalCase(base))
      }
    },
    refsOf: (node) => (typeof node === "object" ? [...(refs.get(node) ?? [])] : []),
    reachesDirectly: (from, to) => directClosure(from).has(to),
    isSelfReferencing: (root) => selfRef.has(root),
    entries: () => all,
  }
}
