/**
 * The state database: JSON documents in collections, each with a version, and each collection with a
 * revision that every committed write bumps. One small interface, so the engine can change; the one
 * implementation is SQLite through better-sqlite3 (an optional peer dependency, loaded on first
 * open). docs/state.md has the figures behind that choice.
 *
 * Reads are plain reads of committed data. Writes only happen in {@link StateDatabase.commit}: one
 * SQLite transaction that first checks that nothing the run read has changed since (optimistic
 * concurrency), then applies every write, so a run's writes are all there or none are. A durable run's
 * commit also records the run in `committed_runs`, in that same transaction: a resume after its host
 * stopped before the journal recorded "done" finds it there (and a second commit of the run is refused).
 */
import type BetterSqlite3 from "better-sqlite3"
import { CodeModeError, codemodeError } from "../../errors.js"

/** How to install the engine when it is missing. */
export const SQLITE_INSTALL_COMMAND = "npm install better-sqlite3@12"

/** A stored document: its id, its fields and how many times it was written. */
export interface StoredDoc {
  id: string
  doc: Record<string, unknown>
  version: number
}

/** What a run read, to be checked unchanged at commit: doc versions (0: absent) and collection revisions. */
export interface ReadSet {
  docs: Array<{ collection: string; id: string; version: number }>
  collections: Array<{ collection: string; rev: number }>
}

/** One write of a run: the document's new fields, or `null` to delete it. */
export interface Write {
  collection: string
  id: string
  doc: Record<string, unknown> | null
}

/** What a commit changed, per collection and operation, for change events. */
export interface Change {
  collection: string
  operation: "insert" | "update" | "delete"
  ids: string[]
}

/** What a durable run's commit records with its writes: its id, a receipt (JSON, opaque here) and until when it is kept. */
export interface RunMarker {
  run: string
  receipt: string
  /** ms since the epoch; a later marked commit removes markers past theirs. */
  keepUntil: number
}

/** A change as the database keeps it, numbered in commit order. */
export interface LoggedChange extends Change {
  seq: number
}

export interface StateDatabase {
  /** The committed document, or `undefined`. */
  get(collection: string, id: string): StoredDoc | undefined
  /** Every committed document of a collection, oldest first, and the collection's revision. */
  scan(collection: string): { docs: StoredDoc[]; rev: number }
  /** The collection's revision (0 before its first write). */
  rev(collection: string): number
  /**
   * In one transaction: checks `reads` against the committed data (a difference rejects with
   * `STATE_CONFLICT` and writes nothing), applies `writes` and bumps the revisions; with `marker`, also
   * records it (and drops markers kept long enough). Returns what changed. Rejects with `STATE_FAILED`
   * when the database cannot write (disk full, read-only, locked) or `marker`'s run committed here already.
   */
  commit(reads: ReadSet, writes: readonly Write[], marker?: RunMarker): Change[]
  /** The marker of run `run`'s commit, or `undefined`. */
  committedRun(run: string): RunMarker | undefined
  /** Changes committed after `seq` (by any process), oldest first; the newest {@link KEPT_CHANGES} are kept. */
  changesSince(seq: number): LoggedChange[]
  /** The seq of the last change committed (0: none). */
  lastChange(): number
  /** Idempotent. */
  close(): void
}

export interface SqliteOptions {
  /** Largest size of the database, in bytes; a write beyond it fails like a full disk. Default: no limit. */
  maxBytes?: number
  /** How long a commit waits for another process's write lock, in ms. Default 5,000. */
  busyTimeoutMs?: number
}

const ORIGIN = "state"

const SCHEMA = `
CREATE TABLE IF NOT EXISTS docs (collection TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, version INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS docs_seq ON docs (collection, seq);
CREATE TABLE IF NOT EXISTS revisions (collection TEXT PRIMARY KEY, rev INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, operation TEXT NOT NULL, ids TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS committed_runs (run TEXT PRIMARY KEY, receipt TEXT NOT NULL, keep_until INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS committed_runs_keep ON committed_runs (keep_until);
`

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}

/** Change events kept in the database for other processes to read: the newest this many. */
const KEPT_CHANGES = 10_000

/** An error of the engine as a `STATE_FAILED` (or `STATE_CONFLICT`, passed through) naming the file. */
export function databaseError(error: unknown, file: string, what: string): CodeModeError {
  if (CodeModeError.is(error)) return error
  const code = (error as { code?: unknown } | null)?.code
  const reason =
    code === "SQLITE_FULL"
      ? "the disk (or the database's maxBytes) is full"
      : code === "SQLITE_BUSY"
        ? "another process held the database locked for too long"
        : code === "SQLITE_READONLY" || code === "SQLITE_CANTOPEN"
          ? "the file cannot be written"
          : error instanceof Error
            ? error.message
            : String(error)
  return codemodeError("STATE_FAILED", ORIGIN, `${what} ${file} failed: ${reason}`, { cause: error, data: { file, ...(typeof code === "string" ? { sqlite: code } : {}) } })
}

/**
 * Opens (creating it if needed) a SQLite state database. `file` may be ":memory:" (one process, gone
 * on close). Rejects with `CONFIG_INVALID` naming the install command when better-sqlite3 is missing,
 * `STATE_FAILED` when the file cannot be opened.
 */
export async function openSqlite(file: string, options: SqliteOptions = {}): Promise<StateDatabase> {
  let Database: typeof BetterSqlite3
  try {
    Database = (await import("better-sqlite3")).default
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error)
    throw codemodeError("CONFIG_INVALID", ORIGIN, `state needs the "better-sqlite3" package, which could not be loaded (${reason}); install it: ${SQLITE_INSTALL_COMMAND}`, { cause: error })
  }
  let db: BetterSqlite3.Database
  try {
    db = new Database(file, { timeout: options.busyTimeoutMs ?? 5_000 })
    if (file !== ":memory:") db.pragma("journal_mode = WAL")
    db.pragma("synchronous = FULL")
    db.exec(SCHEMA)
    if (options.maxBytes !== undefined) {
      const pageSize = db.pragma("page_size", { simple: true }) as number
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`)
    }
  } catch (error) {
    throw databaseError(error, file, "opening")
  }
  const get = db.prepare<[string, string], { doc: string; version: number }>("SELECT doc, version FROM docs WHERE collection = ? AND id = ?")
  const scan = db.prepare<[string], { id: string; doc: string; version: number }>("SELECT id, doc, version FROM docs WHERE collection = ? ORDER BY seq")
  const rev = db.prepare<[string], { rev: number }>("SELECT rev FROM revisions WHERE collection = ?")
  const put = db.prepare("INSERT INTO docs (collection, id, doc, version, seq) VALUES (@collection, @id, @doc, @version, @seq) ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc, version = excluded.version")
  const remove = db.prepare("DELETE FROM docs WHERE collection = ? AND id = ?")
  const bump = db.prepare("INSERT INTO revisions (collection, rev) VALUES (?, 1) ON CONFLICT (collection) DO UPDATE SET rev = rev + 1")
  const logChange = db.prepare("INSERT INTO changes (collection, operation, ids) VALUES (?, ?, ?)")
  const pruneChanges = db.prepare("DELETE FROM changes WHERE seq <= (SELECT max(seq) FROM changes) - ?")
  const changesSince = db.prepare<[number], { seq: number; collection: string; operation: Change["operation"]; ids: string }>("SELECT seq, collection, operation, ids FROM changes WHERE seq > ? ORDER BY seq")
  const lastChange = db.prepare<[], { seq: number | null }>("SELECT max(seq) AS seq FROM changes")
  const marked = db.prepare<[string], { receipt: string; keep_until: number }>("SELECT receipt, keep_until FROM committed_runs WHERE run = ?")
  const mark = db.prepare("INSERT INTO committed_runs (run, receipt, keep_until) VALUES (?, ?, ?)")
  const pruneMarks = db.prepare("DELETE FROM committed_runs WHERE keep_until < ?")
  const nextSeq = db.prepare<[string], { seq: number | null }>("SELECT max(seq) AS seq FROM docs WHERE collection = ?")
  const revOf = (collection: string) => rev.get(collection)?.rev ?? 0
  const conflict = (what: string) =>
    codemodeError("STATE_CONFLICT", ORIGIN, `${what} was changed by another run after this run read it; nothing of this run was written: run it again`)

  const apply = db.transaction((reads: ReadSet, writes: readonly Write[], marker: RunMarker | undefined): Change[] => {
    if (marker) {
      if (marked.get(marker.run)) {
        throw codemodeError("STATE_FAILED", ORIGIN, `run ${marker.run} committed its writes to ${file} already (before its host stopped); nothing was written again`, { data: { file, run: marker.run } })
      }
      pruneMarks.run(Date.now())
      mark.run(marker.run, marker.receipt, marker.keepUntil)
    }
    for (const read of reads.collections) if (revOf(read.collection) !== read.rev) throw conflict(`collection "${read.collection}"`)
    for (const read of reads.docs) if ((get.get(read.collection, read.id)?.version ?? 0) !== read.version) throw conflict(`document "${read.id}" of "${read.collection}"`)
    const changes = new Map<string, Change>()
    const note = (collection: string, operation: Change["operation"], id: string) => {
      const key = `${collection}\u0000${operation}`
      const change = changes.get(key) ?? { collection, operation, ids: [] }
      change.ids.push(id)
      changes.set(key, change)
    }
    // A written document's version is its collection's new revision: it only grows, also across a delete and a new insert.
    // A delete of a document that is not there (a run inserted it, then deleted it) changes nothing, and bumps nothing.
    const effective = writes.filter((write) => write.doc !== null || get.get(write.collection, write.id) !== undefined)
    const revisions = new Map<string, number>()
    for (const write of effective) {
      if (revisions.has(write.collection)) continue
      bump.run(write.collection)
      revisions.set(write.collection, revOf(write.collection))
    }
    for (const write of effective) {
      const existed = get.get(write.collection, write.id) !== undefined
      if (write.doc === null) {
        remove.run(write.collection, write.id)
        note(write.collection, "delete", write.id)
      } else {
        const seq = (nextSeq.get(write.collection)?.seq ?? 0) + 1
        put.run({ collection: write.collection, id: write.id, doc: JSON.stringify(write.doc), version: revisions.get(write.collection), seq })
        note(write.collection, existed ? "update" : "insert", write.id)
      }
    }
    for (const change of changes.values()) logChange.run(change.collection, change.operation, JSON.stringify(change.ids))
    if (changes.size > 0) pruneChanges.run(KEPT_CHANGES)
    return [...changes.values()]
  })

  /**
   * Each collection's documents as last scanned, at their revision: every commit (of any process)
   * bumps the revision, so a scan at the same one reuses them instead of parsing every document again.
   * Frozen, because every scan at that revision hands out the same objects.
   */
  const scans = new Map<string, { docs: StoredDoc[]; rev: number }>()
  let closed = false
  const guard = <T>(what: string, fn: () => T): T => {
    if (closed) throw codemodeError("CLOSED", ORIGIN, `${what} after the state database ${file} was closed`)
    try {
      return fn()
    } catch (error) {
      throw databaseError(error, file, what)
    }
  }
  return {
    get: (collection, id) =>
      guard("reading", () => {
        const row = get.get(collection, id)
        return row ? { id, doc: JSON.parse(row.doc) as Record<string, unknown>, version: row.version } : undefined
      }),
    scan: (collection) =>
      guard("reading", () => {
        const current = revOf(collection)
        const cached = scans.get(collection)
        if (cached?.rev === current) return cached
        // one read transaction: the documents and the revision agree
        const read = db.transaction(() => ({
          docs: scan.all(collection).map((row) => deepFreeze({ id: row.id, doc: JSON.parse(row.doc) as Record<string, unknown>, version: row.version })),
          rev: revOf(collection),
        }))()
        scans.set(collection, read)
        return read
      }),
    rev: (collection) => guard("reading", () => revOf(collection)),
    commit: (reads, writes, marker) => guard("writing", () => apply.immediate(reads, writes, marker)),
    committedRun: (run) =>
      guard("reading", () => {
        const row = marked.get(run)
        return row ? { run, receipt: row.receipt, keepUntil: row.keep_until } : undefined
      }),
    changesSince: (seq) => guard("reading", () => changesSince.all(seq).map((row) => ({ ...row, ids: JSON.parse(row.ids) as string[] }))),
    lastChange: () => guard("reading", () => lastChange.get()?.seq ?? 0),
    close: () => {
      if (closed) return
      closed = true
      scans.clear()
      db.close()
    },
  }
}
