/**
 * The four engine calls a tool call makes in the worker — deliver a result, run jobs, look at the
 * run's promise, take the queued calls — made straight into the QuickJS WASM module.
 *
 * Why: quickjs-emscripten wraps every call in handle bookkeeping (a `Lifetime` per value, a typed
 * array view and a malloc for the argument list, another for job results, a decoded `typeof`
 * string). For the four calls of a tool call that was a fifth of the worker's time
 * (docs/sandbox.md#measurements-behind-the-design).
 *
 * This reaches into the library's internals (`ffi`, `module`, the context and runtime pointers),
 * which it marks unstable. They are checked once per sandbox; if any is missing (another version),
 * the same operations go through the public API instead — slower, never wrong. A test fails when
 * the installed version loses the direct path, so an upgrade cannot silently slow tool calls down.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten"

export interface DirectCalls {
  /** True when calls go straight into the module (false: through the public API). */
  readonly direct: boolean
  /** Calls `fn(n, b, s)` for its effect; false if it threw (the exception is freed). */
  callNumberBoolString(fn: QuickJSHandle, n: number, b: boolean, s: string): boolean
  /** Calls `fn()` (one of the prelude's, which returns a string) and returns that; undefined if it threw. */
  callForString(fn: QuickJSHandle): string | undefined
  /** Runs up to `max` pending jobs: how many ran, or the value that escaped one (the caller disposes it). */
  executeJobs(max: number): number | { error: QuickJSHandle }
  /** True while `promise` is pending. */
  isPending(promise: QuickJSHandle): boolean
}

/** The parts of quickjs-emscripten's internals used here (0.32). */
interface Ffi {
  QTS_Call(ctx: number, fn: number, thisVal: number, argc: number, argv: number): number
  QTS_ResolveException(ctx: number, value: number): number
  QTS_FreeValuePointer(ctx: number, value: number): void
  QTS_FreeValuePointerRuntime(rt: number, value: number): void
  QTS_NewFloat64(ctx: number, n: number): number
  QTS_NewString(ctx: number, str: number): number
  QTS_GetString(ctx: number, value: number): number
  QTS_FreeCString(ctx: number, str: number): void
  QTS_ExecutePendingJob(rt: number, max: number, lastContext: number): number
  QTS_Typeof(ctx: number, value: number): number
  QTS_GetFloat64(ctx: number, value: number): number
  QTS_PromiseState(ctx: number, promise: number): number
}
interface WasmModule {
  HEAPU8: Uint8Array
  _malloc(bytes: number): number
  _free(ptr: number): void
  lengthBytesUTF8(s: string): number
  stringToUTF8(s: string, ptr: number, maxBytes: number): void
  UTF8ToString(ptr: number): string
}
interface ContextInternals {
  ffi?: Ffi
  module?: WasmModule
  ctx?: { value: number }
  memory?: { heapValueHandle(ptr: number): QuickJSHandle }
}
interface RuntimeInternals {
  rt?: { value: number }
}

const FFI_FUNCTIONS: readonly (keyof Ffi)[] = [
  "QTS_Call", "QTS_ResolveException", "QTS_FreeValuePointer", "QTS_FreeValuePointerRuntime", "QTS_NewFloat64", "QTS_NewString",
  "QTS_GetString", "QTS_FreeCString", "QTS_ExecutePendingJob", "QTS_Typeof", "QTS_GetFloat64", "QTS_PromiseState",
]
const PROMISE_PENDING = 0
/** typeof's first letter for a number ("n": no other typeof result starts with it). */
const LETTER_N = 0x6e

/** Per WASM module: whether its library glue has the expected internals, and its scratch memory. */
interface ModuleState {
  usable: boolean
  /**
   * Three argument slots and the "last job context" out-parameter, shared by the module's sandboxes:
   * one thread, and no direct call is made from inside another (the host functions the sandbox calls
   * back — logging, the call limit, the interrupt handler — never make one).
   */
  scratch: number
  words: Int32Array
}
const modules = new WeakMap<object, ModuleState>()

/** Direct calls for this sandbox when the library's internals are as expected, else public-API ones. */
export function directCalls(ctx: QuickJSContext, rt: QuickJSRuntime, options: { portable?: boolean } = {}): DirectCalls {
  const c = ctx as unknown as ContextInternals
  const r = rt as unknown as RuntimeInternals
  const state = options.portable || !c.module ? undefined : moduleState(c)
  const usable = state?.usable === true && typeof c.ctx?.value === "number" && typeof r.rt?.value === "number"
  return usable ? direct(ctx, c as Required<ContextInternals>, (r.rt as { value: number }).value, state) : portable(ctx, rt)
}

function moduleState(c: ContextInternals): ModuleState {
  const module = c.module as WasmModule
  let state = modules.get(module)
  if (!state) {
    const usable =
      c.ffi !== undefined &&
      FFI_FUNCTIONS.every((f) => typeof c.ffi?.[f] === "function") &&
      typeof module._malloc === "function" &&
      module.HEAPU8 instanceof Uint8Array &&
      typeof c.memory?.heapValueHandle === "function"
    state = { usable, scratch: usable ? module._malloc(16) : 0, words: new Int32Array(usable ? module.HEAPU8.buffer : new ArrayBuffer(0)) }
    modules.set(module, state)
  }
  return state
}

function direct(ctx: QuickJSContext, c: Required<ContextInternals>, rtPtr: number, state: ModuleState): DirectCalls {
  const { ffi, module } = c
  const ctxPtr = c.ctx.value
  const { scratch } = state
  // The module's memory grows by replacing its buffer: re-view it when that happened.
  const heap32 = () => (state.words.buffer === module.HEAPU8.buffer ? state.words : (state.words = new Int32Array(module.HEAPU8.buffer)))
  /** Frees a call's result; true if it was an exception (freed too). */
  const threw = (result: number): boolean => {
    const error = ffi.QTS_ResolveException(ctxPtr, result)
    ffi.QTS_FreeValuePointer(ctxPtr, result)
    if (error) ffi.QTS_FreeValuePointer(ctxPtr, error)
    return error !== 0
  }
  return {
    direct: true,
    callNumberBoolString(fn, n, b, s) {
      const bytes = module.lengthBytesUTF8(s) + 1
      const chars = module._malloc(bytes)
      module.stringToUTF8(s, chars, bytes)
      const str = ffi.QTS_NewString(ctxPtr, chars)
      module._free(chars)
      const num = ffi.QTS_NewFloat64(ctxPtr, n)
      const w = heap32()
      w[scratch >> 2] = num
      w[(scratch >> 2) + 1] = (b ? ctx.true : ctx.false).value as number
      w[(scratch >> 2) + 2] = str
      const result = ffi.QTS_Call(ctxPtr, fn.value as number, ctx.undefined.value as number, 3, scratch)
      ffi.QTS_FreeValuePointer(ctxPtr, num)
      ffi.QTS_FreeValuePointer(ctxPtr, str)
      return !threw(result)
    },
    callForString(fn) {
      const result = ffi.QTS_Call(ctxPtr, fn.value as number, ctx.undefined.value as number, 0, scratch)
      const error = ffi.QTS_ResolveException(ctxPtr, result)
      if (error) {
        ffi.QTS_FreeValuePointer(ctxPtr, error)
        ffi.QTS_FreeValuePointer(ctxPtr, result)
        return undefined
      }
      const chars = ffi.QTS_GetString(ctxPtr, result)
      const s = module.UTF8ToString(chars)
      ffi.QTS_FreeCString(ctxPtr, chars)
      ffi.QTS_FreeValuePointer(ctxPtr, result)
      return s
    },
    executeJobs(max) {
      const out = scratch + 12
      heap32()[out >> 2] = 0
      const value = ffi.QTS_ExecutePendingJob(rtPtr, max, out)
      const jobCtx = heap32()[out >> 2] as number
      if (jobCtx === 0) {
        ffi.QTS_FreeValuePointerRuntime(rtPtr, value)
        return 0
      }
      // A count (a number) when the jobs ran; otherwise what one of them threw.
      const type = ffi.QTS_Typeof(jobCtx, value)
      const isNumber = module.HEAPU8[type] === LETTER_N
      module._free(type)
      if (!isNumber) return { error: c.memory.heapValueHandle(value) }
      const ran = ffi.QTS_GetFloat64(jobCtx, value)
      ffi.QTS_FreeValuePointer(jobCtx, value)
      return ran
    },
    isPending(promise) {
      return ffi.QTS_PromiseState(ctxPtr, promise.value as number) === PROMISE_PENDING
    },
  }
}

function portable(ctx: QuickJSContext, rt: QuickJSRuntime): DirectCalls {
  return {
    direct: false,
    callNumberBoolString(fn, n, b, s) {
      const num = ctx.newNumber(n)
      const str = ctx.newString(s)
      const r = ctx.callFunction(fn, ctx.undefined, num, b ? ctx.true : ctx.false, str)
      num.dispose()
      str.dispose()
      if (r.error) r.error.dispose()
      else r.value.dispose()
      return !r.error
    },
    callForString(fn) {
      const r = ctx.callFunction(fn, ctx.undefined)
      if (r.error) {
        r.error.dispose()
        return undefined
      }
      const s = ctx.getString(r.value)
      r.value.dispose()
      return s
    },
    executeJobs(max) {
      const r = rt.executePendingJobs(max)
      return r.error ? { error: r.error } : r.value
    },
    isPending(promise) {
      const state = ctx.getPromiseState(promise)
      if (state.type === "fulfilled") {
        if (!state.notAPromise) state.value.dispose()
      } else if (state.type === "rejected") state.error.dispose()
      return state.type === "pending"
    },
  }
}
