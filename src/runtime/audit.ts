/**
 * The audit log: one JSON line per tool call (who called what, what the policy said, how it ended),
 * appended to a file that rotates by size, and read back — also while it grows — by `readAudit`.
 *
 * Several processes may append to one file: each write(2) is one `O_APPEND` write of whole lines,
 * which the OS never interleaves with another append. Rotation takes a lock file (see {@link createAuditLog}).
 */
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from "node:fs/promises"
import { basename, dirname, resolve } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { codemodeError, type CodeModeError } from "../errors.js"
import type { Redactor } from "./redact.js"

export interface AuditEntry {
  /** ISO time the call started. */
  time: string
  runId: string
  /** "namespace.tool" */
  tool: string
  /** Arguments, secrets redacted. */
  args: unknown
  decision: { action: "allow" | "ask" | "deny"; rule: string; approval?: "approved" | "denied" | "timeout" }
  /** ok / error: ran; denied: policy or approval said no; quota: a quota/rate limit stopped it; replayed: answered from the journal, not run; interrupted: in flight when an earlier attempt of the run ended (its host died or lost the run), not sent again; pending: waiting for approval. */
  outcome: "ok" | "error" | "denied" | "quota" | "replayed" | "interrupted" | "pending"
  durationMs: number
  /** Bytes of the JSON result (0 when none). */
  bytes: number
  /** Error message, secrets redacted. */
  error?: string
}

export interface AuditLogOptions {
  /** The live file; rotated files sit beside it as `file.1` (newest) … `file.N`. Its directory is created on the first write. */
  file: string
  /** Rotate when the file would pass this size. Default {@link DEFAULT_AUDIT_MAX_BYTES} (10 MiB). A single line bigger than this still goes into a file of its own. */
  maxBytes?: number
  /** Rotated files kept (file.1 … file.N); 0 keeps none. Default {@link DEFAULT_AUDIT_KEEP} (5). */
  keep?: number
  /** Applied to `args` and `error` of every entry before it is written. Default: none (the caller redacts). */
  redactor?: Redactor
  /** Write failures (`STORE_FAILED`, the lines are dropped), unserializable args, writes after close (`CLOSED`). Default: ignored. */
  onError?: (error: CodeModeError) => void
}

export interface AuditLog {
  /** Queues one JSONL line; never throws, never blocks the call path (errors go to onError). */
  write(entry: AuditEntry): void
  /** Resolves when every line queued before the call is in the file (write(2) returned: visible to any reader; not fsync'ed). Never rejects. */
  flush(): Promise<void>
  /** Flushes, then refuses further writes (reported to onError as `CLOSED`). Idempotent. */
  close(): Promise<void>
}

export interface ReadAuditOptions {
  /** Keep tailing the live file (also across rotations, and waiting for it to appear) until `signal` aborts. Default false. */
  follow?: boolean
  /** Ends the iteration (without an error) when aborted. */
  signal?: AbortSignal
  /** How often a followed file is checked for new lines, in ms. Default {@link AUDIT_FOLLOW_POLL_MS}. */
  pollMs?: number
  /** A line that is not an audit entry (corrupted, edited by hand) is skipped and reported here as `STORE_FAILED`. Default: skipped silently. */
  onError?: (error: CodeModeError) => void
}

export const DEFAULT_AUDIT_MAX_BYTES = 10 * 1024 * 1024
export const DEFAULT_AUDIT_KEEP = 5
export const AUDIT_FOLLOW_POLL_MS = 250
/** A rotation lock file older than this was left by a process that died while rotating; it is removed. */
export const AUDIT_LOCK_STALE_MS = 10_000

const ORIGIN = "audit"
const READ_CHUNK_BYTES = 1 << 20

/**
 * An append-only JSONL audit log. Lines of one `AuditLog` are written in `write` order through one
 * queue, batched into one write(2) per drain (whole lines only, so no line is ever split).
 *
 * Rotation: a writer that would push the file past `maxBytes` takes `file.lock` (`O_EXCL`), checks
 * the file is still the one it measured (another process may have rotated it meanwhile), shifts
 * `file.N-1 → file.N … file → file.1` and releases the lock. A writer that finds the lock taken does
 * not wait: it appends to the current file, which may then pass `maxBytes` a little, or land in
 * `file.1` when the rotation renames it first. Either way no line is lost or split, and `readAudit`
 * reads `file.1` before `file`. A lock older than {@link AUDIT_LOCK_STALE_MS} is removed as stale.
 *
 * @throws CodeModeError `CONFIG_INVALID` when `file`, `maxBytes` or `keep` is malformed.
 * @example
 * const audit = createAuditLog({ file: ".codemode/audit.jsonl", redactor, onError: (e) => log.warn(e.message) })
 * audit.write({ time, runId, tool: "github.repos_get", args, decision, outcome: "ok", durationMs: 12, bytes: 2048 })
 * await audit.close()
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const opts = { maxBytes: DEFAULT_AUDIT_MAX_BYTES, keep: DEFAULT_AUDIT_KEEP, ...options }
  const bad = (message: string) => codemodeError("CONFIG_INVALID", ORIGIN, message)
  if (typeof opts.file !== "string" || opts.file === "") throw bad(`option "file" must be a non-empty path, e.g. ".codemode/audit.jsonl"`)
  if (!(Number.isInteger(opts.maxBytes) && opts.maxBytes > 0)) throw bad(`option "maxBytes" must be a positive integer, got ${JSON.stringify(opts.maxBytes)}`)
  if (!(Number.isInteger(opts.keep) && opts.keep >= 0)) throw bad(`option "keep" must be a non-negative integer, got ${JSON.stringify(opts.keep)}`)
  const file = resolve(opts.file)
  const report = (error: CodeModeError) => {
    try {
      opts.onError?.(error)
    } catch {
      // the reporter's failure must not reach the call path
    }
  }

  let pending: string[] = []
  let queued = 0 // lines queued so far
  let done = 0 // lines written or dropped so far
  let waiters: Array<{ upTo: number; resolve: () => void }> = []
  let draining: Promise<void> | undefined
  let dirReady: Promise<unknown> | undefined
  let closing: Promise<void> | undefined
  let appended = 0 // lines of the current batch on disk

  function drain(): Promise<void> {
    return (async () => {
      await null // batch the writes of this tick; `draining` is set by now
      while (pending.length > 0) {
        const batch = pending
        pending = []
        appended = 0
        try {
          await (dirReady ??= mkdir(dirname(file), { recursive: true }).catch((error: unknown) => {
            dirReady = undefined
            throw error
          }))
          await append(batch.map((line) => Buffer.from(line)))
        } catch (cause) {
          const reason = cause instanceof Error ? cause.message : String(cause)
          const lost = batch.length - appended
          report(codemodeError("STORE_FAILED", ORIGIN, `could not append ${lost} line(s) to ${file}; they are lost: ${reason}`, { cause, data: { file, lines: lost } }))
        }
        done += batch.length
        waiters = waiters.filter((w) => (w.upTo <= done ? (w.resolve(), false) : true))
      }
      draining = undefined // in the same step as the last check: a write() after this starts a new drain
    })()
  }

  /** Appends the lines, rotating whenever the next one would pass maxBytes. */
  async function append(lines: Buffer[]): Promise<void> {
    let next = 0
    let overflow = false // the rotation was left to another process: append regardless
    while (next < lines.length) {
      const fh = await open(file, "a")
      let ino: number
      try {
        const st = await fh.stat()
        ino = st.ino
        let size = st.size
        const chunk: Buffer[] = []
        for (; next < lines.length; next++) {
          const line = lines[next] as Buffer
          if (!overflow && size > 0 && size + line.length > opts.maxBytes) break
          chunk.push(line)
          size += line.length
        }
        if (chunk.length > 0) {
          const buffer = Buffer.concat(chunk)
          const { bytesWritten } = await fh.write(buffer)
          if (bytesWritten !== buffer.length) throw new Error(`short write: ${bytesWritten} of ${buffer.length} bytes`)
          appended += chunk.length
        }
      } finally {
        await fh.close()
      }
      if (next < lines.length) overflow = !(await rotate(ino))
    }
  }

  /** Rotates the file measured as inode `ino`; true when the live file is a fresh one now (rotated by us or another process). */
  async function rotate(ino: number): Promise<boolean> {
    const lockFile = `${file}.lock`
    let lock: FileHandle | undefined
    for (let attempt = 0; attempt < 3 && !lock; attempt++) {
      try {
        lock = await open(lockFile, "wx")
      } catch (error) {
        if (codeOf(error) !== "EEXIST") throw error
        const held = await stat(lockFile).catch(() => undefined)
        // Released since: try again. Unlinking here could remove a lock its owner has just taken again.
        if (!held) continue
        if (Date.now() - held.mtimeMs < AUDIT_LOCK_STALE_MS) return (await stat(file).catch(() => undefined))?.ino !== ino
        await unlink(lockFile).catch(ignoreMissing)
      }
    }
    if (!lock) return false
    try {
      if ((await stat(file).catch(() => undefined))?.ino !== ino) return true
      if (opts.keep === 0) await unlink(file)
      else {
        const top = Math.min(opts.keep - 1, Math.max(0, ...(await rotatedNumbers(file))))
        for (let n = top; n >= 1; n--) await rename(`${file}.${n}`, `${file}.${n + 1}`).catch(ignoreMissing)
        await rename(file, `${file}.1`)
      }
      return true
    } finally {
      await lock.close()
      await unlink(lockFile).catch(ignoreMissing)
    }
  }

  function flush(): Promise<void> {
    if (done >= queued) return Promise.resolve()
    const upTo = queued
    return new Promise((resolve) => waiters.push({ upTo, resolve }))
  }

  return {
    write(entry) {
      if (closing) {
        report(codemodeError("CLOSED", ORIGIN, `the audit log ${file} was closed; the entry for ${String(entry?.tool)} is dropped`))
        return
      }
      try {
        pending.push(serialize(entry, opts.redactor, report))
      } catch (cause) {
        report(codemodeError("STORE_FAILED", ORIGIN, `not an audit entry, dropped: ${String(cause)}`, { cause }))
        return
      }
      queued++
      draining ??= drain()
    },
    flush,
    close() {
      closing ??= flush()
      return closing
    },
  }
}

/** The entry with the secrets in its args and error replaced. */
const redactEntry = (entry: AuditEntry, redactor: Redactor): AuditEntry => ({
  ...entry,
  args: redactor.value(entry.args),
  ...(entry.error !== undefined && { error: redactor.text(entry.error) }),
})

/** `log` writing entries with `redactor`'s secrets replaced: an instance's secrets in a log it shares with others. */
export function redactedAuditLog(log: AuditLog, redactor: Redactor): AuditLog {
  return { write: (entry) => log.write(redactEntry(entry, redactor)), flush: () => log.flush(), close: () => log.close() }
}

/** One JSONL line; args that are not JSON (a BigInt, a cycle) are written as a marker and reported. */
function serialize(entry: AuditEntry, redactor: Redactor | undefined, report: (error: CodeModeError) => void): string {
  if (typeof entry !== "object" || entry === null || typeof entry.tool !== "string") throw new TypeError(`got ${String(entry)}`)
  const clean = redactor ? redactEntry(entry, redactor) : entry
  try {
    return `${JSON.stringify(clean)}\n`
  } catch (cause) {
    report(codemodeError("STORE_FAILED", ORIGIN, `the args of ${entry.tool} are not JSON (${String(cause)}); written as "[not JSON]"`, { cause }))
    return `${JSON.stringify({ ...clean, args: "[not JSON]" })}\n`
  }
}

/**
 * The entries of an audit log: rotated files oldest first (`file.N` … `file.1`), then the live file.
 * A missing file yields nothing (or, with `follow`, waits for it). Rotations that happen while reading
 * are tolerated: files are opened before they are read and recognised by inode, so a file shifted
 * to the next number is neither read twice nor skipped. With `follow`, a rotation between two polls
 * is caught up by reading the rotated files newer than the one being tailed before the new live file.
 *
 * @throws CodeModeError `STORE_FAILED` when a file exists but cannot be read.
 */
export async function* readAudit(file: string, options: ReadAuditOptions = {}): AsyncIterable<AuditEntry> {
  const live = resolve(file)
  const { signal, pollMs = AUDIT_FOLLOW_POLL_MS } = options
  const toEntry = (line: string, name: string): AuditEntry | undefined => parseEntry(line, name, options.onError)
  const files = await openSnapshot(live)
  let tail: Tail | undefined
  let lastIno: number | undefined // of the newest file read
  const entriesOf = async function* (t: Tail) {
    for await (const line of newLines(t)) {
      const entry = toEntry(line, t.name)
      if (entry) yield entry
    }
  }
  try {
    for (let current = files.shift(); current; current = files.shift()) {
      if (signal?.aborted) return
      yield* entriesOf(current)
      lastIno = current.ino
      // A rotated file is complete: a last line without "\n" is reported. The live one may be mid-write.
      if (current.name === live && options.follow) tail = current
      else {
        const last = current.name === live || current.rest.length === 0 ? undefined : toEntry(current.rest.toString("utf8"), current.name)
        await current.fh.close()
        if (last) yield last
      }
    }
    while (options.follow && !signal?.aborted) {
      if (tail) yield* entriesOf(tail)
      const now = await stat(live).catch(() => undefined)
      if (now !== undefined && now.ino !== tail?.ino) {
        // Rotated (or created): the rest of the tailed file, the rotated files newer than it, then the new live file.
        if (tail) yield* entriesOf(tail)
        const { next, rotated } = await rotationSnapshot(live, lastIno)
        for (const file of rotated) {
          yield* entriesOf(file)
          await file.fh.close()
        }
        await tail?.fh.close()
        tail = next
        lastIno = tail?.ino
        continue
      }
      if (tail && now && now.size < tail.pos) Object.assign(tail, { pos: 0, rest: Buffer.alloc(0) }) // truncated in place
      await sleep(pollMs, undefined, { signal }).catch(() => undefined) // aborted: the loop ends
    }
  } finally {
    await tail?.fh.close()
    for (const f of files) await f.fh.close()
  }
}

/** An open file being read: how far, and the start of a line not yet ended by "\n". */
interface Tail {
  fh: FileHandle
  name: string
  ino: number
  pos: number
  rest: Buffer
}

async function openTail(name: string): Promise<Tail | undefined> {
  try {
    const fh = await open(name, "r")
    try {
      return { fh, name, ino: (await fh.stat()).ino, pos: 0, rest: Buffer.alloc(0) }
    } catch (error) {
      await fh.close()
      throw error
    }
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined
    throw codemodeError("STORE_FAILED", ORIGIN, `cannot read ${name}: ${(error as Error).message}`, { cause: error })
  }
}

/** Numbers of the rotated files beside `live` (`live.1`, `live.2` …), ascending (newest first). */
async function rotatedNumbers(live: string): Promise<number[]> {
  const prefix = `${basename(live)}.`
  const names = await readdir(dirname(live)).catch(() => [] as string[])
  return names
    .filter((n) => n.startsWith(prefix) && /^[1-9]\d*$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length)))
    .sort((a, b) => a - b)
}

/** Opens the live file and every rotated one, oldest first; a file shifted by a concurrent rotation is opened once. */
async function openSnapshot(live: string): Promise<Tail[]> {
  const opened = new Map<number, Tail>() // by the number it was opened under (0 = live)
  const seen = new Set<number>()
  const add = async (n: number) => {
    const t = await openTail(n === 0 ? live : `${live}.${n}`)
    if (!t) return
    if (seen.has(t.ino)) await t.fh.close()
    else {
      seen.add(t.ino)
      opened.set(n, t)
    }
  }
  await add(0)
  let max = 0
  for (const n of await rotatedNumbers(live)) await add((max = n))
  // A rotation while opening shifts files to higher numbers: pick up the ones now past the last seen.
  for (const n of await rotatedNumbers(live)) if (n > max) await add(n)
  return [...opened].sort(([a], [b]) => (a === 0 ? 1 : b === 0 ? -1 : b - a)).map(([, t]) => t)
}

/** The rotated files newer than the one with inode `ino` (all of them when it is gone), oldest first. */
/**
 * The new live file (opened first) and the rotated files between `ino` and it, taken while no
 * rotation happens: a writer that rotates again during the scan renames files under it, so the scan
 * is repeated until the live file is still the one opened.
 */
async function rotationSnapshot(live: string, ino: number | undefined): Promise<{ next: Tail | undefined; rotated: Tail[] }> {
  for (;;) {
    const next = await openTail(live)
    const rotated: Tail[] = []
    for (const t of await rotatedSince(live, ino)) {
      if (t.ino === next?.ino) await t.fh.close() // the opened live file, rotated meanwhile: caught below
      else rotated.push(t)
    }
    const still = await stat(live).catch(() => undefined)
    if (still?.ino === next?.ino) return { next, rotated }
    for (const t of [...rotated, ...(next ? [next] : [])]) await t.fh.close()
  }
}

async function rotatedSince(live: string, ino: number | undefined): Promise<Tail[]> {
  const newer: Tail[] = []
  for (const n of await rotatedNumbers(live)) {
    const t = await openTail(`${live}.${n}`)
    if (!t) continue
    if (t.ino === ino) {
      await t.fh.close()
      break
    }
    newer.push(t)
  }
  return newer.reverse()
}

/** The complete lines from the current position to the end of the file. */
async function* newLines(t: Tail): AsyncGenerator<string> {
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES)
  for (;;) {
    const { bytesRead } = await t.fh.read(buffer, 0, buffer.length, t.pos)
    if (bytesRead === 0) return
    t.pos += bytesRead
    const data = t.rest.length > 0 ? Buffer.concat([t.rest, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead)
    let start = 0
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
      const line = data.toString("utf8", start, nl)
      start = nl + 1
      yield line
    }
    t.rest = Buffer.from(data.subarray(start)) // a copy: `buffer` is reused
  }
}

function parseEntry(line: string, name: string, onError: ReadAuditOptions["onError"]): AuditEntry | undefined {
  if (line.trim() === "") return undefined
  try {
    const value = JSON.parse(line) as Partial<AuditEntry> | null
    if (typeof value === "object" && value !== null && typeof value.time === "string" && typeof value.tool === "string") return value as AuditEntry
  } catch {
    // reported below
  }
  onError?.(codemodeError("STORE_FAILED", ORIGIN, `${name}: skipped a line that is not an audit entry: ${line.slice(0, 80)}`, { data: { file: name } }))
  return undefined
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code
}

function ignoreMissing(error: unknown): void {
  if (codeOf(error) !== "ENOENT") throw error
}
