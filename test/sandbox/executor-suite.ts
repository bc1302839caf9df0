/**
 * The conformance suite every sandbox backend runs: `testExecutor({ name, create })` checks the
 * Executor contract (src/sandbox/executor.ts) and then the security corpora (security-suite.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { DEFAULT_LIMITS, type Bindings, type Executor, type Limits, type RunOutcome } from "../../src/sandbox/executor.js"
import { testSecurityCorpus } from "./security-suite.js"

export interface ExecutorSuiteOptions {
  name: string
  create: () => Executor
  /** See SecuritySuiteOptions.memoryOverheadBytes. */
  memoryOverheadBytes: number
  /** Also run the security corpus (default true). */
  corpus?: boolean
}

const LIMITS: Limits = { ...DEFAULT_LIMITS, timeMs: 2000 }
const echo: Bindings = { "demo.echo": async (a) => a }

function failed(out: RunOutcome) {
  if (out.ok) throw new Error(`expected a failed run, got ${JSON.stringify(out.value)}`)
  return out.error
}

export function testExecutor(options: ExecutorSuiteOptions): void {
  describe(`${options.name}: executor contract`, () => {
    let ex: Executor
    const run = (js: string, bindings: Bindings = echo, limits: Partial<Limits> = {}, signal?: AbortSignal) =>
      ex.run(js, bindings, { ...LIMITS, ...limits }, signal)
    beforeAll(() => {
      ex = options.create()
    })
    afterAll(() => ex.dispose())

    describe("running code", () => {
      it("runs the code as an async function body with top-level await and return", async () => {
        const out = await run("const a = await Promise.resolve(20); return a + 22")
        expect(out).toMatchObject({ ok: true, value: 42 })
        expect(out.stats.durationMs).toBeGreaterThan(0)
      })
      it("returns undefined when the code returns nothing", async () => {
        expect(await run("1 + 1")).toMatchObject({ ok: true, value: undefined })
      })
      it("gives every run a fresh context", async () => {
        await run("globalThis.leak = 1; Object.prototype.polluted = 2")
        expect(await run("return [typeof leak, ({}).polluted]")).toMatchObject({ ok: true, value: ["undefined", null] })
      })
      it("has no timers, fetch, require, process or import()", async () => {
        const out = await run(`
          const names = ["setTimeout", "setInterval", "fetch", "require", "process", "module", "Buffer", "WebAssembly"]
          const found = names.filter((n) => typeof globalThis[n] !== "undefined")
          let imported = false
          try { await import("node:fs"); imported = true } catch {}
          return { found, imported }`)
        expect(out).toMatchObject({ ok: true, value: { found: [], imported: false } })
      })
      it("runs many runs concurrently without mixing them up", async () => {
        const outs = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            run(`let s = 0; for (let k = 0; k < 5; k++) s += (await codemode.demo.echo({ v: ${i} })).v; return s`),
          ),
        )
        expect(outs.map((o) => (o.ok ? o.value : o.error.message))).toEqual(Array.from({ length: 24 }, (_, i) => i * 5))
      })
    })

    describe("bindings", () => {
      it("exposes bindings as codemode.<ns>.<tool> returning promises, with arguments and results copied", async () => {
        const seen: unknown[] = []
        const bindings: Bindings = {
          "math.add": async (a) => {
            seen.push(a)
            const { x, y } = a as { x: number; y: number }
            return { sum: x + y, list: [x, y] }
          },
          "text.upper": async (a) => String(a).toUpperCase(),
        }
        const out = await run(
          `const arg = { x: 2, y: 3 }
           const p = codemode.math.add(arg)
           arg.x = 100
           const r = await p
           r.list.push(9)
           return [p instanceof Promise, r, await codemode.text.upper("hi"), Object.keys(codemode).sort()]`,
          bindings,
        )
        expect(out).toMatchObject({ ok: true, value: [true, { sum: 5, list: [2, 3, 9] }, "HI", ["math", "text"]] })
        expect(seen).toEqual([{ x: 2, y: 3 }])
        expect(out.stats.toolCalls).toBe(2)
      })
      it("turns host errors into plain sandbox Errors with only the message", async () => {
        const bindings: Bindings = {
          "demo.fail": async () => {
            throw new Error("boom at /home/someone/secret.ts")
          },
        }
        const out = await run(
          `try { await codemode.demo.fail({}) } catch (e) {
             return { isError: e instanceof Error, message: e.message, hostFrames: /\\.ts:|node:|file:/.test(String(e.stack)) }
           }`,
          bindings,
        )
        expect(out).toMatchObject({ ok: true, value: { isError: true, message: "boom at /home/someone/secret.ts", hostFrames: false } })
      })
      it("rejects non-JSON arguments with a clear sandbox error", async () => {
        const out = await run(`
          const cyclic = {}; cyclic.self = cyclic
          const results = []
          for (const v of [{ f() {} }, { s: Symbol("x") }, { b: 10n }, cyclic]) {
            try { await codemode.demo.echo(v); results.push("accepted") } catch (e) { results.push((e instanceof TypeError) + " " + e.message) }
          }
          return results`)
        expect(out.ok).toBe(true)
        const messages = (out.ok ? out.value : []) as string[]
        expect(messages[0]).toMatch(/^true the argument of codemode\.demo\.echo contains a function \(at key "f"\); only JSON data/)
        expect(messages[1]).toMatch(/contains a symbol/)
        expect(messages[2]).toMatch(/contains a bigint/)
        expect(messages[3]).toMatch(/contains a cycle/)
      })
      it("rejects non-JSON tool results with a clear sandbox error", async () => {
        const cyclic: Record<string, unknown> = {}
        cyclic.self = cyclic
        const bindings: Bindings = {
          "bad.fn": async () => ({ f: () => 1 }),
          "bad.cycle": async () => cyclic,
          "bad.big": async () => ({ n: 1n }),
        }
        const out = await run(
          `const r = []
           for (const t of ["fn", "cycle", "big"]) { try { await codemode.bad[t]({}); r.push("accepted") } catch (e) { r.push(e.message) } }
           return r`,
          bindings,
        )
        expect(out).toMatchObject({
          ok: true,
          value: [expect.stringMatching(/function/), expect.stringMatching(/cycle/), expect.stringMatching(/bigint/)],
        })
      })
      it("exposes tools named like Object.prototype members as plain functions", async () => {
        const bindings: Bindings = { "__proto__.constructor": async () => 1, "ns.__proto__": async () => 2, "ns.toString": async () => 3 }
        const out = await run(
          `return [await codemode["__proto__"].constructor(), await codemode.ns["__proto__"](), await codemode.ns.toString(),
                   Object.getPrototypeOf(codemode) === Object.prototype]`,
          bindings,
        )
        expect(out).toMatchObject({ ok: true, value: [1, 2, 3, true] })
      })
      it("keeps an own __proto__ key as data", async () => {
        const out = await run(`const r = await codemode.demo.echo(JSON.parse('{"__proto__": {"x": 1}}'))
          return [Object.getPrototypeOf(r) === Object.prototype, Object.keys(r), ({}).x]`)
        expect(out).toMatchObject({ ok: true, value: [true, ["__proto__"], null] })
      })
    })

    describe("console", () => {
      it("captures levels and formats values like util.inspect", async () => {
        const out = await run(`
          console.log("text", 1, true, null, undefined)
          console.info({ a: 1, b: "x", c: [1, 2, { d: 3 }], e: { f: { g: { h: 1 } } } })
          console.warn(new Map([["k", 1]]), new Set([1, 2]), [1, , 3])
          console.error(new TypeError("bad"))
          console.debug("%s is %d", "n", 42, { z: 1 })
          const cyc = { name: "c" }; cyc.self = cyc
          console.log(cyc, function named() {}, Symbol("s"), 12n, -0, new Date(0), /re/g)
          console.log(Object.create(null), new (class Point { constructor() { this.x = 1 } })())`)
        expect(out.ok).toBe(true)
        const lines = out.logs.map((l) => `${l.level}: ${l.message}`)
        expect(lines[0]).toBe("log: text 1 true null undefined")
        expect(lines[1]).toBe("info: { a: 1, b: 'x', c: [ 1, 2, { d: 3 } ], e: { f: { g: [Object] } } }")
        expect(lines[2]).toBe("warn: Map(1) { 'k' => 1 } Set(2) { 1, 2 } [ 1, <1 empty item>, 3 ]")
        expect(lines[3]).toMatch(/^error: TypeError: bad/)
        expect(lines[4]).toBe("debug: n is 42 { z: 1 }")
        expect(lines[5]).toBe("log: { name: 'c', self: [Circular] } [Function: named] Symbol(s) 12n -0 1970-01-01T00:00:00.000Z /re/g")
        expect(lines[6]).toBe("log: [Object: null prototype] {} Point { x: 1 }")
        expect(out.logs.some((l) => l.message.includes("[object Object]"))).toBe(false)
      })
      it("never runs getters while formatting", async () => {
        const out = await run(`let called = false
          console.log({ get g() { called = true; return 1 } })
          return called`)
        expect(out).toMatchObject({ ok: true, value: false, logs: [{ message: "{ g: [Getter] }" }] })
      })
      it("keeps the logs of a run that fails", async () => {
        const out = await run(`console.log("before"); throw new Error("after")`)
        expect(out).toMatchObject({ ok: false, logs: [{ level: "log", message: "before" }] })
      })
    })

    describe("errors", () => {
      it("reports syntax errors with line and column in the given code", async () => {
        const err = failed(await run("const a = 1\nconst b = 2\n  a b"))
        expect(err).toMatchObject({ kind: "syntax", line: 3, column: 5 })
        expect(err.message).toMatch(/SyntaxError/)
      })
      it("reports runtime errors with line and column (line 1 not shifted by the wrapper)", async () => {
        // Engines point at slightly different tokens of the failing expression; accept that span.
        const first = failed(await run("undefinedFn()"))
        expect(first).toMatchObject({ kind: "runtime", line: 1 })
        expect(first.column).toBeGreaterThanOrEqual(1)
        expect(first.column).toBeLessThanOrEqual(12)
        const err = failed(await run("const o = {}\n\nawait 1; o.missing()"))
        expect(err).toMatchObject({ kind: "runtime", line: 3 })
        expect(err.column).toBeGreaterThanOrEqual(10)
        expect(err.column).toBeLessThanOrEqual(20)
        expect(err.message).toMatch(/^TypeError: /)
        expect(err.stack).toMatch(/code\.js:3:\d+/)
      })
      it("describes thrown non-errors", async () => {
        expect(failed(await run('throw "plain"'))).toMatchObject({ kind: "runtime", message: "Uncaught plain" })
        expect(failed(await run("throw { code: 7 }"))).toMatchObject({ kind: "runtime", message: "Uncaught { code: 7 }" })
      })
    })

    describe("limits", () => {
      const limitCases: [string, string, Partial<Limits>, string, string][] = [
        ["a synchronous loop", "for (;;) {}", { timeMs: 300 }, "timeout", "timeMs"],
        ["a loop after await", "await codemode.demo.echo(1); for (;;) {}", { timeMs: 300 }, "timeout", "timeMs"],
        ["a microtask loop", "await new Promise(() => { (function s() { Promise.resolve().then(s) })() })", { timeMs: 300 }, "timeout", "timeMs"],
        ["waiting forever", "await new Promise(() => {})", { timeMs: 300 }, "timeout", "timeMs"],
        ["a heap bomb", "const k = []; for (;;) k.push(new Array(1e5).fill(1.5))", { memoryBytes: 16 << 20 }, "memory", "memoryBytes"],
        ["deep recursion", "function f(n) { return f(n + 1) + 1 } return f(0)", {}, "stack", "stackBytes"],
        ["too many tool calls", "for (;;) await codemode.demo.echo({})", { maxToolCalls: 5 }, "limit", "maxToolCalls"],
        ["too many tool calls, errors swallowed", "for (;;) { try { await codemode.demo.echo({}) } catch {} }", { maxToolCalls: 5 }, "limit", "maxToolCalls"],
        ["too much output", "for (;;) console.log('x'.repeat(100))", { maxOutputBytes: 1000 }, "limit", "maxOutputBytes"],
        ["too big a result", "return 'x'.repeat(2000)", { maxResultBytes: 1000 }, "limit", "maxResultBytes"],
        ["too big a result (array)", "const a = []; a.length = 2 ** 32 - 1; return a", { maxResultBytes: 1000 }, "limit", "maxResultBytes"],
      ]
      for (const [what, js, limits, kind, name] of limitCases) {
        it(`ends ${what} with kind ${kind} naming limits.${name}`, async () => {
          const all = { ...LIMITS, ...limits }
          const out = await run(js, echo, limits)
          const err = failed(out)
          expect(err.kind).toBe(kind)
          expect(err.limit).toEqual({ name, value: all[name as keyof Limits] })
          expect(err.message).toContain(`limits.${name} = ${all[name as keyof Limits]}`)
        })
      }
      it("keeps the output within maxOutputBytes", async () => {
        const out = await run("for (let i = 0; i < 100; i++) console.log('x'.repeat(99))", echo, { maxOutputBytes: 1000 })
        expect(out.logs.reduce((n, l) => n + l.message.length + 1, 0)).toBeLessThanOrEqual(1000)
      })
      it("runs getters and toJSON during copy under the time limit", async () => {
        const err = failed(await run("return { toJSON() { for (;;) {} } }", echo, { timeMs: 300 }))
        expect(err.kind).toBe("timeout")
      })
    })

    describe("cancellation and lifecycle", () => {
      it("cancels a running loop with an AbortSignal", async () => {
        const ac = new AbortController()
        const pending = run("for (;;) {}", echo, { timeMs: 10_000 }, ac.signal)
        setTimeout(() => ac.abort(), 100)
        const out = await pending
        expect(failed(out).kind).toBe("aborted")
        expect(out.stats.durationMs).toBeLessThan(5_000)
      })
      it("returns aborted at once for an already aborted signal", async () => {
        const ac = new AbortController()
        ac.abort()
        expect(failed(await run("return 1", echo, {}, ac.signal)).kind).toBe("aborted")
      })
      it("works after limit errors", async () => {
        await run("for (;;) {}", echo, { timeMs: 200 })
        expect(await run("return (await codemode.demo.echo({ n: 1 })).n + 1")).toMatchObject({ ok: true, value: 2 })
      })
      it("rejects run() after dispose with a CLOSED error", async () => {
        const own = options.create()
        await own.dispose()
        await own.dispose()
        const err = await own.run("return 1", echo, LIMITS).catch((e: unknown) => e)
        expect(CodeModeError.is(err, "CLOSED")).toBe(true)
      })
    })
  })

  if (options.corpus !== false) {
    testSecurityCorpus({ name: options.name, create: options.create, memoryOverheadBytes: options.memoryOverheadBytes })
  }
}
