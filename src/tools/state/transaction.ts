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
  const own = (collection: string) => {
    let map = writes.get(collection)
    if (!map) writes.set(collection, (map = new Map()))
    return map
  }
  return {
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
    write(collection, id, doc) {
      assertOpen()
      own(collection).set(id, doc)
    },
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
    savepoint() {
      const saved = new Map([...writes].map(([collection, docs]) => [collection, new Map(docs)]))
      return () => {
        writes.clear()
        for (const [collection, docs] of saved) writes.set(collection, new Map(docs))
      }
    },
  }
}
