/**
 * Saved procedures, every version kept, in a state database (the collection `$procedures`, a name
 * no user collection can have). Saving a name again adds a version; restoring an old version saves
 * it again as the newest; removing drops every version.
 */
import { CodeModeError, codemodeError } from "../../errors.js"
import { isIdentifier } from "../../tools/identifiers.js"
import type { JSONSchema } from "../../tools/tool.js"
import type { StateDatabase } from "../../tools/state/database.js"

/** One saved version of a procedure. */
export interface Procedure {
  name: string
  /** 1 for the first save, then one more per save. */
  version: number
  description: string
  /** The program as it was run (JS or TS); it reads its argument as `input`. */
  code: string
  /** The schema of `input` (given, or inferred from what the code reads of it). */
  inputSchema: JSONSchema
  /** The tools the program called when it was saved ("namespace.tool"). */
  tools: string[]
  /** ISO time of the save. */
  savedAt: string
}

/** What `procedures list --json` prints per procedure: its newest version. */
export interface ProcedureSummary {
  name: string
  version: number
  description: string
}

export interface ProcedureStore {
  /** The newest version of every procedure, by name. */
  list(): Promise<ProcedureSummary[]>
  /** Every version of `name`, oldest first ([] when there is none). */
  versions(name: string): Promise<Procedure[]>
  /** `name` at `version` (default: the newest), or undefined. */
  get(name: string, version?: number): Promise<Procedure | undefined>
  /** Saves a new version; rejects with `PROCEDURE_INVALID` for a bad name or code identical to the newest version. */
  save(procedure: Omit<Procedure, "version" | "savedAt">): Promise<Procedure>
  /** Saves version `version` again as the newest. */
  restore(name: string, version: number): Promise<Procedure>
  /** Removes every version; false when there was none. */
  remove(name: string): Promise<boolean>
  /** A number that every save, restore and removal (of any process) changes. */
  revision(): Promise<number>
}

export const PROCEDURES_COLLECTION = "$procedures"
const ORIGIN = "procedures"
/** Longest procedure name. */
const MAX_NAME = 64

const invalid = (message: string) => codemodeError("PROCEDURE_INVALID", ORIGIN, message)

/** Throws `PROCEDURE_INVALID` unless `name` can be called as `codemode.procedures.<name>`. */
export function checkProcedureName(name: string): void {
  if (typeof name !== "string" || !isIdentifier(name) || name.length > MAX_NAME) {
    throw invalid(`${JSON.stringify(name)} cannot be a procedure name: use a JS identifier of at most ${MAX_NAME} characters (letters, digits, _ and $, not starting with a digit, not a reserved word), e.g. "addTodo"`)
  }
}

export function procedureStore(open: () => Promise<StateDatabase>): ProcedureStore {
  const all = async (): Promise<Procedure[]> => (await open()).scan(PROCEDURES_COLLECTION).docs.map(({ doc: { id: _id, ...p } }) => p as unknown as Procedure)
  const versions = async (name: string) => (await all()).filter((p) => p.name === name).sort((a, b) => a.version - b.version)
  const write = async (procedure: Omit<Procedure, "version" | "savedAt">): Promise<Procedure> => {
    const db = await open()
    const existing = await versions(procedure.name)
    const version = (existing.at(-1)?.version ?? 0) + 1
    const saved: Procedure = { ...procedure, version, savedAt: new Date().toISOString() }
    const id = `${procedure.name}@${version}`
    // Read as absent: a concurrent save of the same version is a conflict, not an overwrite.
    try {
      db.commit({ docs: [{ collection: PROCEDURES_COLLECTION, id, version: 0 }], collections: [] }, [{ collection: PROCEDURES_COLLECTION, id, doc: { id, ...saved } }])
    } catch (error) {
      if (!CodeModeError.is(error, "STATE_CONFLICT")) throw error
      throw codemodeError("STATE_CONFLICT", ORIGIN, `another process saved version ${version} of procedure "${procedure.name}" at the same time; nothing was saved: save it again (as version ${version + 1})`, { cause: error })
    }
    return saved
  }
  return {
    revision: async () => (await open()).rev(PROCEDURES_COLLECTION),
    list: async () => {
      const newest = new Map<string, Procedure>()
      for (const p of await all()) if ((newest.get(p.name)?.version ?? 0) < p.version) newest.set(p.name, p)
      return [...newest.values()].sort((a, b) => a.name.localeCompare(b.name)).map(({ name, version, description }) => ({ name, version, description }))
    },
    versions,
    get: async (name, version) => {
      const list = await versions(name)
      return version === undefined ? list.at(-1) : list.find((p) => p.version === version)
    },
    save: async (procedure) => {
      checkProcedureName(procedure.name)
      const newest = (await versions(procedure.name)).at(-1)
      if (newest && newest.code === procedure.code && newest.description === procedure.description && JSON.stringify(newest.inputSchema) === JSON.stringify(procedure.inputSchema)) {
        throw invalid(`procedure "${procedure.name}" version ${newest.version} is the same program; nothing was saved`)
      }
      return write(procedure)
    },
    restore: async (name, version) => {
      const list = await versions(name)
      const old = list.find((p) => p.version === version)
      if (!old) throw invalid(list.length === 0 ? `there is no procedure "${name}"` : `procedure "${name}" has no version ${version}; versions: ${list.map((p) => p.version).join(", ")}`)
      const { version: _v, savedAt: _s, ...content } = old
      return write(content)
    },
    remove: async (name) => {
      const list = await versions(name)
      if (list.length === 0) return false
      const db = await open()
      db.commit({ docs: [], collections: [] }, list.map((p) => ({ collection: PROCEDURES_COLLECTION, id: `${name}@${p.version}`, doc: null })))
      return true
    },
  }
}
