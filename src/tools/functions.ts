/**
 * `functions(namespace, defs)`: plain host functions as tools. Schemas are zod (v4) or plain JSON
 * Schema; arguments are validated before `run`, results after it when an output schema is declared.
 */
import type { z } from "zod"
import { CodeModeError, codemodeError } from "../errors.js"
import { zod } from "../lazy.js"
import { isIdentifier, uniqueIdentifiers } from "./identifiers.js"
import type { CallContext, JSONSchema, Tool, ToolAnnotations, ToolSource } from "./tool.js"

/** A zod v4 schema (classic or mini) whose parsed value is `T`. */
export type ZodSchema<T = unknown> = z.core.$ZodType<T>

/**
 * A JSON Schema with its own validator, the shape of an AI SDK `Schema` (`jsonSchema()`, `asSchema()`)
 * once its JSON Schema is resolved: `validate` returns the value `run` receives, or why it is refused.
 */
export interface ValidatedSchema<T = unknown> {
  jsonSchema: JSONSchema
  validate(value: unknown): ValidationResult<T> | PromiseLike<ValidationResult<T>>
}

export type ValidationResult<T> = { success: true; value: T } | { success: false; error: Error }

/** One function exposed as `codemode.<namespace>.<name>(args)`. */
export interface FunctionDef<I = unknown, O = unknown> {
  /** Shown to the model in the declarations (JSDoc). */
  description?: string
  /**
   * The argument object: a zod schema (its parsed value is what `run` receives, defaults applied) or
   * a JSON Schema (validated with zod's `fromJSONSchema`). Default: an object with no properties.
   * For an object schema a call without an argument is validated as `{}`. A schema without `type`
   * (e.g. `{}`) accepts any JSON value; any other `type` is refused (tools take an argument object).
   */
  input?: ZodSchema<I> | ValidatedSchema<I> | JSONSchema
  /** The result, validated after `run` when given (zod: the parsed value is returned). Default: none. */
  output?: ZodSchema<O> | ValidatedSchema<O> | JSONSchema
  /** MCP-style hints (read-only, destructive …) used by policies and shown to the model. */
  annotations?: ToolAnnotations
  /**
   * Calls need approval (all, or those the function says yes to, given the validated arguments)
   * where the policy would allow them; see docs/policy.md. Default: the policy alone decides.
   */
  needsApproval?: boolean | ((args: I) => boolean | Promise<boolean>)
  /** Runs on the host. Throw to fail the call; the message reaches the sandbox. */
  run(args: I, ctx: CallContext): O | Promise<O>
}

/** Identity helper: infers `run`'s argument type from a zod `input` schema. */
export function defineFunction<I, O>(def: FunctionDef<I, O>): FunctionDef<I, O> {
  return def
}

const KIND = "functions"
const EMPTY_OBJECT: JSONSchema = { type: "object", properties: {}, additionalProperties: false }
/** At most this many validation issues are listed in one error message. */
const MAX_ISSUES = 5

function isZod(schema: unknown): schema is ZodSchema {
  return typeof schema === "object" && schema !== null && "_zod" in schema
}

/** `["items", 0, "name"]` → `items[0].name`; the root is `(root)`. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)"
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("")
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const listed = issues.slice(0, MAX_ISSUES).map((i) => `at ${formatPath(i.path)}: ${i.message}`)
  if (issues.length > MAX_ISSUES) listed.push(`… and ${issues.length - MAX_ISSUES} more`)
  return listed.join("; ")
}

function isValidated(schema: unknown): schema is ValidatedSchema {
  return typeof schema === "object" && schema !== null && typeof (schema as ValidatedSchema).validate === "function" && "jsonSchema" in schema
}

type Checked = { ok: true; value: unknown } | { ok: false; message: string; issues?: Array<{ path: string; message: string }> }

interface Compiled {
  check(value: unknown): Checked | Promise<Checked>
  jsonSchema: JSONSchema
}

function zodCheck(validator: ZodSchema): Compiled["check"] {
  return (value) => {
    const parsed = zod().safeParse(validator, value)
    if (parsed.success) return { ok: true, value: parsed.data }
    return { ok: false, message: describeIssues(parsed.error.issues), issues: parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) }
  }
}

function validatedCheck(schema: ValidatedSchema): Compiled["check"] {
  return async (value) => {
    const result = await schema.validate(value)
    return result.success ? { ok: true, value: result.value } : { ok: false, message: result.error.message }
  }
}

function compile(schema: ZodSchema | ValidatedSchema | JSONSchema, io: "input" | "output", where: string): Compiled {
  try {
    if (isZod(schema)) {
      const jsonSchema = zod().toJSONSchema(schema, { io, unrepresentable: "any" }) as JSONSchema
      return { check: zodCheck(schema), jsonSchema }
    }
    if (isValidated(schema)) return { check: validatedCheck(schema), jsonSchema: schema.jsonSchema }
    return { check: zodCheck(zod().fromJSONSchema(schema as z.core.JSONSchema.JSONSchema)), jsonSchema: schema }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw codemodeError("CONFIG_INVALID", where, `${io} schema cannot be used: ${reason}`, { cause: error })
  }
}

/** An explicit `type` other than "object" cannot describe an argument object (no `type`: any value). */
function typeOf(schema: JSONSchema): unknown {
  return typeof schema === "object" ? schema.type : undefined
}

function toTool(namespace: string, name: string, key: string, def: FunctionDef): Tool {
  const where = `${namespace}.${name}`
  if (typeof def?.run !== "function") {
    throw codemodeError("CONFIG_INVALID", where, `functions("${namespace}"): "${key}".run must be a function`)
  }
  const input = compile(def.input ?? EMPTY_OBJECT, "input", where)
  const inputType = typeOf(input.jsonSchema)
  if (inputType !== undefined && inputType !== "object") {
    throw codemodeError("CONFIG_INVALID", where, "input must be an object schema: a tool takes one argument object")
  }
  // A call without an argument means "no options" for an object schema; other schemas see `undefined`.
  const noArgs = inputType === "object" ? {} : undefined
  const output = def.output === undefined ? undefined : compile(def.output, "output", where)
  const run = def.run.bind(def)

  /** The arguments as `run` receives them, or the TOOL_INPUT_INVALID error. */
  async function parseArgs(args: unknown): Promise<unknown> {
    const parsed = await input.check(args ?? noArgs)
    if (parsed.ok) return parsed.value
    throw codemodeError("TOOL_INPUT_INVALID", where, `invalid input: ${parsed.message}`, parsed.issues ? { data: { issues: parsed.issues } } : {})
  }

  async function call(args: unknown, ctx: CallContext): Promise<unknown> {
    const parsed = await parseArgs(args)
    let result: unknown
    try {
      result = await run(parsed, ctx)
    } catch (error) {
      if (CodeModeError.is(error)) throw error
      const message = error instanceof Error ? error.message : String(error)
      throw codemodeError("TOOL_CALL_FAILED", where, message, { cause: error })
    }
    if (!output) return result
    const checked = await output.check(result)
    if (!checked.ok) throw codemodeError("TOOL_OUTPUT_INVALID", where, `invalid output: ${checked.message}`)
    return checked.value
  }

  const tool: Tool = { name, namespace, inputSchema: input.jsonSchema, call, origin: { kind: KIND, originalName: key } }
  if (def.description !== undefined) tool.description = def.description
  if (output) tool.outputSchema = output.jsonSchema
  if (def.annotations) tool.annotations = def.annotations
  const needs = def.needsApproval
  if (typeof needs === "function") {
    tool.needsApproval = async (args) => {
      const parsed = await parseArgs(args).then((value) => ({ value }), () => undefined)
      return parsed !== undefined && needs(parsed.value) // invalid arguments need no approval: the call fails on them
    }
  } else if (needs === true) tool.needsApproval = true
  return tool
}

/**
 * A tool source of plain functions: each key of `defs` becomes `codemode.<namespace>.<key>(args)`
 * (keys that are not identifiers are mangled with `toIdentifier`). Schemas are compiled when the
 * source is created, so a bad schema fails fast with `CONFIG_INVALID`.
 *
 * @example
 * const app = functions("app", {
 *   add: { input: z.object({ a: z.number(), b: z.number() }), run: ({ a, b }) => a + b },
 * })
 */
export function functions<D extends Record<string, unknown>>(
  namespace: string,
  defs: { [K in keyof D]: FunctionDef<D[K], unknown> },
): ToolSource {
  if (!isIdentifier(namespace)) {
    throw codemodeError("CONFIG_INVALID", KIND, `namespace ${JSON.stringify(namespace)} is not a valid identifier`)
  }
  const keys = Object.keys(defs)
  const names = uniqueIdentifiers(keys)
  const entries = defs as Record<string, FunctionDef>
  const tools = keys.map((key, i) => toTool(namespace, names[i] as string, key, entries[key] as FunctionDef))
  return { namespace, kind: KIND, load: async () => tools }
}
