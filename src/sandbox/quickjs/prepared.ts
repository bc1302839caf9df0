/**
 * Worker side: a fresh QuickJS runtime + context with the prelude installed, made ahead of time so a
 * run does not wait for it (creating one and compiling the prelude is most of a cold run's cost).
 * Each one serves exactly one run and is then disposed: nothing is ever reused across runs.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten"
import type { LogLevel } from "../executor.js"
import { LIB_SOURCE, PRELUDE_CORE, PRELUDE_FILE } from "./prelude-source.js"
import type { CappedModule } from "./wasm-modules.js"

/** What a prepared sandbox calls back into: the run that owns it (none until a run takes it). */
export interface SandboxOwner {
  shouldInterrupt(): boolean
  /** The code made one tool call more than its run's `maxToolCalls`. */
  onCallLimit(): void
  onLog(level: LogLevel, message: string): number
}

export interface PreparedSandbox {
  readonly module: CappedModule
  readonly rt: QuickJSRuntime
  readonly ctx: QuickJSContext
  /** The prelude core's API (prelude-core.ts `PreludeApi`): init(namesJson, outputBudget, maxToolCalls), settle, encodeResult, describe, take. */
  readonly init: QuickJSHandle
  readonly settle: QuickJSHandle
  readonly encodeResult: QuickJSHandle
  readonly describe: QuickJSHandle
  /**
   * Empties the call queue: `"<binding index>\x01<argument JSON>\x01"` per call, in call order
   * (JSON text never holds a raw control character; a NUL would end the C string it crosses as).
   */
  readonly take: QuickJSHandle
  owner?: SandboxOwner
  /** The {@link initKey} `init` was last called with (undefined: not yet). */
  initKey?: string
  /**
   * determinism.ts's installer, compiled but not called: only code, no state (compiled ahead when
   * the run before was deterministic, or by a deterministic run itself).
   */
  installer?: QuickJSHandle
}

/** What `init` installs: the binding names, the console output budget and the tool-call limit. */
export interface InitRequest {
  names: readonly string[]
  outputBudget: number
  maxToolCalls: number
}

/** Identifies an {@link InitRequest}. */
export function initKey(req: InitRequest): string {
  return `${req.outputBudget}|${req.maxToolCalls}|${JSON.stringify(req.names)}`
}

/**
 * Installs `codemode.<ns>.<tool>` for the names and sets the output budget and tool-call limit,
 * unless the sandbox was already initialized with exactly these (spares are initialized ahead with
 * the last run's, so the usual run skips this call into the sandbox).
 */
export function initSandbox(sb: PreparedSandbox, req: InitRequest): void {
  const key = initKey(req)
  if (sb.initKey === key) return
  const { ctx } = sb
  const args = [ctx.newString(JSON.stringify(req.names)), ctx.newNumber(req.outputBudget), ctx.newNumber(req.maxToolCalls)]
  try {
    ctx.unwrapResult(ctx.callFunction(sb.init, ctx.undefined, ...args)).dispose()
  } finally {
    for (const h of args) h.dispose()
  }
  sb.initKey = key
}

export function prepareSandbox(module: CappedModule, maxArgumentBytes: number): PreparedSandbox {
  const rt = module.qjs.newRuntime()
  const ctx = rt.newContext()
  let self: PreparedSandbox | undefined
  rt.setInterruptHandler(() => self?.owner?.shouldInterrupt() ?? false)
  const hostLimit = ctx.newFunction("hostLimit", () => self?.owner?.onCallLimit())
  const hostLog = ctx.newFunction("hostLog", (level, text) =>
    ctx.newNumber(self?.owner ? self.owner.onLog(ctx.getString(level) as LogLevel, ctx.getString(text)) : 0),
  )
  // Copied in only when the code first needs it: a 12 KB string in every sandbox cost time and memory (docs/sandbox.md).
  const hostLib = ctx.newFunction("hostLib", () => ctx.newString(LIB_SOURCE))
  const maxArg = ctx.newNumber(maxArgumentBytes)
  const core = ctx.unwrapResult(ctx.evalCode(PRELUDE_CORE, PRELUDE_FILE))
  const api = ctx.unwrapResult(ctx.callFunction(core, ctx.undefined, hostLimit, hostLog, maxArg, hostLib))
  self = {
    module,
    rt,
    ctx,
    init: ctx.getProp(api, "init"),
    settle: ctx.getProp(api, "settle"),
    encodeResult: ctx.getProp(api, "encodeResult"),
    describe: ctx.getProp(api, "describe"),
    take: ctx.getProp(api, "take"),
  }
  for (const h of [hostLimit, hostLog, hostLib, maxArg, core, api]) h.dispose()
  return self
}

/**
 * Frees the runtime; false when QuickJS could not free it cleanly (the module should be retired).
 *
 * A sandbox in a retired module is not freed on its own: the whole module (its linear memory, with
 * every runtime in it) is dropped when its last run ends. That is also the only clean way out after
 * out-of-memory: an allocation failing inside an async function resumed from a job leaks engine
 * objects (the realm stays referenced), and JS_FreeRuntime would then abort the module on its
 * assertion `list_empty(&rt->gc_obj_list)` — with every handle of ours disposed.
 */
export function disposeSandbox(s: PreparedSandbox): boolean {
  s.owner = undefined
  if (s.module.retired) return true
  try {
    for (const h of [s.init, s.settle, s.encodeResult, s.describe, s.take]) h.dispose()
    s.installer?.dispose()
    s.ctx.dispose()
    s.rt.dispose()
    return true
  } catch {
    return false
  }
}
