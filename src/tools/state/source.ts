/**
 * `state(namespace, { db, collections })`: typed collections of JSON documents in a database file,
 * as tools `codemode.<ns>.<collection>.get / query / insert / update / delete`. Writes of a run are
 * one transaction (transaction.ts), committed when the run finishes; change events go to listeners
 * in this process, and to other processes through the database (`watchState`, events.ts).
 */
import { realpath } from "node:fs/promises"
import { CodeModeError, codemodeError } from "../../errors.js"
import { compileSchema, type Compiled, type ZodSchema } from "../functions.js"
import { isIdentifier, toIdentifier } from "../identifiers.js"
import type { CallContext, CommitReceipt, JSONSchema, Tool, ToolSource } from "../tool.js"
import { openSqlite, type Change, type StateDatabase } from "./database.js"
import { querySchema, runQuery, MAX_QUERY_LIMIT, type QueryArgs } from "./query.js"
import { createTransaction, type Doc, type Transaction } from "./transaction.js"

export interface StateOptions {
  /** The database file (created if missing), relative to the working directory; ":memory:" for one process only. */
  db: string
  /** Collection name → the schema of its documents (a JSON Schema or zod object schema, without `id`). */
  collections: Record<string, ZodSchema | JSONSchema>
  /** Largest document, in bytes of JSON. Default {@link DEFAULT_MAX_DOC_BYTES} (1 MiB). */
  maxDocBytes?: number
  /** Largest size of the database, in bytes; a write beyond it fails as on a full disk. Default: no limit. */
  maxBytes?: number
  /** Called after each commit with what changed (collection, operation, ids). Must not throw. */
  onChange?: (change: Change) => void
}

/** A state source: tools, plus change events of this process. */
export interface StateSource extends ToolSource {
  /** Listens for the changes committed through this source; returns an unsubscribe function. */
  subscribe(listener: (change: Change) => void): () => void
}

export const DEFAULT_MAX_DOC_BYTES = 1 << 20
const KIND = "state"
const ID_SCHEMA = { type: "string", minLength: 1, maxLength: 200, description: "The document's id." }

interface Collection {
  name: string
  /** The document type's name in the declarations, e.g. "Todo" for "todos". */
  typeName: string
  /** Object schema of a document without `id`. */
  schema: Record<string, unknown>
  check: Compiled["check"]
}

/** "todos" → "Todo", "categories" → "Category": a readable name for one document. */
function singular(name: string): string {
  const base = name.replace(/ies$/, "y").replace(/(?<!s)s$/, "")
  return base.charAt(0).toUpperCase() + base.slice(1)
}

function compileCollection(namespace: string, name: string, schema: ZodSchema | JSONSchema): Collection {
  const where = `${namespace}.${name}`
  if (!isIdentifier(name)) throw codemodeError("CONFIG_INVALID", KIND, `collection name ${JSON.stringify(name)} is not an identifier (try ${JSON.stringify(toIdentifier(name))})`)
  if (name.startsWith("$")) throw codemodeError("CONFIG_INVALID", KIND, `collection name ${JSON.stringify(name)} starts with "$": such names are codemode's own (procedures are kept in "$procedures")`)
  const compiled = compileSchema(schema, "input", where)
  const json = compiled.jsonSchema
  if (typeof json !== "object" || json.type !== "object") throw codemodeError("CONFIG_INVALID", where, 'a collection schema must be an object schema ({ "type": "object", "properties": … })')
  const { $schema: _s, ...rest } = json
  const props = (rest.properties ?? {}) as Record<string, unknown>
  if ("id" in props) throw codemodeError("CONFIG_INVALID", where, 'leave "id" out of the collection schema: every document gets a string id')
  return { name, typeName: singular(name), schema: rest, check: compiled.check }
}

/** The document schema with `id`, named through `$defs` so every tool of the collection shares one type. */
function docSchemas(c: Collection) {
  const props = (c.schema.properties ?? {}) as Record<string, JSONSchema>
  const required = Array.isArray(c.schema.required) ? (c.schema.required as string[]) : []
  const defs = { [c.typeName]: { ...c.schema, properties: { id: ID_SCHEMA, ...props }, required: ["id", ...required] } }
  const ref = (schema: Record<string, unknown>): JSONSchema => ({ ...schema, $defs: defs })
  const docRef = { $ref: `#/$defs/${c.typeName}` }
  const partial = { type: "object", properties: props, additionalProperties: c.schema.additionalProperties ?? true, description: "Fields to set; the others keep their values." }
  return {
    doc: ref(docRef),
    docOrNull: ref({ anyOf: [docRef, { type: "null" }] }),
    docs: ref({ type: "array", items: docRef }),
    insert: { ...c.schema, properties: { id: { ...ID_SCHEMA, description: "The document's id. Default: a new unique id." }, ...props } },
    byId: { type: "object", properties: { id: ID_SCHEMA }, required: ["id"], additionalProperties: false },
    update: { type: "object", properties: { id: ID_SCHEMA, set: partial }, required: ["id", "set"], additionalProperties: false },
    deleted: { type: "object", properties: { id: { type: "string" }, deleted: { type: "boolean", description: "False when there was no such document." } }, required: ["id", "deleted"] },
    query: querySchema(props, Object.keys(props)),
  }
}

/**
 * A tool source of typed collections stored in a SQLite file: for each collection `c`, tools
 * `codemode.<namespace>.c.get({ id })`, `.query({ filter, sort, limit, offset })`, `.insert(doc)`,
 * `.update({ id, set })` and `.delete({ id })`. Called from a run, the writes are held until the
 * run finishes and then committed together (or dropped when it fails); called directly, each call
 * commits on its own. The database opens on `load()` (better-sqlite3 is loaded then).
 *
 * @example
 * const app = state("state", { db: "app.db", collections: { todos: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } } })
 * // in a program: const todo = await codemode.state.todos.insert({ text: "write docs" })
 */
export function state(namespace: string, options: StateOptions): StateSource {
  if (!isIdentifier(namespace)) throw codemodeError("CONFIG_INVALID", KIND, `namespace ${JSON.stringify(namespace)} is not a valid identifier`)
  if (typeof options?.db !== "string" || options.db === "") throw codemodeError("CONFIG_INVALID", namespace, 'state needs "db": a database file path (or ":memory:")')
  if (typeof options.collections !== "object" || options.collections === null) throw codemodeError("CONFIG_INVALID", namespace, 'state needs "collections": { "<name>": <JSON Schema> }')
  const collections = Object.entries(options.collections).map(([name, schema]) => compileCollection(namespace, name, schema))
  const maxDocBytes = options.maxDocBytes ?? DEFAULT_MAX_DOC_BYTES
  const listeners = new Set<(change: Change) => void>()
  if (options.onChange) listeners.add(options.onChange)
  const emit = (changes: Change[]) => {
    for (const change of changes) for (const listener of listeners) {
      try {
        listener(change)
      } catch {
        // a listener's failure is its own
      }
    }
  }
  let db: Promise<StateDatabase> | undefined
  /** The database, opened on first use; a failed open is tried again next time. */
  const openDatabase = async (): Promise<StateDatabase> => {
    const opening = (db ??= openSqlite(options.db, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }))
    try {
      const database = await opening
      key = `state:${options.db === ":memory:" ? `:memory:${namespace}` : await realpath(options.db)}`
      return database
    } catch (error) {
      if (db === opening) db = undefined
      throw error
    }
  }
  /** The run participant's key: the file's real path, so two spellings of one file are one transaction. */
  let key = ""

  /** The run's transaction on this database, or one for this call alone (committed after it). */
  const withTransaction = async <T>(ctx: CallContext, body: (tx: Transaction) => Promise<T>): Promise<T> => {
    if (!db) throw codemodeError("CLOSED", namespace, `the state source "${namespace}" is not loaded or was closed: call load() first`)
    const database = await db
    if (ctx.run) return body(ctx.run.join(key, () => createTransaction(database, ctx.run?.runId, emit)))
    const tx = createTransaction(database, undefined, emit)
    try {
      const value = await body(tx)
      tx.commit()
      return value
    } catch (error) {
      tx.rollback()
      throw error
    }
  }

  const toolsOf = (c: Collection): Tool[] => {
    const ns = `${namespace}.${c.name}`
    const schemas = docSchemas(c)
    const where = (op: string) => `${ns}.${op}`
    const checked = async (op: string, doc: unknown) => {
      const result = await c.check(doc)
      if (!result.ok) throw codemodeError("TOOL_INPUT_INVALID", where(op), `the document does not match the schema of "${c.name}": ${result.message}`)
      const bytes = Buffer.byteLength(JSON.stringify(doc))
      if (bytes > maxDocBytes) throw codemodeError("STATE_TOO_LARGE", where(op), `the document is ${bytes} bytes of JSON; documents of "${c.name}" may have at most ${maxDocBytes}`, { data: { bytes, maxDocBytes } })
    }
    const tool = (name: string, description: string, inputSchema: JSONSchema, outputSchema: JSONSchema, call: (input: Record<string, unknown>, tx: Transaction) => unknown, readOnly: boolean): Tool => {
      const args = compileSchema(inputSchema, "input", where(name))
      return {
      name,
      namespace: ns,
      description,
      inputSchema,
      outputSchema,
      annotations: readOnly ? { readOnlyHint: true, idempotentHint: true } : { destructiveHint: name === "delete" },
      origin: { kind: KIND, originalName: `${c.name}.${name}` },
      transactional: true,
      call: async (input, ctx) => {
        const parsed = await args.check(input ?? {})
        if (!parsed.ok) throw codemodeError("TOOL_INPUT_INVALID", where(name), `invalid input: ${parsed.message}`)
        // copies: query results are the database's frozen cache, written documents are held by the transaction
        return structuredClone(await withTransaction(ctx, async (tx) => call(input as Record<string, unknown>, tx)))
      },
    }
    }
    return [
      tool("get", `The ${c.typeName} with this id, or null.`, schemas.byId, schemas.docOrNull, ({ id }, tx) => tx.get(c.name, id as string) ?? null, true),
      tool(
        "query",
        `${c.typeName} documents that match a filter, sorted, at most \`limit\` (default ${MAX_QUERY_LIMIT}). Filter by equality ({ done: false }) or conditions ({ priority: { gte: 2 } }).`,
        schemas.query,
        schemas.docs,
        (q, tx) => runQuery(tx.scan(c.name), q as QueryArgs),
        true,
      ),
      tool("insert", `Stores a new ${c.typeName} and returns it with its \`id\`.`, schemas.insert, schemas.doc, async (input, tx) => {
        const { id: given, ...fields } = input
        await checked("insert", fields)
        const id = typeof given === "string" ? given : tx.newId()
        if (tx.get(c.name, id)) throw codemodeError("TOOL_INPUT_INVALID", where("insert"), `a document with id ${JSON.stringify(id)} already exists in "${c.name}"; use update`)
        const doc: Doc = { id, ...fields }
        tx.write(c.name, id, doc)
        return doc
      }, false),
      tool("update", `Sets fields of the ${c.typeName} with this id and returns it.`, schemas.update, schemas.doc, async ({ id, set }, tx) => {
        for (;;) {
          const current = tx.get(c.name, id as string)
          if (!current) throw codemodeError("STATE_NOT_FOUND", where("update"), `no document with id ${JSON.stringify(id)} in "${c.name}"`)
          const { id: _ignored, ...fields } = { ...current, ...(set as object) }
          await checked("update", fields)
          // Another call of the run (Promise.all) may have written the document during the check: set the fields on that.
          if (JSON.stringify(tx.get(c.name, id as string)) !== JSON.stringify(current)) continue
          const doc: Doc = { id: id as string, ...fields }
          tx.write(c.name, doc.id, doc)
          return doc
        }
      }, false),
      tool("delete", `Deletes the ${c.typeName} with this id.`, schemas.byId, schemas.deleted, ({ id }, tx) => {
        const existed = tx.get(c.name, id as string) !== undefined
        if (existed) tx.write(c.name, id as string, null)
        return { id, deleted: existed }
      }, false),
    ]
  }

  return {
    namespace,
    kind: KIND,
    load: async () => {
      try {
        await openDatabase()
      } catch (error) {
        throw CodeModeError.is(error) ? error : codemodeError("STATE_FAILED", namespace, String(error))
      }
      return collections.flatMap(toolsOf)
    },
    committed: async (runId) => {
      const marker = (await openDatabase()).committedRun(runId)
      return marker && { participant: key, receipt: JSON.parse(marker.receipt) as CommitReceipt }
    },
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close: async () => {
      const open = db
      db = undefined
      listeners.clear()
      ;(await open?.catch(() => undefined))?.close()
    },
  }
}
