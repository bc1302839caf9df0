/**
 * A cross-process lock for one key of the file store, used by `add` so that of several processes
 * taking over an absent or expired entry exactly one wins.
 *
 * The lock is a folder `<entry>,lock` holding one marker file `<pid>-<random>` (JSON: pid, host).
 * - Acquire: build a private folder with the marker inside, then `rename` it to `<entry>,lock`.
 *   rename succeeds only onto an absent or empty folder, so the lock appears with its owner
 *   already named, atomically, and at most one process holds it.
 * - Release: unlink the own marker, then `rmdir` the folder (fails harmlessly if a waiter already
 *   renamed its own folder onto the emptied one).
 * - A holder killed with `kill -9` leaves its lock behind. A waiter breaks it when the marker's
 *   process is gone (same host) or the marker is older than `staleMs`, by unlinking *that* marker:
 *   the unlink names the marker, so it cannot remove a newer holder's lock (names never repeat).
 * Waiting polls with a short back-off and gives up after `timeoutMs`.
 */
import { randomBytes } from "node:crypto"
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, utimes, writeFile } from "node:fs/promises"
import { hostname } from "node:os"
import path from "node:path"

export interface KeyLockOptions {
  /** Give up (reject) after waiting this long for another holder. */
  timeoutMs: number
  /** A marker older than this is stale even if its process seems alive (pid reuse, other host). */
  staleMs: number
  /** Runs `fn` after creating the entry's folder if `fn` fails with ENOENT (see file.ts). */
  inFolder<T>(folder: string, fn: () => Promise<T>): Promise<T>
}

/** The file system error code of `err`, if any. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code
  return typeof code === "string" ? code : undefined
}

/** `promise`'s value, or undefined where it fails with ENOENT (no such file or folder). */
export function orAbsent<T>(promise: Promise<T>): Promise<T | undefined> {
  return promise.catch((err: unknown) => {
    if (errnoCode(err) === "ENOENT") return undefined
    throw err
  })
}

/** `<base>,tmp-<pid>-<random>`: a unique name beside `base` that no key maps to (the comma). */
export function tempName(base: string, token = `${process.pid}-${randomBytes(6).toString("hex")}`): string {
  return `${base},tmp-${token}`
}

/** What rename() of a folder onto a non-empty one fails with (Windows: also onto an empty one). */
const HELD_CODES = process.platform === "win32" ? ["EEXIST", "ENOTEMPTY", "EPERM"] : ["EEXIST", "ENOTEMPTY"]
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return errnoCode(err) === "EPERM"
  }
}

/** The holder's marker name, or undefined when the lock folder is empty or gone. */
async function holder(lockDir: string, staleMs: number): Promise<{ marker: string; stale: boolean } | undefined> {
  const marker = (await orAbsent(readdir(lockDir)))?.[0]
  if (marker === undefined) return undefined
  try {
    const file = path.join(lockDir, marker)
    const [text, info] = await Promise.all([readFile(file, "utf8"), stat(file)])
    if (Date.now() - info.mtimeMs > staleMs) return { marker, stale: true }
    const owner = JSON.parse(text) as { pid?: unknown; host?: unknown }
    const dead = owner.host === hostname() && typeof owner.pid === "number" && !processAlive(owner.pid)
    return { marker, stale: dead }
  } catch (err) {
    // Released meanwhile (ENOENT): look again. A garbled marker cannot occur (markers are complete
    // before their folder is renamed into place); if it does, it ages out through staleMs.
    if (errnoCode(err) === "ENOENT") return { marker, stale: false }
    if (err instanceof SyntaxError) return { marker, stale: false }
    throw err
  }
}

/**
 * Takes the lock of the entry file `base` (`<base>,lock`); resolves with the release function.
 * Rejects with a plain Error after `timeoutMs` (the driver wraps it into STORE_FAILED).
 */
export async function lockKey(base: string, options: KeyLockOptions): Promise<() => Promise<void>> {
  const lockDir = `${base},lock`
  const marker = `${process.pid}-${randomBytes(6).toString("hex")}`
  const mine = tempName(base, marker)
  const folder = path.dirname(base)
  await options.inFolder(folder, () => mkdir(mine, { mode: 0o700 }))
  try {
    await writeFile(path.join(mine, marker), JSON.stringify({ pid: process.pid, host: hostname() }), { mode: 0o600 })
    const deadline = Date.now() + options.timeoutMs
    for (let wait = 1, first = true; ; wait = Math.min(wait * 2, 20), first = false) {
      if (Date.now() > deadline) {
        throw new Error(`the key stayed locked by another process (${lockDir}) for more than ${options.timeoutMs} ms`)
      }
      // Our marker's age must count from when we take the lock, not from when we began to wait.
      if (!first) await utimes(path.join(mine, marker), new Date(), new Date())
      try {
        await rename(mine, lockDir)
        break
      } catch (err) {
        if (!HELD_CODES.includes(errnoCode(err) ?? "")) throw err
      }
      const held = await holder(lockDir, options.staleMs)
      if (held === undefined) {
        // Empty (where rename cannot replace an empty folder) or just released: clear and retry.
        await rmdir(lockDir).catch(() => {})
      } else if (held.stale) {
        await rm(path.join(lockDir, held.marker), { force: true })
        continue
      }
      await sleep(wait * (0.5 + Math.random()))
    }
  } catch (err) {
    await rm(mine, { recursive: true, force: true })
    throw err
  }
  return async () => {
    await rm(path.join(lockDir, marker), { force: true })
    await rmdir(lockDir).catch(() => {})
  }
}
