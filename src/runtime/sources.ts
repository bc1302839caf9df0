/**
 * The loaded tool sources of one codemode instance: loads them in parallel, checks what they
 * return, follows their list-changed notifications and upstream events, closes them. Either waits
 * for every source (the default), or — background loading — waits a short grace period, serves the
 * sources that are ready, lets the others join when they arrive and retries failed ones with backoff.
 */
import { CodeModeError, codemodeError } from "../errors.js"
import { isIdentifier, isMemberName, isNamespacePath } from "../tools/identifiers.js"
import type { SourceEvent, Tool, ToolSource } from "../tools/tool.js"

/** Options of background loading (see {@link SourceSetOptions.background}). */
export interface BackgroundLoading {
  /** Longest the set waits for its sources before it is served. Default {@link DEFAULT_GRACE_MS}. */
  graceMs?: number
  /** Delay before the first retry of a failed source; it doubles with each failure (±20% jitter). Default 1,000 ms. */
  retryMinMs?: number
  /** Longest delay between two retries. Default 60,000 ms. */
  retryMaxMs?: number
}

/** Default grace period of background loading: 2 s. */
export const DEFAULT_GRACE_MS = 2_000
const DEFAULT_RETRY = { retryMinMs: 1_000, retryMaxMs: 60_000 }

/** Where one source stands. */
export interface SourceStatus {
  namespace: string
  kind: string
  /** "loading": its first load is under way; "ready": its tools are served; "failed": its load failed, it has no tools. */
  state: "loading" | "ready" | "failed"
  /** How many tools it serves. */
  tools: number
  /** When failed: why the last attempt failed (`SOURCE_UNAVAILABLE`, or `CONFIG_INVALID` for bad tools). */
  error?: CodeModeError
  /** Failed attempts since it was last ready. */
  failures: number
  /** When failed, with background loading: time until the next attempt, in ms (0: one is under way). */
  retryInMs?: number
}

/** Something that changed about a source, with a one-line message for a log. */
export interface SourceChange {
  /**
   * "loaded": it is ready (first load, or after failures); "failed": it went from loading or ready to
   * failed (reported once, not per retry); "retry-failed": another attempt failed the same way;
   * "reloaded" / "reload-failed": a reload after a list change (a failed one keeps the old tools);
   * the rest are its upstream's {@link SourceEvent}s.
   */
  type: "loaded" | "failed" | "retry-failed" | "reloaded" | "reload-failed" | SourceEvent["type"]
  message: string
  status: SourceStatus
}

export interface SourceSetOptions {
  /** Keep serving when a source fails to load (it then has no tools) instead of rejecting. */
  skipUnavailable: boolean
  /** Background loading: resolve after a grace period, retry failed sources. Implies `skipUnavailable`. */
  background?: BackgroundLoading | undefined
  /** Receives errors that have no caller to reject: skipped sources, failed reloads, failed loads (once per change). */
  onError?: ((error: CodeModeError) => void) | undefined
  /** Every change of a source, after its tools are stored. Must not throw. */
  onChange?: ((change: SourceChange) => void) | undefined
}

export interface SourceSet {
  /** The current tools of every source, in source order. */
  tools(): Tool[]
  /** Where every source stands, in source order. */
  status(): SourceStatus[]
  /** Loads one source again (its tools changed) and resolves once it has loaded or failed (failures go to `onError`/`onChange`). */
  reload(namespace: string): Promise<void>
  /** Stops retries, unsubscribes and closes every source. Idempotent; never rejects. */
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

/** Checks what a source returned: its namespace (or one nested in it, `state.todos`), valid and unique names. */
function checkTools(source: ToolSource, tools: Tool[]): Tool[] {
  if (!Array.isArray(tools)) throw codemodeError("CONFIG_INVALID", source.namespace, `${describe(source)}: load() must return an array of tools`)
  const names = new Set<string>()
  for (const tool of tools) {
    const id = `${tool.namespace}.${tool.name}`
    if (tool.namespace !== source.namespace && !(tool.namespace.startsWith(`${source.namespace}.`) && isNamespacePath(tool.namespace))) {
      throw codemodeError("CONFIG_INVALID", source.namespace, `${describe(source)} returned tool ${id} from another namespace`)
    }
    if (!(tool.namespace === source.namespace ? isIdentifier(tool.name) : isMemberName(tool.name))) {
      throw codemodeError("CONFIG_INVALID", source.namespace, `${describe(source)}: tool name ${JSON.stringify(tool.name)} is not a valid identifier`)
    }
    if (names.has(id)) throw codemodeError("CONFIG_INVALID", source.namespace, `${describe(source)}: duplicate tool name "${id}"`)
    names.add(id)
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

/** The delay before retry number `failures` (1-based): doubling from `min`, at most `max`, ±20% jitter. */
export function retryDelay(failures: number, min: number, max: number): number {
  const base = Math.min(max, min * 2 ** Math.min(failures - 1, 30))
  return Math.round(Math.min(max, base * (0.8 + Math.random() * 0.4)))
}

const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))} s`

/** One source and where it stands. */
interface Entry {
  source: ToolSource
  state: SourceStatus["state"]
  tools: Tool[]
  error?: CodeModeError
  failures: number
  /** When failed, with background loading: when the next attempt starts (epoch ms). */
  retryAt?: number
  loading?: Promise<void>
  /** A list change arrived during a load: load once more after it. */
  again: boolean
  timer?: ReturnType<typeof setTimeout>
}

/**
 * Loads every source, in parallel. Without `background`: waits for all of them; a source that fails
 * rejects the whole set with `SOURCE_UNAVAILABLE` (after closing the others) unless
 * `skipUnavailable` is set, and one that returns bad tools always rejects with `CONFIG_INVALID`.
 * With `background`: resolves once every source settled or the grace period passed; sources still
 * loading join later and failed ones (whatever the error) are retried until they load or the set is
 * closed. Rejects only on a bad source list (`CONFIG_INVALID`).
 */
export async function loadSources(sources: readonly ToolSource[], options: SourceSetOptions): Promise<SourceSet> {
  checkConfig(sources)
  const background = options.background ? { graceMs: DEFAULT_GRACE_MS, ...DEFAULT_RETRY, ...options.background } : undefined
  const entries = sources.map((source): Entry => ({ source, state: "loading", tools: [], failures: 0, again: false }))
  let closed = false
  /** False while the set waits for the first loads without background loading: failures go to the caller. */
  let started = background !== undefined

  const statusOf = (e: Entry): SourceStatus => ({
    namespace: e.source.namespace,
    kind: e.source.kind,
    state: e.state,
    tools: e.tools.length,
    failures: e.failures,
    ...(e.error ? { error: e.error } : {}),
    ...(e.retryAt === undefined ? {} : { retryInMs: e.loading ? 0 : Math.max(0, e.retryAt - Date.now()) }),
  })
  const changed = (e: Entry, type: SourceChange["type"], message: string) => {
    try {
      options.onChange?.({ type, message, status: statusOf(e) })
    } catch {
      // a listener's failure is its own
    }
  }

  const succeed = (e: Entry, tools: Tool[]) => {
    const before = e.state
    const failures = e.failures
    e.tools = tools
    e.state = "ready"
    e.failures = 0
    delete e.error
    delete e.retryAt
    if (!started) return
    const count = `${tools.length} ${tools.length === 1 ? "tool" : "tools"}`
    if (before === "ready") changed(e, "reloaded", `${describe(e.source)} reloaded: ${count}`)
    else changed(e, "loaded", `${describe(e.source)} loaded${failures ? ` after ${failures} failed ${failures === 1 ? "attempt" : "attempts"}` : ""}: ${count}`)
  }

  const fail = (e: Entry, error: CodeModeError) => {
    if (e.state === "ready") {
      // A reload failed: keep serving the tools it had.
      if (started) options.onError?.(error)
      changed(e, "reload-failed", `${error.message}; keeping its ${e.tools.length} tools`)
      return
    }
    const first = e.state === "loading"
    e.state = "failed"
    e.error = error
    e.failures++
    if (!background) {
      // the first failure is the caller's to report (or the set rejects); later ones are reloads
      if (started) {
        options.onError?.(error)
        changed(e, first ? "failed" : "retry-failed", error.message)
      }
      return
    }
    const delay = retryDelay(e.failures, background.retryMinMs, background.retryMaxMs)
    e.retryAt = Date.now() + delay
    e.timer = setTimeout(() => load(e), delay)
    e.timer.unref?.()
    if (first) options.onError?.(error)
    changed(e, first ? "failed" : "retry-failed", `${error.message}; retrying in ${seconds(delay)}`)
  }

  /** Loads (or reloads) one source; a list change during a load triggers one more load after it. */
  function load(e: Entry): void {
    if (closed) return
    if (e.loading) {
      e.again = true
      return
    }
    clearTimeout(e.timer)
    e.loading = (async () => {
      try {
        const tools = checkTools(e.source, await e.source.load())
        if (!closed) succeed(e, tools)
      } catch (error) {
        if (!closed) fail(e, unavailable(e.source, error))
      } finally {
        e.loading = undefined
        if (e.again) {
          e.again = false
          load(e)
        }
      }
    })()
  }

  const unsubscribers: Array<() => void> = []
  for (const e of entries) {
    const { source } = e
    if (source.onToolsChanged) unsubscribers.push(source.onToolsChanged(() => load(e)))
    if (source.onEvent) {
      unsubscribers.push(source.onEvent((event) => !closed && changed(e, event.type, `${describe(source)}: ${event.message}`)))
    }
    load(e)
  }
  const first = Promise.allSettled(entries.map((e) => e.loading))
  if (background) {
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([first, new Promise<void>((resolve) => (timer = setTimeout(resolve, background.graceMs)))])
    clearTimeout(timer)
  } else {
    await first
    const failures = entries.flatMap((e) => (e.state === "failed" && e.error ? [e.error] : []))
    const fatal = failures.find((error) => !options.skipUnavailable || error.code === "CONFIG_INVALID")
    if (fatal) {
      closed = true
      for (const unsubscribe of unsubscribers) unsubscribe()
      await closeAll(sources)
      throw fatal
    }
    for (const error of failures) options.onError?.(error)
    started = true
  }

  let closing: Promise<void> | undefined
  return {
    tools: () => entries.flatMap((e) => e.tools),
    status: () => entries.map(statusOf),
    reload: async (namespace) => {
      const e = entries.find((entry) => entry.source.namespace === namespace)
      if (!e) return
      load(e)
      // a load under way when this was asked may be followed by one more (`again`): wait for both
      while (e.loading) await e.loading
    },
    close: () =>
      (closing ??= (async () => {
        closed = true
        for (const e of entries) clearTimeout(e.timer)
        for (const unsubscribe of unsubscribers) unsubscribe()
        await closeAll(sources)
      })()),
  }
}
