/**
 * Replayable runs (executor.ts `Determinism`) on the real QuickJS executor: the seeded Math.random,
 * the recorded and replayed clock, results delivered one at a time, payloads that try to abuse the
 * machinery (read or replace a run's recorded clock, reach the host through Date), and the escape
 * corpus again in deterministic runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CodeModeError } from "../../src/errors.js"
import { DEFAULT_LIMITS, type Bindings, type Determinism, type Executor, type Limits, type RunOutcome } from "../../src/sandbox/executor.js"
import { workerToHost } from "../../src/sandbox/quickjs/codec.js"
import { expandRuns, installDeterminism, runLengths } from "../../src/sandbox/quickjs/determinism.js"
import { quickjs } from "../../src/sandbox/quickjs/index.js"
import { corpusPlan, loadPayloads, runPayload } from "./corpus.js"
import type { PreparedSandbox } from "../../src/sandbox/quickjs/prepared.js"
import { createSpares, type SpareRequest } from "../../src/sandbox/quickjs/spares.js"
import { createModulePool } from "../../src/sandbox/quickjs/wasm-modules.js"

const LIMITS: Limits = { ...DEFAULT_LIMITS, timeMs: 5000 }
const echo: Bindings = { "t.echo": async (a) => a }

/** Determinism whose reads are collected in `reads` (and in `events`, if given, as ["clock", …]). */
function recorder(seed: number, clock: number[] = [], events?: unknown[][]): Determinism & { reads: number[] } {
  const reads: number[] = []
  return {
    seed,
    clock,
    reads,
    onClock(batch) {
      reads.push(...batch)
      events?.push(["clock", ...batch])
    },
  }
}

function value(out: RunOutcome): unknown {
  if (!out.ok) throw new Error(`the run failed: ${out.error.kind}: ${out.error.message}`)
  return out.value
}

const RANDOMS = "const r = []; for (let i = 0; i < 20; i++) r.push(Math.random()); return r"

describe("quickjs: deterministic runs", () => {
  let ex: Executor
  const run = (js: string, det?: Determinism, bindings: Bindings = echo, limits: Partial<Limits> = {}) => ex.run(js, bindings, { ...LIMITS, ...limits }, undefined, det)
  beforeAll(async () => {
    ex = quickjs({ poolSize: 1 })
    await ex.run("return 1", echo, LIMITS)
  })
  afterAll(() => ex.dispose())

  describe("Math.random", () => {
    it("is a PRNG of the seed: the same seed gives the same sequence, another seed another", async () => {
      const a = (await run(RANDOMS, recorder(42)).then(value)) as number[]
      const b = (await run(RANDOMS, recorder(42)).then(value)) as number[]
      const c = (await run(RANDOMS, recorder(43)).then(value)) as number[]
      const d = (await run(RANDOMS, recorder(0xffffffff)).then(value)) as number[]
      expect(a).toEqual(b)
      expect(c).not.toEqual(a)
      expect(d).not.toEqual(a)
      for (const x of [...a, ...c, ...d]) expect(x >= 0 && x < 1).toBe(true)
      expect(new Set(a).size).toBe(a.length)
    })

    it("stays native without determinism: runs differ from each other and from any seeded run", async () => {
      const seeded = await run(RANDOMS, recorder(42)).then(value)
      const a = await run(RANDOMS).then(value)
      const b = await run(RANDOMS).then(value)
      expect(a).not.toEqual(b)
      expect(a).not.toEqual(seeded)
    })
  })

  describe("the clock", () => {
    it("reports reads through onClock in order, before the binding of the call after them, and the last ones before the outcome", async () => {
      const events: unknown[][] = []
      const det = recorder(1, [], events)
      const bindings: Bindings = {
        "t.first": async () => void events.push(["call", "first"]),
        "t.second": async () => void events.push(["call", "second"]),
      }
      const js = `
        const a = Date.now()
        await codemode.t.first()
        const b = Date.now(), c = new Date().getTime()
        await codemode.t.second()
        const d = Date.now()
        return { times: [a, b, c, d], toJSON() { return { times: this.times, e: Date.now() } } }`
      const before = Date.now()
      const out = await ex.run(js, bindings, LIMITS, undefined, det).then((o) => (events.push(["done"]), o))
      const { times, e } = value(out) as { times: number[]; e: number }
      const [a, b, c, d] = times
      expect(events).toEqual([["clock", a], ["call", "first"], ["clock", b, c], ["call", "second"], ["clock", d, e], ["done"]])
      expect(det.reads).toEqual([a, b, c, d, e])
      for (const t of det.reads) expect(t).toBeGreaterThanOrEqual(before)
      expect(det.reads).toEqual([...det.reads].sort((x, y) => x - y))
    })

    it("reports reads made in a tool-call loop before each call (whichever carrier, port or ring, takes each message)", async () => {
      const events: unknown[][] = []
      const det = recorder(1, [], events)
      const bindings: Bindings = { "t.echo": async (n) => (events.push(["call", n]), n) }
      const js = "const seen = []; for (let i = 0; i < 300; i++) { seen.push(Date.now()); await codemode.t.echo(i) } return seen"
      const seen = (await run(js, det, bindings).then(value)) as number[]
      expect(det.reads).toEqual(seen)
      // Each call's read arrived before the call (runs of equal reads may be reported together).
      let reported = 0
      for (const ev of events) {
        if (ev[0] === "clock") reported += ev.length - 1
        else expect(reported).toBeGreaterThan(ev[1] as number)
      }
    })

    it("reports the reads of a run that fails, and of a run stopped by its time limit", async () => {
      const failing = recorder(1)
      const out = await run("const t = Date.now(); throw new Error('boom ' + t)", failing)
      expect(out.ok).toBe(false)
      expect(failing.reads).toHaveLength(1)
      if (!out.ok) expect(out.error.message).toContain(String(failing.reads[0]))

      const busy = recorder(1)
      const before = Date.now()
      const stopped = await run("let n = 0; for (;;) { Date.now(); n++ }", busy, echo, { timeMs: 300 })
      expect(stopped).toMatchObject({ ok: false, error: { kind: "timeout" } })
      // Millions of reads of a few hundred distinct milliseconds: run-length encoded in transit.
      expect(busy.reads.length).toBeGreaterThan(1000)
      expect(busy.reads[0]).toBeGreaterThanOrEqual(before)
      expect(busy.reads.at(-1)).toBeLessThanOrEqual(Date.now())
      expect(value(await run("return 2"))).toBe(2)
    })

    it("replays a run's reads exactly (Date.now, new Date, Date()), then gives the real time", async () => {
      const js = `
        const v = [Date.now(), new Date().toISOString(), Date(), new Date().getTime(), Math.random()]
        await codemode.t.echo(1)
        v.push(Date.now(), String(new Date()))
        return v`
      const first = recorder(7)
      const a = value(await run(js, first))
      expect(first.reads).toHaveLength(6)
      const second = recorder(7, [...first.reads])
      expect(value(await run(js, second))).toEqual(a)
      expect(second.reads).toEqual([])

      // One read more than the clock holds: the extra one is the real time, and it is reported.
      const third = recorder(7, first.reads.slice(0, 5))
      const before = Date.now()
      const b = (await run(js, third).then(value)) as unknown[]
      expect(b.slice(0, 6)).toEqual((a as unknown[]).slice(0, 6))
      expect(third.reads).toHaveLength(1)
      expect(third.reads[0]).toBeGreaterThanOrEqual(before)
      expect(Date.parse(b[6] as string)).toBe(Math.floor((third.reads[0] as number) / 1000) * 1000)
    })

    it("replays a clock of arbitrary values, repeated values included, in order", async () => {
      const clock = [5, 5, 5, 0, -1000, 1e12, 1e12, 8.64e15]
      const out = await run("const v = []; for (let i = 0; i < 8; i++) v.push(Date.now()); return v", recorder(1, clock))
      expect(value(out)).toEqual(clock)
    })

    it("keeps Date a faithful Date", async () => {
      const js = `
        class D extends Date { twice() { return this.getTime() * 2 } }
        const d = new D(), e = new D(2020, 0, 1)
        const desc = (o, k) => { const x = Object.getOwnPropertyDescriptor(o, k); return [x.writable, x.enumerable, x.configurable] }
        return {
          ctor: new Date(2020, 0, 1).getMonth() + "/" + new Date(2020, 0, 1).getFullYear(),
          one: new Date(86400000).toISOString(), str: new Date("2020-02-03T04:05:06Z").getTime(), invalid: String(new Date(undefined)),
          utc: Date.UTC(2020, 0, 1), parse: Date.parse("2020-01-01T00:00:00Z"),
          instance: new Date() instanceof Date, proto: Object.getPrototypeOf(new Date()) === Date.prototype,
          constructor: Date.prototype.constructor === Date, instanceCtor: new Date().constructor === Date,
          name: Date.name, length: Date.length, typeofCall: typeof Date(), typeofCallArgs: typeof Date(0),
          source: Date.toString(), nowSource: Date.now.toString(), nowName: Date.now.name, nowLength: Date.now.length,
          randomName: Math.random.name, randomLength: Math.random.length,
          sub: [d instanceof D, d instanceof Date, e.getFullYear(), new D(3).twice(), D.now === Date.now, Object.getPrototypeOf(D) === Date],
          own: Reflect.ownKeys(Date).map(String), protoDesc: desc(Date, "prototype"), nowDesc: desc(Date, "now"), globalDesc: desc(globalThis, "Date"),
          randomDesc: desc(Math, "random"), ctorDesc: desc(Date.prototype, "constructor"),
          notConstructible: (() => { try { new Date.now(); return false } catch (x) { return x instanceof TypeError } })(),
          reflect: Reflect.construct(Date, [0]).getTime(), reflectTarget: Reflect.construct(Date, [], D) instanceof D,
          call: [typeof Date.call(null, 0), typeof Date.apply(null, [])],
        }`
      const native = value(await run(js))
      const det = value(await run(js, recorder(3, [1e12, 1e12, 1e12, 1e12, 1e12, 1e12, 1e12, 1e12, 1e12, 1e12, 1e12])))
      expect(det).toEqual(native)
      expect(native).toMatchObject({ instance: true, proto: true, constructor: true, name: "Date", length: 7, typeofCall: "string", source: "function Date() {\n    [native code]\n}" })
      expect((native as { sub: unknown[] }).sub).toEqual([true, true, 2020, 6, true, true])
    })

    it("uses the clock for a subclass constructed without arguments", async () => {
      expect(value(await run("class D extends Date {}; return [new D().getTime(), new D(9).getTime(), D.now()]", recorder(1, [111, 222])))).toEqual([111, 9, 222])
    })

    it("leaves Date alone without determinism, also on the spare prepared after a deterministic run", async () => {
      await run("return Date.now()", recorder(1, [1, 2, 3]))
      await new Promise((r) => setTimeout(r, 20)) // the spare is prepared while the worker rests
      const before = Date.now()
      const [now, made, called] = (await run("return [Date.now(), new Date().getTime(), Date()]").then(value)) as [number, number, string]
      expect(now).toBeGreaterThanOrEqual(before)
      expect(made).toBeGreaterThanOrEqual(now)
      expect(made).toBeLessThanOrEqual(Date.now())
      expect(called).toMatch(/^\w{3} \w{3} \d\d \d{4} /)
    })
  })

  describe("tool results, one at a time", () => {
    // `a` resolves first; `b`'s continuation reads after one await a flag `a`'s sets after two.
    // Delivered together, both continuations interleave and `b` sees "unset"; delivered one at a
    // time, `a`'s runs to its end first and `b` sees "a". `z` resolves first of all, so that `a`
    // and `b`, settling in the host's next microtasks, travel together in one message.
    const js = `
      let flag = "unset"
      const z = codemode.t.z()
      const a = codemode.t.a().then(async () => { await null; await null; flag = "a" })
      const b = codemode.t.b().then(async () => { await null; return flag })
      const [, , seen] = await Promise.all([z, a, b])
      return seen`
    const sameTick: Bindings = { "t.z": async () => 0, "t.a": async () => 1, "t.b": async () => 2 }
    const separateTicks: Bindings = { ...sameTick, "t.b": () => new Promise((r) => setTimeout(() => r(2), 30)) }

    it("gives the same answer whether the host resolves two results in the same tick or in separate ones", async () => {
      const together = value(await run(js, recorder(1), sameTick))
      const apart = value(await run(js, recorder(1), separateTicks))
      expect(together).toBe("a")
      expect(apart).toBe("a")
    })

    it("(without determinism the batch is delivered at once, which is what makes the difference)", async () => {
      expect(value(await run(js, undefined, separateTicks))).toBe("a")
      expect(value(await run(js, undefined, sameTick))).toBe("unset")
    })

    it("ends the run when its promise settles between two results of one batch", async () => {
      const out = await run("const z = codemode.t.z(), a = codemode.t.a(), b = codemode.t.b(); await z; await a; return 'done'", recorder(1), sameTick)
      expect(out).toMatchObject({ ok: true, value: "done", stats: { toolCalls: 3 } })
    })
  })

  describe("arguments and failures", () => {
    it("rejects bad determinism options with CONFIG_INVALID", async () => {
      const ok = recorder(1)
      for (const bad of [
        { ...ok, seed: -1 },
        { ...ok, seed: 2 ** 32 },
        { ...ok, seed: 1.5 },
        { ...ok, clock: [1, Number.NaN] },
        { ...ok, clock: [1, , 3] as number[] }, // a hole
        { ...ok, clock: "1" as unknown as number[] },
        { ...ok, onClock: undefined as unknown as Determinism["onClock"] },
      ]) {
        const err = await run("return 1", bad).catch((e: unknown) => e)
        expect(CodeModeError.is(err, "CONFIG_INVALID"), String(err)).toBe(true)
      }
    })

    it("stops a run whose onClock throws, without calling the binding after the reads, and keeps serving", async () => {
      let called = false
      const det: Determinism = { seed: 1, clock: [], onClock: () => { throw new Error("disk full at /secret/path") } }
      const out = await run("Date.now(); await codemode.t.a(); return 1", det, { "t.a": async () => void (called = true) })
      expect(out).toMatchObject({ ok: false, error: { kind: "runtime" } })
      if (!out.ok) expect(out.error.message).not.toContain("/secret/path")
      expect(called).toBe(false)
      expect(value(await run("return 2"))).toBe(2)
    })

    it("keeps concurrent runs' clocks and seeds apart", async () => {
      const js = "const v = [Date.now(), Math.random()]; await codemode.t.echo(1); v.push(Date.now(), Math.random()); return v"
      const dets = [recorder(1, [10, 11]), recorder(2, [20, 21]), recorder(1, [30, 31])]
      const outs = (await Promise.all([...dets.map((d) => run(js, d)), run(js)])).map(value) as number[][]
      expect(outs.slice(0, 3).map((v) => [v[0], v[2]])).toEqual([[10, 11], [20, 21], [30, 31]])
      expect([outs[0]?.[1], outs[0]?.[3]]).toEqual([outs[2]?.[1], outs[2]?.[3]])
      expect(outs[1]?.[1]).not.toBe(outs[0]?.[1])
      for (const d of dets) expect(d.reads).toEqual([])
    })
  })

  describe("abuse", () => {
    it("cannot find the replayed clock or the recorded reads anywhere it can reach", async () => {
      // Walks everything reachable from globalThis (own keys, prototypes, functions' properties;
      // getters are not called) looking for the clock values not yet read, or the reads made.
      const js = `
        const first = Date.now(), read = Date.now()
        const seen = new Set(), found = []
        const walk = (v, path, depth) => {
          if (v === 777777 || v === 888888 || v === read) found.push(path)
          if ((typeof v !== "object" && typeof v !== "function") || v === null || seen.has(v) || depth > 6) return
          seen.add(v)
          let keys = []
          try { keys = Reflect.ownKeys(v) } catch {}
          for (const k of keys) {
            let d
            try { d = Reflect.getOwnPropertyDescriptor(v, k) } catch { continue }
            if (d && "value" in d) walk(d.value, path + "." + String(k), depth + 1)
          }
          try { walk(Reflect.getPrototypeOf(v), path + ".__proto__", depth + 1) } catch {}
        }
        walk(globalThis, "globalThis", 0)
        for (const f of [Date, Date.now, Math.random]) {
          for (const k of ["caller", "arguments"]) { try { walk(f[k], "fn." + k, 0) } catch {} }
          try { walk(Reflect.apply(Function.prototype.toString, f, []), "source", 0) } catch {}
        }
        return { first, found }`
      const det = recorder(1, [555555, 666666, 777777, 888888])
      expect(value(await run(js, det))).toEqual({ first: 555555, found: [] })
    })

    it("cannot intercept or replace the recording through prototypes, built-ins or the globals it overwrites", async () => {
      // Setters and getters on every prototype a lookup of the installer's could reach, proxy traps
      // inherited by any handler object, and built-ins replaced after it was installed.
      const js = `
        let log = ""
        for (const proto of [Object.prototype, Array.prototype, Function.prototype]) {
          for (let i = -1; i < 8; i++) Object.defineProperty(proto, i, { set(v) { log += "set" + i + ";" }, get() { log += "get" + i + ";" }, configurable: true })
        }
        Object.defineProperty(Object.prototype, "length", { set(v) { log += "setlength;" }, get() { log += "getlength;" }, configurable: true })
        for (const trap of ["get", "set", "has", "apply", "construct", "ownKeys", "getOwnPropertyDescriptor", "defineProperty", "deleteProperty", "getPrototypeOf", "setPrototypeOf", "isExtensible", "preventExtensions"]) {
          Object.prototype[trap] = function (target) { globalThis.stolen = target; log += "trap:" + trap + ";" }
        }
        Reflect.construct = Reflect.apply = JSON.parse = Object.create = () => { log += "builtin;" }
        globalThis.Proxy = function () { log += "proxy;" }
        Function.prototype.call = Function.prototype.apply = function () { log += "fn;" }
        Date.prototype.toString = () => "mine"
        const v = [Date.now(), new Date().getTime(), Date(), Math.random()]
        const statics = [Date.UTC(2020, 0, 1), Date.parse("2020-01-01T00:00:00Z"), "now" in Date, Reflect.ownKeys(Date).length, Object.getPrototypeOf(Date) === Function.prototype, new (class extends Date {})(5).getTime()]
        Date.now = () => 1
        Math.random = () => 0.5
        const mine = [Date.now(), Math.random(), new Date().getTime()]
        globalThis.Date = function Date() { return "fake" }
        await codemode.t.echo(1)
        return { v, statics, mine, log, stolen: typeof globalThis.stolen }`
      const det = recorder(9, [100, 200, 300])
      const out = (await run(js, det).then(value)) as { v: unknown[]; statics: unknown[]; mine: unknown[]; log: string; stolen: string }
      expect(out.log).toBe("")
      expect(out.stolen).toBe("undefined")
      expect(out.v.slice(0, 2)).toEqual([100, 200])
      expect(out.v[2]).toMatch(/^Thu Jan 01 1970/)
      expect(out.statics).toEqual([1577836800000, 1577836800000, true, 6, true, 5])
      expect(out.mine.slice(0, 2)).toEqual([1, 0.5])
      // Only the one read past the clock (`new Date()` after Date.now was replaced) is reported.
      expect(det.reads).toEqual([out.mine[2]])
      const again = (await run(js, recorder(9, [100, 200, 300])).then(value)) as { v: unknown[] }
      expect(again.v[3]).toBe(out.v[3])
    })

    it("reaches no host function through Date, Date.now or Math.random", async () => {
      const js = `
        const out = []
        for (const f of [Date, Date.now, Math.random, Date.prototype.constructor, Object.getPrototypeOf(new Date()).constructor]) {
          const F = f.constructor
          out.push(F("return typeof process + typeof require + typeof globalThis.__host")())
          out.push(typeof F("return this")().process)
        }
        // Traps are called with the handler as 'this': a function as newTarget or receiver sees none.
        let got = []
        const spy = new Proxy(function () {}, { get(t, k, r) { got.push(typeof r, String(k)); return Reflect.get(t, k) } })
        Reflect.construct(Date, [], spy)
        Reflect.construct(Date, [1], spy)
        try { Date.now.call(spy) } catch {}
        try { new (class extends Date { constructor() { super(); got.push(typeof new.target) } })() } catch {}
        let stack = ""
        try { Reflect.construct(Date, [], 1) } catch (e) { stack = String(e.stack) }
        return { out, got, stack }`
      const det = recorder(1)
      const r = (await run(js, det).then(value)) as { out: string[]; got: string[]; stack: string }
      expect(new Set(r.out)).toEqual(new Set(["undefinedundefinedundefined", "undefined"]))
      expect(r.got).toEqual(["function", "prototype", "function", "prototype", "function"])
      expect(r.stack).not.toMatch(/node:|\/work\/|file:/)
    })
  })
})

describe("quickjs: the escape corpus in deterministic runs", () => {
  // The escape payloads of every corpus (the project's own, and ../shared/security when it is beside
  // the repository) again, with Date, Math.random and the one-at-a-time delivery in place: still no
  // escape. (Host responsiveness is the main corpus's to judge.)
  let ex: Executor
  let deterministic: Executor
  beforeAll(() => {
    ex = quickjs()
    deterministic = { name: ex.name, run: (js, b, l, s) => ex.run(js, b, l, s, recorder(1)), dispose: () => ex.dispose() }
  })
  afterAll(() => ex.dispose())
  for (const payload of corpusPlan().corpora.flatMap((corpus) => loadPayloads(corpus, "escape"))) {
    it(`${payload.file} (${payload.expect}): ${payload.name}`, async () => {
      const seen = await runPayload(deterministic, payload)
      const summary = JSON.stringify(seen.outcome).slice(0, 600)
      expect(JSON.stringify(seen.outcome).includes(seen.canary), `canary leaked into the outcome: ${summary}`).toBe(false)
      expect(seen.hostOutput.includes(seen.canary), "canary leaked to host stdout/stderr").toBe(false)
      expect(seen.markerExists, "the marker file was written").toBe(false)
      if (payload.expect === "clean") expect(seen.outcome, summary).toMatchObject({ ok: true, value: "clean" })
    })
  }
})

describe("determinism: spares", () => {
  const MiB = 1024 * 1024
  const req = (deterministic: boolean): SpareRequest => ({ memoryBytes: 16 * MiB, names: ["t.echo"], outputBudget: MiB, maxToolCalls: 10, deterministic })
  const evalNumber = (sb: PreparedSandbox, js: string) => sb.ctx.dump(sb.ctx.unwrapResult(sb.ctx.evalCode(js))) as unknown

  it("compiles the installer ahead after a deterministic run, without installing anything; none after another run", async () => {
    const modules = createModulePool({ slackBytes: 16 * MiB, retireBytes: 48 * MiB })
    const spares = createSpares(modules, MiB, req(false), () => true)
    const next = async () => {
      for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r))
      const sb = spares.take(req(false))
      if (sb instanceof Promise) throw new Error("no spare was prepared")
      return sb
    }
    await (spares.take(req(true)) as Promise<PreparedSandbox>) // a deterministic run took a new sandbox
    spares.refillSoon()
    const after = await next()
    expect(after.installer).toBeDefined()
    // Not called: Date and Math.random are the natives, Date.now() the real time.
    expect(evalNumber(after, "Date.now()")).toBeGreaterThan(Date.now() - 1000)
    expect(evalNumber(after, "Date.now === Object.getOwnPropertyDescriptor(globalThis, 'Date').value.now")).toBe(true)
    const take = installDeterminism(after, { seed: 5, clock: [42, 1] })
    expect(evalNumber(after, "Date.now()")).toBe(42)
    take.dispose()
    spares.refillSoon()
    const plain = await next()
    expect(plain.installer).toBeUndefined()
  })
})

describe("determinism: transport of clock values", () => {
  it("run-length encodes values and expands them back in order, in bounded chunks", () => {
    const values = [1, 1, 1, 2, 3, 3, 1, -5, 0.5, 0.5]
    expect(runLengths(values)).toEqual([1, 3, 2, 1, 3, 2, 1, 1, -5, 1, 0.5, 2])
    expect(runLengths([])).toEqual([])
    const chunks: number[][] = []
    expandRuns(runLengths(values), (c) => chunks.push(c))
    expect(chunks.flat()).toEqual(values)
    const many: number[][] = []
    expandRuns([7, 100_000, 8, 1], (c) => many.push(c))
    expect(many.flat()).toHaveLength(100_001)
    for (const c of many) expect(c.length).toBeLessThanOrEqual(8192)
  })

  it("carries clock reads with calls through the ring codec", () => {
    const msg = { t: "call" as const, run: 3, reads: [1796669675879, 4, 1796669675880, 1], calls: [{ call: 0, name: "a.b", json: '{"x":"c2,"}' }] }
    expect(workerToHost.decode(workerToHost.encode(msg) as string)).toEqual(msg)
    const plain = { t: "call" as const, run: 3, calls: [{ call: 1, name: "c", json: "" }] }
    expect(workerToHost.decode(workerToHost.encode(plain) as string)).toEqual(plain)
    expect(workerToHost.encode({ t: "call", run: 1, reads: new Array(2000).fill(1796669675879), calls: [] })).toBeUndefined()
  })
})
