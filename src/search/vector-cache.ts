/**
 * Embedding vectors kept on disk, keyed by the SHA-256 of the text embedded: one append-only file
 * per endpoint and model, so a catalog is embedded once and only new or changed texts are sent.
 * Record: 32-byte hash, uint32 LE dimension count, that many float32 LE. A torn last record (a
 * process killed mid-append) is ignored; several processes may append to one file.
 */
import { createHash } from "node:crypto"
import { appendFile, mkdir, readFile } from "node:fs/promises"
import { homedir } from "node:os"
import path from "node:path"

const HASH_BYTES = 32

/** The SHA-256 of `text`, hex. */
export const textHash = (text: string): string => createHash("sha256").update(text).digest("hex")

/** Vectors by text hash: in memory, and on disk unless the cache has no file. */
export interface VectorCache {
  get(hash: string): Float32Array | undefined
  /** Keeps the vectors (and appends them to the file). Rejects when the file cannot be written. */
  put(entries: ReadonlyArray<readonly [hash: string, vector: Float32Array]>): Promise<void>
}

/** `$XDG_CACHE_HOME/codemode/embeddings`, else `~/.cache/codemode/embeddings`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), ".cache"), "codemode", "embeddings")
}

/** The cache file of one endpoint and model inside `dir`. */
export function cacheFile(dir: string, baseUrl: string, model: string): string {
  const safe = model.replace(/[^\w.-]+/g, "_").slice(0, 60)
  return path.join(dir, `${safe}-${textHash(`${baseUrl}\n${model}`).slice(0, 12)}.vec`)
}

function parse(buffer: Buffer, into: Map<string, Float32Array>): void {
  let at = 0
  while (at + HASH_BYTES + 4 <= buffer.length) {
    const dims = buffer.readUInt32LE(at + HASH_BYTES)
    const end = at + HASH_BYTES + 4 + dims * 4
    if (end > buffer.length) break
    const vector = new Float32Array(dims)
    for (let i = 0; i < dims; i++) vector[i] = buffer.readFloatLE(at + HASH_BYTES + 4 + i * 4)
    into.set(buffer.toString("hex", at, at + HASH_BYTES), vector)
    at = end
  }
}

function encode(entries: ReadonlyArray<readonly [string, Float32Array]>): Buffer {
  const size = entries.reduce((n, [, v]) => n + HASH_BYTES + 4 + v.length * 4, 0)
  const out = Buffer.alloc(size)
  let at = 0
  for (const [hash, vector] of entries) {
    out.write(hash, at, HASH_BYTES, "hex")
    out.writeUInt32LE(vector.length, at + HASH_BYTES)
    at += HASH_BYTES + 4
    for (const x of vector) at = out.writeFloatLE(x, at)
  }
  return out
}

/** Opens (reads) the cache in `file`; `undefined`: memory only. A missing file is an empty cache. */
export async function openVectorCache(file: string | undefined): Promise<VectorCache> {
  const vectors = new Map<string, Float32Array>()
  if (file !== undefined) {
    const buffer = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined
      throw error
    })
    if (buffer) parse(buffer, vectors)
  }
  return {
    get: (hash) => vectors.get(hash),
    async put(entries) {
      for (const [hash, vector] of entries) vectors.set(hash, vector)
      if (file === undefined || entries.length === 0) return
      await mkdir(path.dirname(file), { recursive: true })
      await appendFile(file, encode(entries)) // one write per batch: records of other processes stay whole
    },
  }
}
