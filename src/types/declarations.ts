/**
 * Tools → TypeScript declarations: one `declare namespace codemode.<ns>` per namespace, per tool a
 * documented function with named argument/result types beside it, and every named definition of
 * the namespace declared once after the functions.
 */
import { codemodeError } from "../errors.js"
import { isIdentifier } from "../tools/identifiers.js"
import type { JSONSchema, Tool } from "../tools/tool.js"
import type { DocMode } from "./jsdoc.js"
import { describe, formatDoc } from "./jsdoc.js"
import { createNameAllocator, toPascalCase } from "./names.js"
import type { DefEntry, Registry } from "./registry.js"
import { createRegistry } from "./registry.js"
import type { RenderContext } from "./render.js"
import { renderDeclaration, renderType } from "./render.js"
import { isObject } from "../tools/json.js"
import { COMBINATORS } from "./schema.js"

export interface DeclarationOptions {
  /** Only declare these namespaces (an unknown one is a `CONFIG_INVALID` error). Default: every namespace. */
  namespace?: string | readonly string[]
  /** How much documentation to emit ({@link DocMode}). Default `"full"`. */
  docs?: DocMode
  /** Called once per schema problem that made a type `unknown` (e.g. a `$ref` that does not resolve). Default: ignored. */
  onWarning?: (message: string) => void
}

export interface ToolSignatureOptions {
  /** How much documentation to emit. Default `"full"`. */
  docs?: DocMode
  /**
   * How many levels of named types to expand from the tool's own argument/result types; deeper
   * ones are declared as `unknown` with a note, so the snippet stays small and still compiles.
   * Default `Infinity` (everything the tool needs).
   */
  maxDepth?: number
  /** Wrap the snippet in `declare namespace codemode.<ns> { … }`. Default `true`. */
  wrap?: boolean
}

/** Declarations of a set of tools, named once: the full text and per-tool snippets agree on every name. */
export interface Declarations {
  /** Namespaces declared, sorted. */
  readonly namespaces: readonly string[]
  /** The complete `.d.ts` text (memoized). */
  text(): string
  /**
   * One tool's function, its argument/result types and the named types they use, as a
   * self-contained snippet; `undefined` when there is no such tool.
   */
  tool(namespace: string, name: string, options?: ToolSignatureOptions): string | undefined
}

/** What declarations are made of: a tool without its `call` (e.g. sent to the typecheck worker). */
export type DeclaredTool = Pick<Tool, "name" | "namespace" | "description" | "inputSchema" | "outputSchema" | "annotations" | "origin">

interface ToolModel {
  readonly tool: DeclaredTool
  readonly argsName: string
  readonly resultName: string
}

interface NamespaceModel {
  readonly name: string
  readonly tools: readonly ToolModel[]
  readonly registry: Registry
  readonly rootNames: Map<unknown, string>
}

const ORIGIN = "types"
/** Result types longer than this get a name instead of being written into `Promise<…>`. */
const MAX_INLINE_RESULT_CHARS = 60

/** Short, and no object literal or intersection: reads well inside `Promise<…>` (`Repo[]`, `"a" | "b"`, `string`). */
function isSimple(text: string): boolean {
  return text.length <= MAX_INLINE_RESULT_CHARS && !/[{&\n]/.test(text)
}

const byName = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)

function validate(tools: readonly DeclaredTool[]): Map<string, DeclaredTool[]> {
  const groups = new Map<string, DeclaredTool[]>()
  for (const tool of tools) {
    if (!isIdentifier(tool.namespace)) throw codemodeError("CONFIG_INVALID", ORIGIN, `namespace "${tool.namespace}" (tool "${tool.name}") is not a valid identifier; rename the source`)
    if (!isIdentifier(tool.name)) throw codemodeError("CONFIG_INVALID", ORIGIN, `tool name "${tool.namespace}.${tool.name}" is not a valid identifier; sources must name tools with toIdentifier()`)
    const group = groups.get(tool.namespace) ?? []
    if (group.some((t) => t.name === tool.name)) throw codemodeError("CONFIG_INVALID", ORIGIN, `tool "${tool.namespace}.${tool.name}" is declared twice; tool names must be unique in a namespace`)
    groups.set(tool.namespace, [...group, tool])
  }
  return groups
}

function buildNamespace(name: string, tools: readonly DeclaredTool[]): NamespaceModel {
  const names = createNameAllocator()
  const registry = createRegistry()
  const rootNames = new Map<unknown, string>()
  const models = [...tools].sort(byName((t) => t.name)).map((tool): ToolModel => {
    const base = toPascalCase(tool.name)
    return { tool, argsName: names.take(`${base}Args`), resultName: names.take(`${base}Result`) }
  })
  for (const { tool, argsName, resultName } of models) {
    rootNames.set(tool.inputSchema, argsName)
    registry.collect(tool.inputSchema, tool.name)
    if (tool.outputSchema !== undefined) {
      if (!rootNames.has(tool.outputSchema)) rootNames.set(tool.outputSchema, resultName)
      registry.collect(tool.outputSchema, tool.name)
    }
  }
  registry.assignNames(names)
  return { name, tools: models, registry, rootNames }
}

/** Named definitions reachable from `roots`, each with its depth (1 = used by a root directly), sorted by name. */
function reachable(registry: Registry, roots: readonly JSONSchema[]): Map<DefEntry, number> {
  const depth = new Map<DefEntry, number>()
  let frontier: (JSONSchema | DefEntry)[] = [...roots]
  for (let level = 1; frontier.length > 0; level++) {
    const next: DefEntry[] = []
    for (const node of frontier) {
      for (const entry of registry.refsOf(node)) {
        if (depth.has(entry)) continue
        depth.set(entry, entry.inline ? 0 : level)
        next.push(entry)
      }
    }
    frontier = next
  }
  for (const [entry] of depth) if (entry.inline || entry.typeName === "") depth.delete(entry)
  return new Map([...depth].sort(([a], [b]) => byName((e: DefEntry) => e.typeName)(a, b)))
}

/** The `$ref` when `schema` is only a reference (plus `$defs` and documentation). */
function bareRef(schema: JSONSchema): string | undefined {
  if (!isObject(schema) || typeof schema.$ref !== "string") return undefined
  const other = Object.keys(schema).filter((k) => !["$ref", "$defs", "definitions", "description", "title", "$schema"].includes(k))
  return other.length === 0 ? schema.$ref : undefined
}

interface ToolParts {
  /** The function declaration with its JSDoc. */
  fn: string
  /** Argument/result type declarations that belong to this tool. */
  types: string[]
}

function renderTool(ns: NamespaceModel, model: ToolModel, docs: DocMode, indent: string, warn: (m: string) => void): ToolParts {
  const { tool, argsName, resultName } = model
  const context = (root: JSONSchema): RenderContext => ({ registry: ns.registry, docs, root, selfRoot: root, rootName: (r) => ns.rootNames.get(r), warn: (m) => warn(`${ns.name}.${tool.name}: ${m}`), active: new Set() })
  const types: string[] = []
  /** The type name to use for a root schema, declaring it when it needs its own name. */
  const named = (root: JSONSchema, name: string, force: boolean): string => {
    const ref = bareRef(root)
    const target = ref === undefined || ns.registry.isSelfReferencing(root) ? undefined : ns.registry.resolve(root, ref)
    if (target?.kind === "def" && !target.entry.inline && target.entry.typeName !== "") return target.entry.typeName
    const ctx = context(root)
    const type = renderType(root, ctx, indent)
    if (!force && isSimple(type.text) && !ns.registry.isSelfReferencing(root)) return type.text
    types.push(renderDeclaration(name, root, ctx, indent, type))
    return name
  }

  const input = tool.inputSchema
  let params = ""
  if (takesArgs(input)) params = `args${argsRequired(input, ns.registry) ? "" : "?"}: ${named(input, argsName, true)}`
  const result = tool.outputSchema === undefined ? "unknown" : named(tool.outputSchema, resultName, false)

  const lines: string[] = []
  const text = describe(tool.description, docs) ?? describe(tool.annotations?.title, docs)
  if (text !== undefined) lines.push(...text.split("\n"))
  const origin = tool.origin
  if (docs !== "none" && origin?.method && origin.path) lines.push(`@http ${origin.method.toUpperCase()} ${origin.path}`)
  const fn = `${formatDoc(lines, indent)}${indent}function ${tool.name}(${params}): Promise<${result}>\n`
  return { fn, types }
}

/** False for schemas that accept only an empty (or arbitrary, undescribed) object: no `args` parameter. */
function takesArgs(schema: JSONSchema): boolean {
  if (!isObject(schema)) return schema === true
  const props = schema.properties
  if (isObject(props) && Object.keys(props).length > 0) return true
  if (isObject(schema.additionalProperties) || isObject(schema.patternProperties)) return true
  return typeof schema.$ref === "string" || COMBINATORS.some((k) => Array.isArray(schema[k]))
}

/** True unless the argument object may be omitted (no required property at its top level). */
function argsRequired(schema: JSONSchema, registry: Registry): boolean {
  let s: JSONSchema | undefined = schema
  let root = schema
  for (let hops = 0; isObject(s) && typeof s.$ref === "string" && hops < 8; hops++) {
    const target = registry.resolve(root, s.$ref)
    s = target?.kind === "def" ? target.entry.schema : undefined
    if (target?.kind === "def") root = target.entry.root
  }
  if (!isObject(s)) return true
  if (COMBINATORS.some((k) => Array.isArray(s[k]))) return true
  return Array.isArray(s.required) && s.required.length > 0
}

function renderEntry(ns: NamespaceModel, entry: DefEntry, docs: DocMode, indent: string, warn: (m: string) => void): string {
  const ctx: RenderContext = { registry: ns.registry, docs, root: entry.root, selfEntry: entry, rootName: (r) => ns.rootNames.get(r), warn: (m) => warn(`${ns.name}.${entry.typeName}: ${m}`), active: new Set() }
  return renderDeclaration(entry.typeName, entry.schema, ctx, indent)
}

function wrapNamespace(name: string, body: string): string {
  return `declare namespace codemode.${name} {\n${body}}\n`
}

/**
 * Builds the declarations of `tools` (names assigned once, deterministically: tools and named
 * types sorted by name). Throws `CONFIG_INVALID` for a namespace or tool name that is not an
 * identifier, a duplicate tool, or an unknown `options.namespace`.
 */
export function buildDeclarations(tools: readonly DeclaredTool[], options: DeclarationOptions = {}): Declarations {
  const docs = options.docs ?? "full"
  const warn = options.onWarning ?? (() => {})
  const groups = validate(tools)
  const wanted = options.namespace === undefined ? [...groups.keys()] : typeof options.namespace === "string" ? [options.namespace] : [...options.namespace]
  for (const name of wanted) {
    if (!groups.has(name)) throw codemodeError("CONFIG_INVALID", ORIGIN, `namespace "${name}" has no tools; available: ${[...groups.keys()].sort().join(", ") || "(none)"}`)
  }
  const spaces = new Map([...new Set(wanted)].sort().map((name) => [name, buildNamespace(name, groups.get(name)!)] as const))
  let full: string | undefined

  const renderNamespace = (ns: NamespaceModel): string => {
    const parts = ns.tools.map((m) => renderTool(ns, m, docs, "  ", warn)).map((p) => p.fn + p.types.join(""))
    const roots = ns.tools.flatMap((m) => (m.tool.outputSchema === undefined ? [m.tool.inputSchema] : [m.tool.inputSchema, m.tool.outputSchema]))
    const defs = [...reachable(ns.registry, roots).keys()].map((e) => renderEntry(ns, e, docs, "  ", warn))
    return wrapNamespace(ns.name, [...parts, ...(defs.length > 0 ? [defs.join("")] : [])].join("\n"))
  }

  return {
    namespaces: [...spaces.keys()],
    text: () => (full ??= [...spaces.values()].map(renderNamespace).join("\n")),
    tool(namespace, name, toolOptions = {}) {
      const ns = spaces.get(namespace)
      const model = ns?.tools.find((m) => m.tool.name === name)
      if (!ns || !model) return undefined
      const snippetDocs = toolOptions.docs ?? "full"
      const maxDepth = toolOptions.maxDepth ?? Number.POSITIVE_INFINITY
      const wrap = toolOptions.wrap ?? true
      const indent = wrap ? "  " : ""
      const { fn, types } = renderTool(ns, model, snippetDocs, indent, warn)
      const roots = model.tool.outputSchema === undefined ? [model.tool.inputSchema] : [model.tool.inputSchema, model.tool.outputSchema]
      const needed = [...reachable(ns.registry, roots)].filter(([, depth]) => depth <= maxDepth + 1)
      const defs = needed.map(([entry, depth]) =>
        depth <= maxDepth ? renderEntry(ns, entry, snippetDocs, indent, warn) : `${formatDoc(summaryOf(entry, snippetDocs), indent)}${indent}type ${entry.typeName} = unknown // details omitted\n`,
      )
      const body = fn + types.join("") + defs.join("")
      return wrap ? wrapNamespace(namespace, body) : body
    },
  }
}

function summaryOf(entry: DefEntry, docs: DocMode): string[] {
  const text = isObject(entry.schema) ? describe(entry.schema.description ?? entry.schema.title, docs === "none" ? "none" : "summary") : undefined
  return text === undefined ? [] : [text]
}

/** The complete `.d.ts` for `tools` (see {@link buildDeclarations}). Same input → byte-identical output. */
export function generateDeclarations(tools: readonly Tool[], options: DeclarationOptions = {}): string {
  return buildDeclarations(tools, options).text()
}

/**
 * One tool's declaration as a small self-contained snippet (function + the types it needs).
 * Type names are computed from this tool alone; to get names that match the full declarations of
 * its namespace, use {@link buildDeclarations} and `Declarations.tool()`.
 */
export function renderToolSignature(tool: Tool, options: ToolSignatureOptions = {}): string {
  return buildDeclarations([tool]).tool(tool.namespace, tool.name, options)!
}
