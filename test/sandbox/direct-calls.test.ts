/**
 * The tool-call path's engine calls (direct-calls.ts): straight into the WASM module when the
 * library's internals are as expected, through the public API otherwise — the same results either way.
 */
import { getQuickJS, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from "quickjs-emscripten"
import { afterEach, describe, expect, it } from "vitest"
import { directCalls, type DirectCalls } from "../../src/sandbox/quickjs/direct-calls.js"

const open: { rt: QuickJSRuntime; ctx: QuickJSContext; handles: QuickJSHandle[]; calls: DirectCalls }[] = []
afterEach(() => {
  for (const o of open.splice(0)) {
    for (const h of o.handles) h.dispose()
    o.ctx.dispose()
    o.rt.dispose()
  }
})

async function sandbox(portable: boolean) {
  const rt = (await getQuickJS()).newRuntime()
  const ctx = rt.newContext()
  const calls = directCalls(ctx, rt, { portable })
  const o = { rt, ctx, calls, handles: [] as QuickJSHandle[] }
  open.push(o)
  const fn = (src: string) => {
    const h = ctx.unwrapResult(ctx.evalCode(src))
    o.handles.push(h)
    return h
  }
  return { ...o, fn }
}

describe("directCalls", () => {
  it("takes the direct path with the installed quickjs-emscripten (an upgrade that loses it fails here)", async () => {
    expect((await sandbox(false)).calls.direct).toBe(true)
    expect((await sandbox(true)).calls.direct).toBe(false)
  })

  for (const portable of [false, true]) {
    describe(portable ? "through the public API" : "direct", () => {
      it("calls with a number, a boolean and a string, and reports a throw", async () => {
        const { calls, fn, ctx } = await sandbox(portable)
        const record = fn("globalThis.got = []; (function (n, b, s) { got.push([n, b, s]) })")
        expect(calls.callNumberBoolString(record, 7, true, "héllo 𝄞")).toBe(true)
        expect(calls.callNumberBoolString(record, 0.5, false, "")).toBe(true)
        expect(ctx.dump(ctx.unwrapResult(ctx.evalCode("JSON.stringify(got)")))).toBe('[[7,true,"héllo 𝄞"],[0.5,false,""]]')
        expect(calls.callNumberBoolString(fn("(function () { throw new Error('no') })"), 1, true, "x")).toBe(false)
      })

      it("reads a returned string, and reports a throw", async () => {
        const { calls, fn } = await sandbox(portable)
        expect(calls.callForString(fn("(function () { return 'a\\x01b' + 'é' })"))).toBe("a\x01bé")
        expect(calls.callForString(fn("(function () { throw 1 })"))).toBeUndefined()
      })

      it("runs pending jobs and returns what escapes one; tells a pending promise from a settled one", async () => {
        const { calls, ctx, fn, rt } = await sandbox(portable)
        const pending = fn("globalThis.release = null; new Promise((r) => { release = r })")
        const chain = fn("Promise.resolve(1).then((x) => x + 1).then((x) => { globalThis.two = x })")
        expect(calls.isPending(pending)).toBe(true)
        expect(rt.hasPendingJob()).toBe(true)
        const ran = calls.executeJobs(64)
        expect(typeof ran === "number" && ran >= 2).toBe(true)
        expect(calls.isPending(chain)).toBe(false)
        expect(ctx.dump(ctx.unwrapResult(ctx.evalCode("two")))).toBe(2)
        expect(calls.executeJobs(64)).toBe(0)
        // An interrupted job ends (its promise is rejected) rather than escaping: the run's own stop
        // reason is what ends a run (sandbox-run.ts).
        const spin = fn("(async () => { await 0; for (;;) {} })()")
        let polls = 0
        rt.setInterruptHandler(() => ++polls > 2)
        expect(calls.executeJobs(64)).toBe(1)
        rt.removeInterruptHandler()
        expect(calls.isPending(spin)).toBe(false)
      })

      it("keeps working after the module's memory grew (a new heap buffer)", async () => {
        const { calls, ctx, fn } = await sandbox(portable)
        const echo = fn("(function (n, b, s) { globalThis.last = s.length + n })")
        expect(calls.callNumberBoolString(echo, 1, true, "ab")).toBe(true)
        ctx.unwrapResult(ctx.evalCode("globalThis.big = new Array(3e6).fill(1.5); 0")).dispose()
        expect(calls.callNumberBoolString(echo, 2, false, "x".repeat(100_000))).toBe(true)
        expect(ctx.dump(ctx.unwrapResult(ctx.evalCode("last")))).toBe(100_002)
        expect(calls.callForString(fn("(function () { return 'still' })"))).toBe("still")
      })
    })
  }
})
