/**
 * `fileStore({ dir })`: one file per key under `dir`, the default store of the CLI and server.
 *
 * Layout: key `runs/r_1/calls/000012` is the file `<dir>/runs/r_1/calls/000012,v`. Key segments
 * are folders, the last one gets the `,v` suffix, so a key may also be the folder of longer keys
 * (`runs/r_1` and `runs/r_1/calls/1`). A comma never occurs in a key, so temp files
 * (`<name>,tmp-<pid>-<random>`) and lock folders (`<name>,lock`) never collide with entries and
 * `keys()` ignores them. Keys are checked against `STORE_KEY` first: no path traversal.
 *
 * An entry file is one header line, then the value as written: `{}` (never expires) or
 * `{"expiresAt":<ms since epoch>}`, then `\n`, then the UTF-8 value. Expired entries read as absent;
 * reads do not remove them (that could race a writer); the next `set`/`add` replaces them, `delete`
 * removes them, and so does a sweep in the background: started by a write, at most one at a time and
 * one per {@link FileStoreOptions.sweepIntervalMs}, it walks the folder reading only headers and
 * removes each expired entry under its key's lock (so no `add` races it) by renaming it aside first:
 * an entry a `set` renewed meanwhile is put back.
 *
 * Writes never modify a file in place: `set` writes a temp file in the entry's folder and renames it
 * over the entry, so a reader, or a process after a `kill -9` of the writer, sees the old value or
 * the new one in full; the killed writer's temp file stays behind (nothing reads or removes it).
 * See {@link FileStoreOptions.fsync} for power loss. `add` serializes on a
 * per-key lock (file-lock.ts) across processes, so exactly one of several racing `add`s wins, also
 * when they take over an expired lease. `set` and `delete` take no lock: a `set` racing an `add` of
 * the same key is last-writer-wins.
 *
 * Files are created with mode 0600, folders (including `dir`, created on the first write like
 * `mkdir -p`) with 0700: the store holds signing keys and journals. An existing `dir` keeps its mode.
 * Keys differing only in case collide on case-insensitive file systems (macOS, Windows defaults).
 */
import { link, mkdir, open, readFile, readdir, rename, rm, rmdir, unlink } from "node:fs/promises"
import path from "node:path"
import { codemodeError } from "../errors.js"
import { errnoCode, lockKey, orAbsent, tempName } from "./file-lock.js"
import { createStoreGuard } from "./guard.js"
import { STORE_KEY, defineStore, type RunStore } from "./store.js"

const NAME = "file"

export interface FileStoreOptions {
  /** Folder of the store. Required; relative paths resolve against the current directory once, at creation. */
  dir: string
  /**
   * fsync every written file and its folder before `set`, `add` and `delete` resolve, so that a
   * power loss or OS crash cannot lose or empty an acknowledged write. Process crashes (`kill -9`)
   * never need it: the page cache survives them. Costs a disk flush per write. Default: false.
   */
  fsync?: boolean
  /** How long `add` waits for another process holding the key's lock before failing with `STORE_FAILED`. Default: 10,000 ms. */
  lockTimeoutMs?: number
  /** A lock whose holder died on another host (or whose pid was reused) is broken after this long. Default: 30,000 ms. */
  lockStaleMs?: number
  /** Expired entries are swept from disk at most this often (started by a write, in the background). Default: 600,000 ms. */
  sweepIntervalMs?: number
}

/** Defaults of {@link FileStoreOptions}. */
export const FILE_STORE_DEFAULTS = Object.freeze({ fsync: false, lockTimeoutMs: 10_000, lockStaleMs: 30_000, sweepIntervalMs: 600_000 })

const VALUE_SUFFIX = ",v"
/** Enough bytes for any header line (`{"expiresAt":<13–16 digits>}\n`). */
const HEADER_BYTES = 64
/** Attempts of a write whose folder a concurrent `delete` keeps pruning. */
const FOLDER_ATTEMPTS = 5
/** Entries whose headers `keys()` reads at once. */
const KEYS_BATCH = 32

/** An entry file's text: the header line (expiry now + ttlMs, if any), then the value. */
const encode = (value: string, ttlMs: number | undefined) =>
  `${ttlMs === undefined ? "{}" : JSON.stringify({ expiresAt: Date.now() + ttlMs })}\n${value}`

/**
 * Splits an entry file's text (or its first bytes) into expiry and value; throws unless it starts
 * with one of the two header lines `encode` writes.
 */
function decode(text: string, file: string): { expiresAt: number | undefined; value: string } {
  const newline = text.indexOf("\n")
  let header: { expiresAt?: unknown } | null = null
  try {
    header = newline < 0 ? null : (JSON.parse(text.slice(0, newline)) as { expiresAt?: unknown } | null)
  } catch {}
  const expiresAt = header?.expiresAt
  if (typeof header !== "object" || header === null || (expiresAt !== undefined && typeof expiresAt !== "number")) {
    throw new Error(`${file} is not a store entry (no valid header line)`)
  }
  return { expiresAt, value: text.slice(newline + 1) }
}

const expired = (expiresAt: number | undefined, now = Date.now()) => expiresAt !== undefined && expiresAt <= now

/** A run store of plain files under `options.dir`. */
export function fileStore(options: FileStoreOptions): RunStore {
  const guard = createStoreGuard(NAME)
  if (typeof options?.dir !== "string" || options.dir === "") {
    throw codemodeError("CONFIG_INVALID", guard.origin, "option `dir` is required: the folder that holds the store")
  }
  const opts = { ...FILE_STORE_DEFAULTS, ...options } satisfies Required<FileStoreOptions>
  const root = path.resolve(opts.dir)
  /** In-process tail of each key's `add`s: they queue here instead of polling the file lock. */
  const adding = new Map<string, Promise<unknown>>()
  let lastSweep = -Infinity
  let sweeping: Promise<void> | undefined

  /** `<root>/<segments>,v`; the key is valid, so it stays under root. */
  const entryFile = (key: string) => path.join(root, ...key.split("/")) + VALUE_SUFFIX

  /** Runs `fn`, creating `folder` (mode 0700, like `mkdir -p`) when it fails because the folder is missing. */
  async function inFolder<T>(folder: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn()
      } catch (err) {
        if (errnoCode(err) !== "ENOENT" || attempt === FOLDER_ATTEMPTS) throw err
        await mkdir(folder, { recursive: true, mode: 0o700 })
      }
    }
  }

  async function syncFolder(folder: string): Promise<void> {
    if (!opts.fsync) return
    const handle = await open(folder, "r")
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  }

  /** Writes `content` to a new temp file beside `file` and returns its path. */
  async function writeTemp(file: string, content: string): Promise<string> {
    const temp = tempName(file.slice(0, -VALUE_SUFFIX.length))
    const handle = await inFolder(path.dirname(file), () => open(temp, "wx", 0o600))
    try {
      await handle.writeFile(content)
      if (opts.fsync) await handle.sync()
    } finally {
      await handle.close()
    }
    return temp
  }

  /** The entry's value and expiry, or undefined when there is no entry file. */
  async function readEntry(file: string): Promise<{ value: string; expiresAt: number | undefined } | undefined> {
    const text = await orAbsent(readFile(file, "utf8"))
    return text === undefined ? undefined : decode(text, file)
  }

  /** Whether the entry file holds a live value, reading only its header. */
  async function isLive(file: string, now: number): Promise<boolean> {
    const handle = await orAbsent(open(file, "r"))
    if (handle === undefined) return false
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEADER_BYTES), 0, HEADER_BYTES, 0)
      return !expired(decode(buffer.toString("utf8", 0, bytesRead), file).expiresAt, now)
    } finally {
      await handle.close()
    }
  }

  const lock = (file: string) => lockKey(file.slice(0, -VALUE_SUFFIX.length), { timeoutMs: opts.lockTimeoutMs, staleMs: opts.lockStaleMs, inFolder })

  /** Removes folders left empty above `file`, up to (not including) root; a write racing this recreates them. */
  async function prune(file: string): Promise<void> {
    for (let folder = path.dirname(file); folder !== root; folder = path.dirname(folder)) {
      if (!(await rmdir(folder).then(() => true, () => false))) break
    }
  }

  async function takeOver(key: string, value: string, ttlMs: number | undefined): Promise<boolean> {
    const file = entryFile(key)
    const release = await lock(file)
    try {
      const current = await readEntry(file)
      if (current !== undefined && !expired(current.expiresAt)) return false
      const temp = await writeTemp(file, encode(value, ttlMs))
      try {
        // Absent: link() fails if a concurrent set() created the entry meanwhile (then it wins).
        // Expired: replace it; no other add can run now (we hold the lock).
        if (current === undefined) await link(temp, file)
        else await rename(temp, file)
      } catch (err) {
        if (errnoCode(err) === "EEXIST") return false
        throw err
      } finally {
        await rm(temp, { force: true })
      }
      await syncFolder(path.dirname(file))
      return true
    } finally {
      await release()
    }
  }

  /** Collects the keys under `prefix` whose entries are live (or, `live` false, expired). */
  async function collect(folder: string, base: string, prefix: string, now: number, out: string[], live = true): Promise<void> {
    const entries = await orAbsent(readdir(folder, { withFileTypes: true }))
    if (entries === undefined) return
    const files: string[] = []
    for (const entry of entries) {
      if (entry.isDirectory() && STORE_KEY.test(entry.name)) {
        const sub = `${base}${entry.name}/`
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) await collect(path.join(folder, entry.name), sub, prefix, now, out, live)
      } else if (entry.isFile() && entry.name.endsWith(VALUE_SUFFIX)) {
        const key = base + entry.name.slice(0, -VALUE_SUFFIX.length)
        if (STORE_KEY.test(key) && key.startsWith(prefix)) files.push(key)
      }
    }
    for (let i = 0; i < files.length; i += KEYS_BATCH) {
      const batch = files.slice(i, i + KEYS_BATCH)
      const alive = await Promise.all(batch.map((key) => isLive(entryFile(key), now)))
      out.push(...batch.filter((_, j) => alive[j] === live))
    }
  }

  /** Removes `key`'s entry if it is expired: under the key's lock, renamed aside, checked, put back if a `set` renewed it. */
  async function removeExpired(key: string): Promise<void> {
    const file = entryFile(key)
    const release = await lock(file)
    try {
      const aside = tempName(file.slice(0, -VALUE_SUFFIX.length))
      if ((await orAbsent(rename(file, aside).then(() => true))) === undefined) return
      const entry = await readEntry(aside)
      // A `set` renewed it between the sweep's check and the rename: put it back, unless a newer write is there already.
      if (entry !== undefined && !expired(entry.expiresAt)) {
        await link(aside, file).catch((err: unknown) => {
          if (errnoCode(err) !== "EEXIST") throw err
        })
      }
      await rm(aside, { force: true })
    } finally {
      await release()
    }
    await prune(file)
  }

  /** After a write: sweeps expired entries in the background, one sweep at a time, at most one per interval. */
  function sweepSoon(): void {
    const now = Date.now()
    if (sweeping || now - lastSweep < opts.sweepIntervalMs) return
    lastSweep = now
    sweeping = (async () => {
      const keys: string[] = []
      await collect(root, "", "", now, keys, false)
      for (const key of keys) await removeExpired(key).catch(() => undefined) // a busy lock: the next sweep
    })()
      .catch(() => undefined) // a foreign file under dir: keys() reports it
      .finally(() => (sweeping = undefined))
  }

  return defineStore({
    name: NAME,
    get: (key) =>
      guard.run("get", key, async () => {
        const entry = await readEntry(entryFile(key))
        return entry === undefined || expired(entry.expiresAt) ? undefined : entry.value
      }),
    set: (key, value, options) =>
      guard.run("set", key, async () => {
        const ttlMs = guard.write(key, value, options)
        const file = entryFile(key)
        const temp = await writeTemp(file, encode(value, ttlMs))
        try {
          await rename(temp, file)
        } catch (err) {
          await rm(temp, { force: true })
          throw err
        }
        await syncFolder(path.dirname(file))
        sweepSoon()
      }),
    add: (key, value, options) =>
      guard.run("add", key, () => {
        const ttlMs = guard.write(key, value, options)
        const run = (adding.get(key) ?? Promise.resolve()).then(() => takeOver(key, value, ttlMs))
        const tail = run.catch(() => {})
        adding.set(key, tail)
        void tail.then(() => adding.get(key) === tail && adding.delete(key))
        sweepSoon()
        return run
      }),
    delete: (key) =>
      guard.run("delete", key, async () => {
        const file = entryFile(key)
        if ((await orAbsent(unlink(file).then(() => true))) === undefined) return
        await syncFolder(path.dirname(file))
        await prune(file)
      }),
    keys: (prefix) =>
      guard.run("keys", undefined, async () => {
        guard.prefix(prefix)
        const out: string[] = []
        await collect(root, "", prefix, Date.now(), out)
        // Keys are ASCII, so the default UTF-16 sort is byte order.
        return out.sort()
      }),
    close: async () => {
      guard.close()
      await sweeping
    },
  })
}
