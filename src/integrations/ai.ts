/**
 * `codemode/ai`: the Vercel AI SDK (`ai` 6) both ways.
 * - `codeModeTools(cm)`: the code-mode tools as AI SDK tools for `generateText` / `streamText`.
 * - `aiTools(namespace, tools)`: an AI SDK tool set as a codemode source, so a model reaches those
 *   tools from code (`codemode.<namespace>.<tool>(input)`); `needsApproval` takes codemode's
 *   approval flow.
 * `ai` is an optional peer: only `aiTools` loads it (for `asSchema`, on the source's first load).
 */
import { randomUUID } from "node:crypto"
import type { Tool as AiTool, ToolExecutionOptions } from "ai"
import { codemodeError } from "../errors.js"
import type { CodeMode } from "../runtime/codemode.js"
import type { ExecuteArgs, ResumeArgs, SearchArgs } from "../server/definitions.js"
import { modelToolArgsSchema, modelToolDefinitions } from "../server/model-tools.js"
import { functions, type FunctionDef } from "../tools/functions.js"
import { isIdentifier } from "../tools/identifiers.js"
import type { JSONSchema, ToolSource } from "../tools/tool.js"
import { answer, type AdapterOptions } from "./answer.js"

export type { AdapterOptions } from "./answer.js"

const ORIGIN = "ai"
const KIND = "ai-sdk"
/** What to install when `ai` cannot be loaded. */
export const AI_INSTALL_COMMAND = "npm install ai@^6"

/** The code-mode tools as AI SDK tools (a `ToolSet`); each returns the text the model reads. */
export type CodeModeToolSet = {
  execute: AiTool<ExecuteArgs, string>
  /** Present for a big catalog (its declarations do not fit in `execute`'s description). */
  search?: AiTool<SearchArgs, string>
  /** Present when runs can pause for approval. */
  resume?: AiTool<ResumeArgs, string>
}

/** A failed search / execute / resume: the AI SDK reports it as a tool error, and the model reads the message. */
export class CodeModeToolError extends Error {
  override readonly name = "CodeModeToolError"
}

/**
 * The code-mode tools for `generateText({ tools })` / `streamText`: `execute` alone for a small
 * catalog (its description holds the declarations), `search` + `execute` for a big one — as the MCP
 * server decides — plus `resume` when runs can pause for approval. A failed run throws
 * {@link CodeModeToolError}, which the AI SDK hands to the model as the tool's error. Call it per
 * request: the set follows sources that load or change.
 *
 * @example
 * const { text } = await generateText({ model, tools: codeModeTools(cm), stopWhen: stepCountIs(5), prompt })
 */
export function codeModeTools(cm: CodeMode, options: AdapterOptions = {}): CodeModeToolSet {
  const tools: Record<string, AiTool> = {}
  for (const definition of modelToolDefinitions(cm)) {
    const { name } = definition
    tools[name] = {
      description: definition.description,
      inputSchema: modelToolArgsSchema(cm, name),
      execute: async (input: unknown, { abortSignal }: ToolExecutionOptions) => {
        const signal = abortSignal && options.signal ? AbortSignal.any([abortSignal, options.signal]) : (abortSignal ?? options.signal)
        const answered = await answer(cm, ORIGIN, name, input, { ...options, ...(signal ? { signal } : {}) })
        if (answered.isError) throw new CodeModeToolError(answered.text)
        return answered.text
      },
    }
  }
  return tools as unknown as CodeModeToolSet // built from the definitions, which always hold execute
}

/** Loads `asSchema` from the AI SDK, or fails naming the install command. */
async function loadAsSchema(): Promise<typeof import("ai").asSchema> {
  try {
    return (await import("ai")).asSchema
  } catch (error) {
    throw codemodeError("CONFIG_INVALID", KIND, `aiTools() needs the AI SDK ("ai" 6), which could not be loaded; install it: ${AI_INSTALL_COMMAND}`, { cause: error })
  }
}

/** A tool's result: the last value of a streaming (async iterable) `execute`, as the AI SDK takes it. */
async function settle(value: unknown): Promise<unknown> {
  if (value === null || typeof value !== "object" || !(Symbol.asyncIterator in value)) return value
  let last: unknown
  for await (const part of value as AsyncIterable<unknown>) last = part
  return last
}

/** The AI SDK context every inner call gets: its own call id, no conversation. */
const callOptions = (signal?: AbortSignal): ToolExecutionOptions => ({ toolCallId: `codemode-${randomUUID()}`, messages: [], ...(signal ? { abortSignal: signal } : {}) })

async function toFunction(asSchema: typeof import("ai").asSchema, tool: AiTool): Promise<FunctionDef> {
  const input = asSchema(tool.inputSchema)
  const output = tool.outputSchema === undefined ? undefined : asSchema(tool.outputSchema)
  const execute = tool.execute as NonNullable<AiTool["execute"]> // checked by aiTools()
  const accept = async (value: unknown) => ({ success: true as const, value })
  const def: FunctionDef = {
    input: { jsonSchema: (await input.jsonSchema) as JSONSchema, validate: input.validate ?? accept },
    run: async (args, ctx) => settle(await execute(args, callOptions(ctx.signal))),
  }
  if (output) def.output = { jsonSchema: (await output.jsonSchema) as JSONSchema, validate: output.validate ?? accept }
  if (tool.description !== undefined) def.description = tool.description
  if (tool.title !== undefined) def.annotations = { title: tool.title }
  const needs = tool.needsApproval
  if (typeof needs === "function") def.needsApproval = async (args) => Boolean(await needs(args, callOptions()))
  else if (needs !== undefined) def.needsApproval = needs
  return def
}

/**
 * An AI SDK tool set (`tool()` objects with zod, Standard Schema or `jsonSchema()` inputs) as a
 * codemode source: each tool becomes `codemode.<namespace>.<key>(input)`, typed from its input
 * (and output) schema, validated by its own schema, run by its `execute`. A tool with
 * `needsApproval` asks through codemode's approvals (the policy's "ask": `onApproval`, or a paused
 * run) naming `<namespace>.<key>` and its input. Throws `CONFIG_INVALID` for a bad namespace or a
 * tool without `execute`; loading rejects with it when `ai` is not installed.
 *
 * @example
 * const cm = await createCodeMode({ sources: [aiTools("app", { getWeather, sendEmail })] })
 */
export function aiTools(namespace: string, tools: Record<string, AiTool>): ToolSource {
  if (!isIdentifier(namespace)) throw codemodeError("CONFIG_INVALID", KIND, `namespace ${JSON.stringify(namespace)} is not a valid identifier`)
  for (const [key, tool] of Object.entries(tools)) {
    if (typeof tool?.execute !== "function") {
      throw codemodeError("CONFIG_INVALID", `${namespace}.${key}`, `aiTools("${namespace}"): "${key}" has no execute function, so a program cannot run it; leave it out of the set`)
    }
  }
  let loaded: Promise<ToolSource> | undefined
  const source = () =>
    (loaded ??= (async () => {
      const asSchema = await loadAsSchema()
      const entries = await Promise.all(Object.entries(tools).map(async ([key, tool]) => [key, await toFunction(asSchema, tool)] as const))
      return functions(namespace, Object.fromEntries(entries))
    })().catch((error: unknown) => {
      loaded = undefined // a later load may find the package
      throw error
    }))
  return { namespace, kind: KIND, load: async () => (await source()).load() }
}
