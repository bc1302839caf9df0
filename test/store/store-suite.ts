/**
 * The conformance suite every run store driver runs, as unstorage's `testDriver`:
 * `testStore(name, create)` checks the RunStore contract (src/store/store.ts) on a fresh store per
 * test (`create` is called in beforeEach; the store is closed after the test).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { CodeModeError, type CodeModeErrorCode } from "../../src/errors.js"
import type { RunStore } from "../../src/store/store.js"

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Awaits `promise` and checks it rejects with a CodeModeError of `code` whose message matches. */
export async function expectStoreError(promise: Promise<unknown>, code: CodeModeErrorCode, message?: string | RegExp): Promise<CodeModeError> {
  const err = await promise.then(
    (value) => new Error(`expected a ${code} rejection, got the value ${JSON.stringify(value)}`),
    (e: unknown) => e,
  )
  if (!CodeModeError.is(err, code)) throw new Error(`expected a ${code} CodeModeError, got: ${String(err)}`, { cause: err })
  if (message !== undefined) expect(err.message).toMatch(message)
  return err
}

/** Byte-order comparison, independent of the drivers' own sort. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

export const INVALID_KEYS = ["", "/", "/a", "a/", "a//b", ".", "..", "a/..", "../a", "a/./b", "a b", "a\\b", "ä", "a\nb", "a:b", "a*", "runs/*"]
const INVALID_PREFIXES = ["/", "../", "a//", "a/./", "a b", "*", "a\\"]

export function testStore(name: string, create: () => RunStore | Promise<RunStore>): void {
  describe(`${name}: run store contract`, () => {
    let store: RunStore
    beforeEach(async () => {
      store = await create()
    })
    afterEach(async () => {
      await store.close?.()
    })

    it("is named after its driver", () => {
      expect(store.name).toBe(name)
    })

    it("reads an absent key as undefined", async () => {
      expect(await store.get("absent")).toBeUndefined()
      expect(await store.get("runs/absent/calls/000001")).toBeUndefined()
    })

    it("reads back exactly what it wrote: empty, newlines, unicode, a 1 MiB value", async () => {
      const values = ["", "plain", "line 1\nline 2\n\n", '{"a":"ü → 😀","b":[1,2]}', " \t{}\n", "x".repeat(1 << 20)]
      for (const [i, value] of values.entries()) await store.set(`v/${i}`, value)
      for (const [i, value] of values.entries()) expect(await store.get(`v/${i}`)).toBe(value)
    })

    it("overwrites a value", async () => {
      await store.set("k", "one")
      await store.set("k", "two")
      expect(await store.get("k")).toBe("two")
      expect(await store.keys("")).toEqual(["k"])
    })

    it("deletes a key; deleting an absent key is fine", async () => {
      await store.set("a/b", "1")
      await store.set("a/c", "2")
      await store.delete("a/b")
      await store.delete("a/b")
      await store.delete("never/written")
      expect(await store.get("a/b")).toBeUndefined()
      expect(await store.get("a/c")).toBe("2")
      expect(await store.keys("")).toEqual(["a/c"])
    })

    it("lets a key also be the folder of longer keys", async () => {
      await store.set("runs/r1", "record")
      await store.set("runs/r1/calls/000001", "call")
      expect(await store.get("runs/r1")).toBe("record")
      expect(await store.get("runs/r1/calls/000001")).toBe("call")
      await store.delete("runs/r1")
      expect(await store.get("runs/r1")).toBeUndefined()
      expect(await store.keys("runs")).toEqual(["runs/r1/calls/000001"])
    })

    describe("keys()", () => {
      const KEYS = ["b", "a", "A", "0", "a-b", "a.b", "a_b", "a/b", "a/b/c", "a/B", "runs/r1", "runs/r1/calls/000001", "runs/r10", "runs/r2", "runs/r2/lease"]
      beforeEach(async () => {
        await Promise.all(KEYS.map((key) => store.set(key, `value of ${key}`)))
      })

      it("lists every key sorted in byte order", async () => {
        const all = await store.keys("")
        expect(all).toEqual([...KEYS].sort(byteOrder))
        // Spelled out, so that a wrong comparator above cannot hide a wrong order.
        expect(all.slice(0, 9)).toEqual(["0", "A", "a", "a-b", "a.b", "a/B", "a/b", "a/b/c", "a_b"])
      })

      it("lists the keys that start with a prefix, at any character", async () => {
        expect(await store.keys("runs/")).toEqual(["runs/r1", "runs/r1/calls/000001", "runs/r10", "runs/r2", "runs/r2/lease"])
        expect(await store.keys("runs/r1")).toEqual(["runs/r1", "runs/r1/calls/000001", "runs/r10"])
        expect(await store.keys("runs/r1/")).toEqual(["runs/r1/calls/000001"])
        expect(await store.keys("runs/r1/calls/000001")).toEqual(["runs/r1/calls/000001"])
        expect(await store.keys("a.")).toEqual(["a.b"])
        expect(await store.keys("a/")).toEqual(["a/B", "a/b", "a/b/c"])
        expect(await store.keys("nothing")).toEqual([])
        expect(await store.keys("runs/r3/")).toEqual([])
      })

      it("does not list deleted keys", async () => {
        await store.delete("runs/r1/calls/000001")
        await store.delete("a")
        expect(await store.keys("runs/r1")).toEqual(["runs/r1", "runs/r10"])
        expect(await store.keys("a")).toEqual(["a-b", "a.b", "a/B", "a/b", "a/b/c", "a_b"])
      })
    })

    describe("ttl", () => {
      it("keeps a key readable and listed until ttlMs, then treats it as absent", async () => {
        const started = Date.now()
        await store.set("lease/a", "held", { ttlMs: 300 })
        await store.set("lease/b", "forever")
        const early = await store.get("lease/a")
        const earlyKeys = await store.keys("lease/")
        if (Date.now() - started < 250) {
          expect(early).toBe("held")
          expect(earlyKeys).toEqual(["lease/a", "lease/b"])
        }
        await sleep(Math.max(0, started + 450 - Date.now()))
        expect(await store.get("lease/a")).toBeUndefined()
        expect(await store.keys("lease/")).toEqual(["lease/b"])
        expect(await store.get("lease/b")).toBe("forever")
      })

      it("makes a key permanent again when set without ttl", async () => {
        await store.set("k", "short", { ttlMs: 150 })
        await store.set("k", "long")
        await sleep(300)
        expect(await store.get("k")).toBe("long")
      })

      it("replaces the ttl on overwrite", async () => {
        await store.set("k", "long", { ttlMs: 60_000 })
        await store.set("k", "short", { ttlMs: 150 })
        await sleep(300)
        expect(await store.get("k")).toBeUndefined()
      })

      it("rejects a ttl that is not a finite number > 0 with CONFIG_INVALID", async () => {
        for (const ttlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "100" as unknown as number]) {
          await expectStoreError(store.set("k", "v", { ttlMs }), "CONFIG_INVALID", /ttlMs/)
          await expectStoreError(store.add("k", "v", { ttlMs }), "CONFIG_INVALID", /ttlMs/)
        }
        expect(await store.get("k")).toBeUndefined()
      })
    })

    describe("add()", () => {
      it("writes an absent key and refuses a present one", async () => {
        expect(await store.add("lease", "first")).toBe(true)
        expect(await store.add("lease", "second")).toBe(false)
        expect(await store.get("lease")).toBe("first")
        await store.delete("lease")
        expect(await store.add("lease", "third")).toBe(true)
        expect(await store.get("lease")).toBe("third")
      })

      it("takes over an expired key, and its own ttl applies", async () => {
        // Checks that need "before the ttl" are skipped when the machine stalled past it.
        let t = Date.now()
        expect(await store.add("lease", "old", { ttlMs: 400 })).toBe(true)
        const early = await store.add("lease", "early", { ttlMs: 400 })
        if (Date.now() - t < 350) expect(early).toBe(false)
        await sleep(Math.max(0, t + 1000 - Date.now()))
        t = Date.now()
        expect(await store.add("lease", "new", { ttlMs: 400 })).toBe(true)
        const [value, again] = [await store.get("lease"), await store.add("lease", "too early")]
        if (Date.now() - t < 350) expect([value, again]).toEqual(["new", false])
        await sleep(Math.max(0, t + 500 - Date.now()))
        expect(await store.get("lease")).toBeUndefined()
      })

      it("lets exactly one of 20 concurrent adds of one key win", async () => {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.add("race/absent", `p${i}`, { ttlMs: 60_000 })))
        expect(results.filter(Boolean)).toHaveLength(1)
        expect(await store.get("race/absent")).toBe(`p${results.indexOf(true)}`)
      })

      it("lets exactly one of 20 concurrent adds of an expired key win", async () => {
        await store.set("race/expired", "old", { ttlMs: 50 })
        await sleep(150)
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.add("race/expired", `p${i}`, { ttlMs: 60_000 })))
        expect(results.filter(Boolean)).toHaveLength(1)
        expect(await store.get("race/expired")).toBe(`p${results.indexOf(true)}`)
      })
    })

    it("leaves one whole value after concurrent sets of one key", async () => {
      const values = Array.from({ length: 10 }, (_, i) => JSON.stringify({ i, pad: String(i).repeat(100_000) }))
      await Promise.all(values.map((value) => store.set("contended", value)))
      expect(values).toContain(await store.get("contended"))
    })

    it("rejects invalid keys with CONFIG_INVALID naming the key, in every method", async () => {
      for (const key of INVALID_KEYS) {
        const named = JSON.stringify(key).replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")
        await expectStoreError(store.get(key), "CONFIG_INVALID", new RegExp(named))
        await expectStoreError(store.set(key, "v"), "CONFIG_INVALID", new RegExp(named))
        await expectStoreError(store.add(key, "v"), "CONFIG_INVALID", new RegExp(named))
        await expectStoreError(store.delete(key), "CONFIG_INVALID", new RegExp(named))
      }
      expect(await store.keys("")).toEqual([])
    })

    it("rejects a prefix no key can start with, and non-string values", async () => {
      for (const prefix of INVALID_PREFIXES) await expectStoreError(store.keys(prefix), "CONFIG_INVALID", /prefix/)
      await expectStoreError(store.set("k", 42 as unknown as string), "CONFIG_INVALID", /string/)
      await expectStoreError(store.add("k", undefined as unknown as string), "CONFIG_INVALID", /string/)
      expect(await store.get("k")).toBeUndefined()
    })

    it("closes idempotently; every method then rejects with CLOSED", async () => {
      await store.set("k", "v")
      await store.close?.()
      await store.close?.()
      await expectStoreError(store.get("k"), "CLOSED")
      await expectStoreError(store.set("k", "v"), "CLOSED")
      await expectStoreError(store.add("k2", "v"), "CLOSED")
      await expectStoreError(store.delete("k"), "CLOSED")
      await expectStoreError(store.keys(""), "CLOSED")
    })
  })
}
