/**
 * The file store: the shared contract, plus what only files have: layout and modes, crash safety
 * under `kill -9`, `add` racing across processes, stale locks, and failures of the file system.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { hostname, tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { fileStore } from "../../src/store/file.js"
import { expectStoreError, sleep, testStore } from "./store-suite.js"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const CHILD = path.join(ROOT, "test", "store", "file-child.ts")
const base = mkdtempSync(path.join(tmpdir(), "codemode-file-store-"))
let count = 0
const freshDir = () => path.join(base, `s${++count}`)
afterAll(() => rmSync(base, { recursive: true, force: true }))

testStore("file", () => fileStore({ dir: freshDir() }))

/** Starts file-child.ts; resolves once it printed `ready`. Killed by the caller or after 60 s. */
async function child(args: string[]): Promise<{ proc: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] })
  let out = ""
  let err = ""
  proc.stdout.on("data", (d: Buffer) => (out += d.toString()))
  proc.stderr.on("data", (d: Buffer) => (err += d.toString()))
  const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000)
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => (clearTimeout(timer), resolve(code))))
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.on("data", () => out.startsWith("ready\n") && resolve())
    void exited.then((code) => reject(new Error(`child exited (${code}) before it was ready:\n${out}\n${err}`)))
  })
  await ready
  return { proc, output: () => out, exited }
}

describe("file store: layout and modes", () => {
  it("creates its folder on the first write only, with mode 0700, and entry files with 0600", async () => {
    const dir = path.join(freshDir(), "nested", "store")
    const store = fileStore({ dir })
    expect(await store.get("k")).toBeUndefined()
    expect(await store.keys("")).toEqual([])
    expect(existsSync(dir)).toBe(false)
    await store.set("runs/r1", "value")
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(path.join(dir, "runs")).mode & 0o777).toBe(0o700)
    expect(statSync(path.join(dir, "runs", "r1,v")).mode & 0o777).toBe(0o600)
  })

  it("stores a header line and the value as written; the header carries the expiry", async () => {
    const dir = freshDir()
    const store = fileStore({ dir })
    await store.set("a/b", '{"x":1}')
    expect(await readFile(path.join(dir, "a", "b,v"), "utf8")).toBe('{}\n{"x":1}')
    const before = Date.now()
    await store.set("a/c", "v", { ttlMs: 60_000 })
    const [header, value] = (await readFile(path.join(dir, "a", "c,v"), "utf8")).split("\n")
    expect(value).toBe("v")
    const { expiresAt } = JSON.parse(header ?? "") as { expiresAt: number }
    expect(expiresAt).toBeGreaterThanOrEqual(before + 60_000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60_000)
  })

  it("ignores temp files, lock folders and foreign files in keys()", async () => {
    const dir = freshDir()
    const store = fileStore({ dir })
    await store.set("k2", "v")
    writeFileSync(path.join(dir, "k,tmp-1-abc"), "{}\ntorn")
    mkdirSync(path.join(dir, "k,lock"))
    mkdirSync(path.join(dir, "not a key"))
    writeFileSync(path.join(dir, "not a key", "x,v"), "{}\nv")
    writeFileSync(path.join(dir, "README"), "hello")
    expect(await store.keys("")).toEqual(["k2"])
    expect(await store.get("k")).toBeUndefined()
  })

  it("prunes the folders a delete leaves empty, but not the store's own folder", async () => {
    const dir = freshDir()
    const store = fileStore({ dir })
    await store.set("a/b/c", "1")
    await store.set("a/d", "2")
    await store.delete("a/b/c")
    expect(readdirSync(path.join(dir, "a"))).toEqual(["d,v"])
    await store.delete("a/d")
    expect(readdirSync(dir)).toEqual([])
    await store.set("a/b/c", "3")
    expect(await store.get("a/b/c")).toBe("3")
  })

  it("sweeps expired entries from disk in the background after a write, at most once per sweepIntervalMs", async () => {
    const dir = freshDir()
    const store = fileStore({ dir, sweepIntervalMs: 1 })
    await store.set("runs/r_1/calls/000000", "x", { ttlMs: 1 })
    await store.set("runs/r_1", "y", { ttlMs: 60_000 })
    await sleep(20)
    await store.set("other", "z") // starts a sweep; close() waits for it
    await store.close?.()
    expect(readdirSync(dir, { recursive: true }).sort()).toEqual(["other,v", "runs", path.join("runs", "r_1,v")])
    const lazy = fileStore({ dir, sweepIntervalMs: 60_000 })
    await lazy.set("a", "1", { ttlMs: 50 }) // the first write sweeps (nothing expired yet); the next sweep is a minute away
    await sleep(70)
    await lazy.set("b", "2")
    await lazy.close?.()
    expect(existsSync(path.join(dir, "a,v"))).toBe(true)
  })

  it("works with fsync on", async () => {
    const store = fileStore({ dir: freshDir(), fsync: true })
    await store.set("a/b", "1", { ttlMs: 60_000 })
    expect(await store.add("a/c", "2")).toBe(true)
    await store.delete("a/b")
    expect(await store.keys("")).toEqual(["a/c"])
  })

  it("lets two stores on one folder see each other's writes and exclude each other's adds", async () => {
    const dir = freshDir()
    const [a, b] = [fileStore({ dir }), fileStore({ dir })]
    await a.set("k", "from a")
    expect(await b.get("k")).toBe("from a")
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).add("lease", `p${i}`)))
    expect(results.filter(Boolean)).toHaveLength(1)
  })
})

describe("file store: failures", () => {
  it("requires dir", () => {
    expect(() => fileStore({} as { dir: string })).toThrow(/\[store:file\].*dir/)
    expect(() => fileStore({ dir: "" })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }))
  })

  it("fails with STORE_FAILED when dir is a file", async () => {
    const file = path.join(freshDir() + ".txt")
    writeFileSync(file, "not a folder")
    const store = fileStore({ dir: file })
    await expectStoreError(store.set("k", "v"), "STORE_FAILED", /\[store:file\] set "k" failed: ENOTDIR/)
    await expectStoreError(store.get("k"), "STORE_FAILED", /ENOTDIR/)
    await expectStoreError(store.keys(""), "STORE_FAILED", /ENOTDIR/)
  })

  it("fails with STORE_FAILED naming the file when an entry is not a store entry", async () => {
    const dir = freshDir()
    const store = fileStore({ dir })
    await store.set("ok", "v")
    writeFileSync(path.join(dir, "bad,v"), "no header line")
    await expectStoreError(store.get("bad"), "STORE_FAILED", /bad,v is not a store entry/)
    await expectStoreError(store.keys(""), "STORE_FAILED", /bad,v is not a store entry/)
  })
})

describe("file store: locks", () => {
  /** A lock folder as a holder with this pid would leave it. */
  function plantLock(dir: string, key: string, pid: number) {
    const lock = path.join(dir, `${key},lock`)
    mkdirSync(lock, { recursive: true })
    const marker = path.join(lock, `${pid}-planted`)
    writeFileSync(marker, JSON.stringify({ pid, host: hostname() }))
    return marker
  }

  it("breaks the lock of a holder that died (kill -9) at once", async () => {
    const dir = freshDir()
    const dead = spawn(process.execPath, ["-e", ""])
    await new Promise((resolve) => dead.once("exit", resolve))
    plantLock(dir, "lease", dead.pid ?? 0)
    const store = fileStore({ dir, lockTimeoutMs: 2000 })
    const started = Date.now()
    expect(await store.add("lease", "mine")).toBe(true)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(existsSync(path.join(dir, "lease,lock"))).toBe(false)
  })

  it("is not blocked by an empty lock folder (a holder killed between its two release steps)", async () => {
    const dir = freshDir()
    mkdirSync(path.join(dir, "lease,lock"), { recursive: true })
    const store = fileStore({ dir, lockTimeoutMs: 2000 })
    expect(await store.add("lease", "mine")).toBe(true)
    expect(readdirSync(dir)).toEqual(["lease,v"])
  })

  it("breaks a lock older than lockStaleMs even if its pid is alive", async () => {
    const dir = freshDir()
    const marker = plantLock(dir, "lease", process.pid)
    const old = new Date(Date.now() - 60_000)
    utimesSync(marker, old, old)
    const store = fileStore({ dir, lockStaleMs: 30_000, lockTimeoutMs: 2000 })
    expect(await store.add("lease", "mine")).toBe(true)
  })

  it("waits for a live lock and fails with STORE_FAILED after lockTimeoutMs", async () => {
    const dir = freshDir()
    plantLock(dir, "lease", process.pid)
    const store = fileStore({ dir, lockTimeoutMs: 300 })
    const started = Date.now()
    await expectStoreError(store.add("lease", "mine"), "STORE_FAILED", /add "lease" failed: .*locked by another process/)
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(await store.get("lease")).toBeUndefined()
    // The waiter cleaned up its own lock folder.
    expect(readdirSync(dir).sort()).toEqual(["lease,lock"])
  })
})

describe("file store: across processes", () => {
  it("leaves every entry whole when a writer is killed with kill -9 mid-write", async () => {
    const dir = freshDir()
    let interrupted = 0
    // Kill until two kills have landed mid-write (a temp file is left behind; ~90 % of kills); bounded.
    for (let round = 0; round < 8 && interrupted < 2; round++) {
      const writer = await child(["write", dir])
      await sleep(30 + Math.random() * 120)
      writer.proc.kill("SIGKILL")
      await writer.exited
      const temps = readdirSync(path.join(dir, "big")).filter((name) => name.includes(",tmp-"))
      if (temps.length > 0) interrupted++
      for (const temp of temps) rmSync(path.join(dir, "big", temp))
    }
    expect(interrupted, "no kill landed in the middle of a write").toBeGreaterThan(0)
    const store = fileStore({ dir })
    const keys = await store.keys("big/")
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) {
      const value = JSON.parse((await store.get(key)) ?? "null") as { i: number; size: number; pad: string; end: number }
      expect(value.end).toBe(value.i)
      expect(value.pad.length).toBe(value.size)
    }
  })

  it("lets exactly one of two processes win each race to take over an expired lease", async () => {
    const dir = freshDir()
    const store = fileStore({ dir })
    const ROUNDS = 40
    for (let r = 0; r < ROUNDS; r++) await store.set(`lease/${r}`, "expired", { ttlMs: 1 })
    await sleep(10)
    const racers = await Promise.all([child(["race", dir, String(ROUNDS), "15"]), child(["race", dir, String(ROUNDS), "15"])])
    const start = Date.now() + 200
    for (const racer of racers) racer.proc.stdin.end(`${start}\n`)
    const codes = await Promise.all(racers.map((r) => r.exited))
    expect(codes).toEqual([0, 0])
    const [a, b] = racers.map((r) => JSON.parse(r.output().split("\n")[1] ?? "") as boolean[])
    for (let r = 0; r < ROUNDS; r++) {
      expect([a?.[r], b?.[r]], `round ${r}`).toContain(true)
      expect(a?.[r] !== b?.[r], `round ${r}: both won`).toBe(true)
      const winner = a?.[r] ? racers[0] : racers[1]
      expect(await store.get(`lease/${r}`)).toBe(String(winner?.proc.pid))
    }
  })
})
