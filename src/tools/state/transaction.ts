/**
 * One run's transaction on a state database: its writes are held here and laid over the committed
 * documents for its own reads, what it read is remembered with its version, and `commit` hands
 * both to the database at the end of the run (all written, or nothing on a conflict), with the
 * receipt of a durable run. Nothing is locked while the run goes on, so a run waiting for an
 * approval blocks nobody.
 */
import { createHash, randomBytes } from "node:crypto"
import { codemodeError } from "../../errors.js"
import type { RunParticipant } from "../tool.js"
import type { Change, ReadSet, StateDatabase, Write } from "./database.js"

export type Doc = Record<string, unknown> & { id: string }

export interface Transaction extends RunParticipant {
  /** The document as this run sees it (its own writes first), or `undefined`. */
  get(collection: string, id: string): Doc | undefined
  /** Every document of the collection as this run sees it, oldest first (its own inserts last). */
  scan(collection: string): Doc[]
  /** Holds a write (`null` deletes) until commit. */
  write(collection: string, id: string, doc: Doc | null): void
  /** A new document id: derived from the run's id and a counter when there is one (a replayed run gets the same ids), random otherwise. */
  newId(): string
}

const ORIGIN = "state"
/** Hex characters of a generated id (64 bits). */
const ID_CHARS = 16

/**
 * A transaction on `db`. `seed`: the run's id, for ids that repeat when a durable run is replayed.
 * `onCommit` receives what the commit changed (not called for a run that wrote nothing).
 */
export function createTransaction(db: StateDatabase, seed: string | undefined, onCommit: (changes: Change[]) => void): Transaction {
  const writes = new Map<string, Map<string, Doc | null>>()
  const docReads = new Map<string, ReadSet["docs"][number]>()
  const collectionReads = new Map<string, number>()
  let ids = 0
  let ended = false
  const assertOpen = () => {
    if (ended) throw codemodeError("ABORTED", ORIGIN, "the run this state call belongs to has ended; its writes were committed or dropped already")
  }
  /** Holds a write; `undefined` drops the write held for the document (a savepoint's undo). */
  const put = (collection: string, id: string, doc: Doc | null | undefined) => {
    assertOpen()
    let map = writes.get(collection)
    if (!map) writes.set(collection, (map = new Map()))
    if (doc === undefined) map.delete(id)
    else map.set(id, doc)
  }
  const tx: Transaction = {
    get(collection, id) {
      assertOpen()
      const mine = writes.get(collection)?.get(id)
      if (mine !== undefined) return mine ?? undefined
      const stored = db.get(collection, id)
      const key = `${collection}\u0000${id}`
      if (!docReads.has(key)) docReads.set(key, { collection, id, version: stored?.version ?? 0 })
      return stored?.doc as Doc | undefined
    },
    scan(collection) {
      assertOpen()
      const { docs, rev } = db.scan(collection)
      if (!collectionReads.has(collection)) collectionReads.set(collection, rev)
      const mine = writes.get(collection)
      if (!mine) return docs.map((d) => d.doc as Doc)
      const seen = new Set<string>()
      const out: Doc[] = []
      for (const d of docs) {
        seen.add(d.id)
        const over = mine.get(d.id)
        if (over === undefined) out.push(d.doc as Doc)
        else if (over !== null) out.push(over)
      }
      for (const [id, doc] of mine) if (!seen.has(id) && doc !== null) out.push(doc)
      return out
    },
    write: put,
    newId() {
      const n = ids++
      if (seed === undefined) return randomBytes(ID_CHARS / 2).toString("hex")
      return createHash("sha256").update(`${seed}:${n}`).digest("hex").slice(0, ID_CHARS)
    },
    hasEffects: () => [...writes.values()].some((docs) => docs.size > 0),
    commit(receipt) {
      assertOpen()
      ended = true
      const list: Write[] = []
      for (const [collection, docs] of writes) for (const [id, doc] of docs) list.push({ collection, id, doc })
      if (list.length === 0) return
      const marker = receipt && { run: receipt.runId, receipt: JSON.stringify(receipt), keepUntil: receipt.keepUntil }
      const changes = db.commit({ docs: [...docReads.values()], collections: [...collectionReads].map(([collection, rev]) => ({ collection, rev })) }, list, marker)
      if (changes.length > 0) onCommit(changes)
    },
    rollback() {
      ended = true
      writes.clear()
    },
    savepoint: () => savepoint(put),
  }
  return tx

  /**
   * A view of the transaction whose writes are logged, so `rollback` undoes exactly those: a
   * procedure that fails keeps what its caller and siblings wrote meanwhile (a document another
   * scope wrote after it keeps that write). `parent` takes its writes (the outer view's, so an
   * outer rollback undoes an inner view's writes too).
   */
  function savepoint(parent: typeof put) {
    const log = new Map<string, { collection: string; id: string; before: Doc | null | undefined; after: Doc | null | undefined }>()
    const write = (collection: string, id: string, doc: Doc | null | undefined) => {
      const key = `${collection}\u0000${id}`
      const entry = log.get(key) ?? { collection, id, before: writes.get(collection)?.get(id), after: doc }
      entry.after = doc
      log.set(key, entry)
      parent(collection, id, doc)
    }
    const participant: Transaction = { ...tx, write, savepoint: () => savepoint(write) }
    return {
      participant,
      rollback() {
        for (const { collection, id, before, after } of log.values()) if (writes.get(collection)?.get(id) === after) write(collection, id, before)
        log.clear()
      },
    }
  }
}
