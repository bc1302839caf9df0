/**
 * Tools → the flat `Bindings` a sandbox run gets, each wrapped to record the call trace and to turn
 * host failures into messages the model can act on (tool name, arguments, reason; no host details).
 */
import { CodeModeError, type CodeModeErrorCode } from "../errors.js"
import type { Bindings } from "../sandbox/executor.js"
import type { Tool } from "../tools/tool.js"

/** One tool call made by a run, in the order the calls started. */
export interface CallRecord {
  /** `"namespace.name"`. */
  tool: string
  /** The argument as it crossed the boundary. */
  args: unknown
  /** Host time from the call to its settlement (until the run ended, for calls left unfinished). */
  durationMs: number
  ok: boolean
  /** Why the call failed: the host-side message and, for codemode errors, the code. */
  error?: { message: string; code?: CodeModeErrorCode }
}

export interface RunBindings {
  bindings: Bindings
  /** The trace, filled while the run goes. */
  calls: CallRecord[]
  /** Marks calls still in flight as failed; call once the run has ended. */
  finish(): void
}

/** Longest argument excerpt quoted in an error message seen by the sandbox. */
const MAX_ARGS_EXCERPT = 200

function argsExcerpt(args: unknown): string {
  let text: string
  try {
    text = args === undefined ? "" : JSON.stringify(args)
  } catch {
    text = "…"
  }
  return text.length > MAX_ARGS_EXCERPT ? `${text.slice(0, MAX_ARGS_EXCERPT)}…` : text
}

/** `[codemode] [demo.add] invalid input: …` → `invalid input: …` (the sandbox message names the tool itself). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.replace(/^\[codemode\] (\[[^\]]*\] )?/, "")
}

/**
 * Wraps `tools` for one run; `onCall` hears each call as it settles. `signal` reaches every tool call (`ctx.signal`): the runtime aborts it
 * when the run ends or is cancelled, so tools can stop work nobody waits for anymore.
 */
export function createBindings(tools: readonly Tool[], signal: AbortSignal, onCall?: (call: CallRecord) => void): RunBindings {
  const calls: CallRecord[] = []
  const pending = new Map<CallRecord, number>()
  const bindings: Bindings = {}
  for (const tool of tools) {
    const id = `${tool.namespace}.${tool.name}`
    bindings[id] = async (args: unknown) => {
      const record: CallRecord = { tool: id, args, durationMs: 0, ok: true }
      const started = performance.now()
      calls.push(record)
      pending.set(record, started)
      try {
        return await tool.call(args, { signal })
      } catch (error) {
        record.ok = false
        record.error = CodeModeError.is(error) ? { message: error.message, code: error.code } : { message: reasonOf(error) }
        throw new Error(`codemode.${id}(${argsExcerpt(args)}) failed: ${reasonOf(error)}`)
      } finally {
        if (pending.delete(record)) {
          record.durationMs = performance.now() - started
          onCall?.(record)
        }
      }
    }
  }
  const finish = () => {
    const now = performance.now()
    for (const [record, started] of pending) {
      record.ok = false
      record.durationMs = now - started
      record.error = { message: "still running when the run ended" }
    }
    pending.clear()
  }
  return { bindings, calls, finish }
}
