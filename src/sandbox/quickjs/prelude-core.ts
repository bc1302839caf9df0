/**
 * The prelude's core: the function that runs INSIDE each fresh sandbox before the model's code. It is
 * part of the security boundary: the model's code reaches the host only through what this installs.
 *
 * This file is the readable source; `npm run build` (scripts/build-prelude.ts) minifies it with
 * esbuild into prelude-core.generated.ts, which the worker compiles in every sandbox (every run is a
 * fresh context and compiling costs time per source byte, so that copy is small; docs/sandbox.md).
 * test/sandbox/prelude.test.ts fails when the generated file is not this file's current output.
 * It is never imported: it runs in QuickJS, not in Node, and may use no module-level name but the
 * `BOUNDARY_MESSAGE` placeholder, which the build replaces with the message.
 *
 * The worker evaluates it as a function expression and calls it once per sandbox with four host
 * values, which stay in its closure (never on `globalThis`): `preludeCore(hostLimit, hostLog,
 * maxArgChars, hostLib)`. It installs `console` and returns the {@link PreludeApi} the worker keeps.
 * The built-ins it uses are captured here, before any user code runs and can replace them.
 *
 * Tool calls are pulled, not pushed: a call is queued here (binding index, argument JSON) and the
 * worker takes the queue with one `take()` whenever the code yields — a QuickJS → host function call
 * costs several times a host → QuickJS call in quickjs-emscripten. Only the call over `maxToolCalls`
 * calls the host (`hostLimit()`), so the limit stops even code that never yields. A failed call
 * rejects with an Error whose stack is deleted: QuickJS then records the stack where the error is
 * thrown into the code (the `await` of the call), so an uncaught failure points at the call.
 */

/** Replaced by the build with the text that says what can cross the sandbox boundary. */
declare const BOUNDARY_MESSAGE: string

/** The lazily compiled library (prelude-source.ts LIB_SOURCE): formatter, error describer, result cutter. */
interface PreludeLib {
  inspect(value: unknown, options: { depth: number; budget: number }): string
  formatLog(args: unknown[], budget: number): string
  describe(error: unknown): string
  why(error: unknown, what: string): unknown
  cut(value: unknown, maxChars: number): string
}

/** What the core returns to the worker (prepared.ts reads these properties by name). */
export interface PreludeApi {
  /**
   * Installs `codemode.<ns>.<tool>` for the binding names (a JSON array of "ns.tool" or "tool"), the
   * console output budget and the tool-call limit. `codemode` is configurable, so a sandbox
   * initialized ahead for the bindings it is likely to get can be initialized again for others.
   */
  init(namesJson: string, outputBudget: number, maxToolCalls: number): void
  /** Settles call `id`: resolves with the JSON `value` ("" for undefined), or rejects with an Error of message `value`. */
  settle(id: number, ok: boolean, value: string): void
  /** The result as JSON ("" for undefined); over `maxChars`, cut to fit (see cut-source.ts). Throws for what cannot cross. */
  encodeResult(value: unknown, maxChars: number): string
  /** A thrown value as the JSON of `{ name, message, stack }`. */
  describe(error: unknown): string
  /**
   * Empties the call queue: `"<binding index>\x01<argument JSON>\x01"` per call, in call order (JSON
   * text never holds a raw control character; a NUL would end the C string it crosses as).
   */
  take(): string
}

type Settlers = [resolve: (value: unknown) => void, reject: (reason: unknown) => void]

export function preludeCore(
  hostLimit: () => void,
  hostLog: (level: string, text: string) => number,
  maxArgChars: number,
  hostLib: () => string,
): PreludeApi {
  "use strict"
  // built-ins, captured before user code can replace them
  const global = globalThis
  const stringify = JSON.stringify
  const parse = JSON.parse
  const apply = Reflect.apply
  const create = Object.create
  const defineProperty = Object.defineProperty
  const freeze = Object.freeze
  const PromiseCtor = Promise
  const ErrorCtor = Error
  const TypeErrorCtor = TypeError
  const indexOf = String.prototype.indexOf
  const slice = String.prototype.slice
  const isArray = Array.isArray
  const FunctionCtor = Function

  /** Thrown by `encode` when the JSON would pass its limit. */
  const TOO_BIG = {}
  /** Settle functions of the calls not answered yet, by call id (null prototype: no user setter sees them). */
  const pending: Record<number, Settlers> = create(null)
  /** The calls not taken yet: binding index, argument JSON, … (null prototype as above). */
  let queue: Record<number, string | number> = create(null)
  let queued = 0
  let callsMade = 0
  let maxToolCalls = 0
  /** Characters of console output left (the host's answer to each log). */
  let outputBudget = 0
  let lib: PreludeLib | null = null

  const library = (): PreludeLib =>
    (lib ??= new FunctionCtor("S", "Pa", "A", "X", "Y", "E", "T", hostLib())(stringify, parse, apply, indexOf, slice, ErrorCtor, TypeErrorCtor) as PreludeLib)

  /** `value` as JSON text ("" for undefined), refusing what cannot cross; throws TOO_BIG past `maxChars`. */
  function encode(value: unknown, what: string, maxChars: number): string {
    let refusal: unknown = null
    const check = (key: string, x: unknown): unknown => {
      const type = typeof x
      if (type === "function" || type === "symbol" || type === "bigint") {
        throw (refusal = new TypeErrorCtor(what + " contains a " + type + (key === "" ? "" : " (at key " + stringify(key + "") + ")") + "; " + BOUNDARY_MESSAGE))
      }
      // a long array's JSON is at least two characters per item: refuse it before copying it
      if (type === "object" && x !== null && isArray(x) && x.length * 2 > maxChars) throw (refusal = TOO_BIG)
      return x
    }
    let json: string | undefined
    try {
      json = apply(stringify, JSON, [value, check]) as string | undefined
    } catch (error) {
      if (error === refusal) throw error
      throw library().why(error, what)
    }
    if (json !== undefined && json.length > maxChars) throw TOO_BIG
    return json === undefined ? "" : json
  }

  /** Queues a call of binding `index` (named `name`) and returns its promise. */
  function call(name: string, index: number, arg: unknown): Promise<unknown> {
    let json: string
    try {
      json = encode(arg, "the argument of codemode." + name, maxArgChars)
    } catch (error) {
      if (error === TOO_BIG) throw new TypeErrorCtor("the argument of codemode." + name + " is too large to copy (limit " + maxArgChars + " characters)")
      throw error
    }
    if (callsMade >= maxToolCalls) {
      hostLimit() // stops the run
      return new PromiseCtor(() => undefined)
    }
    const id = callsMade++
    queue[queued++] = index
    queue[queued++] = json
    return new PromiseCtor((resolve, reject) => {
      pending[id] = [resolve, reject]
    })
  }

  function binding(name: string, tool: string, index: number): (arg: unknown) => Promise<unknown> {
    const fn = (arg: unknown) => call(name, index, arg)
    defineProperty(fn, "name", { value: tool })
    return fn
  }

  function init(namesJson: string, budget: number, limit: number): void {
    const root = create(Object.prototype) as Record<string, unknown>
    const namespaces: Record<string, Record<string, unknown>> = create(null)
    const names = parse(namesJson) as string[]
    outputBudget = budget
    maxToolCalls = limit
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string
      const dot = apply(indexOf, name, ["."]) as number
      const ns = dot < 0 ? "" : (apply(slice, name, [0, dot]) as string)
      const tool = dot < 0 ? name : (apply(slice, name, [dot + 1]) as string)
      if (ns === "") {
        defineProperty(root, tool, { value: binding(name, tool, i), enumerable: true })
        continue
      }
      let target = namespaces[ns]
      if (!target) {
        target = namespaces[ns] = create(Object.prototype) as Record<string, unknown>
        defineProperty(root, ns, { value: target, enumerable: true })
      }
      defineProperty(target, tool, { value: binding(name, tool, i), enumerable: true })
    }
    for (const ns in namespaces) freeze(namespaces[ns])
    defineProperty(global, "codemode", { value: freeze(root), configurable: true })
  }

  /** A console method: plain arguments are joined here, anything else is formatted by the library. */
  function logger(level: string): (...args: unknown[]) => void {
    return function () {
      const args: unknown[] = []
      for (let i = 0; i < arguments.length; i++) args[i] = arguments[i]
      let text: string | null = ""
      for (let i = 0; i < args.length && text !== null; i++) {
        const x = args[i]
        const type = typeof x
        const plain =
          type === "string"
            ? !(i === 0 && args.length > 1 && (apply(indexOf, x, ["%"]) as number) >= 0) // a format string needs the formatter
            : (type === "number" || type === "boolean" || type === "undefined" || x === null) && !(x === 0 && 1 / (x as number) < 0) // -0 prints as -0
        if (plain) text += (i ? " " : "") + x
        else text = null
      }
      outputBudget = hostLog(level, text !== null ? text : library().formatLog(args, outputBudget > 0 ? outputBudget + 1 : 1))
    }
  }

  const console = create(Object.prototype) as Record<string, unknown>
  console.log = logger("log")
  console.info = logger("info")
  console.warn = logger("warn")
  console.error = logger("error")
  console.debug = logger("debug")
  console.trace = logger("debug")
  console.dir = (value: unknown) => {
    outputBudget = hostLog("log", library().inspect(value, { depth: 2, budget: outputBudget > 0 ? outputBudget + 1 : 1 }))
  }
  defineProperty(global, "console", { value: console, writable: true, configurable: true })

  return {
    init,
    settle(id, ok, value) {
      const settlers = pending[id]
      if (!settlers) return
      delete pending[id]
      if (ok) {
        settlers[0](value === "" ? undefined : parse(value))
        return
      }
      const error = new ErrorCtor(value)
      delete error.stack
      settlers[1](error)
    },
    encodeResult(value, maxChars) {
      try {
        return encode(value, "the result", maxChars)
      } catch (error) {
        if (error === TOO_BIG) return library().cut(value, maxChars)
        throw error
      }
    },
    describe: (error) => library().describe(error),
    take() {
      let calls = ""
      for (let k = 0; k < queued; k++) calls += queue[k] + "\x01"
      queue = create(null)
      queued = 0
      return calls
    },
  }
}
