/**
 * The loaded tool sources of one codemode instance: loads them in parallel, checks what they
 * return, follows their list-changed notifications, closes them.
 */
import { CodeModeError, codemodeError } from "../errors.js"
import { isIdentifier } from "../tools/identifiers.js"
import type { Tool, ToolSource } from "../tools/tool.js"

export interface SourceSetOptions {
  /** Keep serving when a source fails to load (it then has no tools) instead of rejecting. */
  skipUnavailable: boolean
  /** Receives errors that have no caller to reject: skipped sources, failed reloads. */
  onError?: (error: CodeModeError) => void
}

export interface SourceSet {
  /** The current tools of every source, in source order. */
  tools(): Tool[]
  /** Unsubscribes and closes every source. Idempotent; never rejects. */
  close(): Promise<void>
}

const ORIGIN = "runtime"

function describe(source: ToolSource): string {
  return `source "${source.namespace}" (${source.kind})`
}

function checkConfig(sources: readonly ToolSource[]): void {
  if (!Array.isArray(sources)) {
    throw codemodeError("CONFIG_INVALID", ORIGIN, "`sources` must be an array of tool sources, e.g. [functions(…), mcp(…)]")
  }
  const seen = new Map<string, ToolSource>()
  for (const source of sources) {
    if (typeof source?.load !== "function" || typeof source.namespace !== "string") {
      throw codemodeError("CONFIG_INVALID", ORIGIN, "every source needs a `namespace` and a `load()` method (see defineSource)")
    }
    if (!isIdentifier(source.namespace)) {
      throw codemodeError("CONFIG_INVALID", ORIGIN, `namespace ${JSON.stringify(source.namespace)} of ${describe(source)} is not a valid identifier`)
    }
    const other = seen.get(source.namespace)
    if (other) {
      throw codemodeError(
        "CONFIG_INVALID",
        ORIGIN,
        `duplicate namespace "${source.namespace}": ${describe(other)} and ${describe(source)}; give each source its own namespace`,
      )
    }
    seen.set(source.namespace, source)
  }
}

/** Checks what a source returned: right namespace, valid and unique names. */
function checkTools(source: ToolSource, tools: Tool[]): Tool[] {
  if (!Array.isArray(tools)) throw codemodeError("CONFIG_INVALID", source.namespace, `${describe(source)}: load() must return an array of tools`)
  const names = new Set<string>()
  for (const tool of tools) {
    const id = `${tool.namespace}.${tool.name}`
    if (tool.namespace !== source.namespace) {
      throw codemodeError("CONFIG_INVALID", source.namespace, `${describe(source)} returned tool ${id} from another namespace`)
    }
    if (!isIdentifier(tool.name)) {
      throw codemodeError("CONFIG_INVALID", source.namespace, `${describe(source)}: tool name ${JSON.stringify(tool.name)} is not a valid identifier`)
    }
    if (names.has(tool.name)) throw codemodeError("CONFIG_INVALID", source.namespace, `${describe(source)}: duplicate tool name "${tool.name}"`)
    names.add(tool.name)
  }
  return tools
}

function unavailable(source: ToolSource, error: unknown): CodeModeError {
  if (CodeModeError.is(error, "CONFIG_INVALID")) return error
  const reason = error instanceof Error ? error.message : String(error)
  return codemodeError("SOURCE_UNAVAILABLE", source.namespace, `${describe(source)} failed to load: ${reason}`, { cause: error })
}

async function closeAll(sources: readonly ToolSource[]): Promise<void> {
  await Promise.allSettled(sources.map(async (s) => s.close?.()))
}

/**
 * Loads every source once, in parallel. A source that fails rejects the whole set with
 * `SOURCE_UNAVAILABLE` (after closing the others) unless `skipUnavailable` is set; a source that
 * returns bad tools always rejects with `CONFIG_INVALID`.
 */
export async function loadSources(sources: readonly ToolSource[], options: SourceSetOptions): Promise<SourceSet> {
  checkConfig(sources)
  const current = new Map<ToolSource, Tool[]>()
  const settled = await Promise.allSettled(sources.map(async (s) => checkTools(s, await s.load())))
  const failures: CodeModeError[] = []
  settled.forEach((result, i) => {
    const source = sources[i] as ToolSource
    if (result.status === "fulfilled") current.set(source, result.value)
    else failures.push(unavailable(source, result.reason))
  })
  const fatal = failures.find((e) => !options.skipUnavailable || e.code === "CONFIG_INVALID")
  if (fatal) {
    await closeAll(sources)
    throw fatal
  }
  for (const error of failures) options.onError?.(error)

  // Reloads run one at a time per source; a notification during a reload triggers one more.
  const reloading = new Map<ToolSource, Promise<void>>()
  const dirty = new Set<ToolSource>()
  let closed = false
  const reload = (source: ToolSource): void => {
    if (closed) return
    if (reloading.has(source)) {
      dirty.add(source)
      return
    }
    const job = (async () => {
      try {
        const tools = checkTools(source, await source.load())
        if (!closed) current.set(source, tools)
      } catch (error) {
        if (!closed) options.onError?.(unavailable(source, error))
      } finally {
        reloading.delete(source)
        if (dirty.delete(source)) reload(source)
      }
    })()
    reloading.set(source, job)
  }
  const unsubscribers = sources.flatMap((s) => (s.onToolsChanged ? [s.onToolsChanged(() => reload(s))] : []))

  let closing: Promise<void> | undefined
  return {
    tools: () => sources.flatMap((s) => current.get(s) ?? []),
    close: () =>
      (closing ??= (async () => {
        closed = true
        for (const unsubscribe of unsubscribers) unsubscribe()
        await Promise.allSettled([...reloading.values()])
        await closeAll(sources)
      })()),
  }
}
