/**
 * `redisStore({ url })`: a run store in Redis, shared by several codemode processes (a run paused
 * on one host resumes on another). Uses the `ioredis` client, an optional peer dependency loaded on
 * first use; without it every method rejects with `CONFIG_INVALID` naming the install command.
 *
 * Keys are `<prefix><key>`. `set` is `SET k v [PX ttl]`, `add` is `SET k v NX [PX ttl]` (Redis
 * makes it atomic across clients), expiry is Redis's own, `keys` is `SCAN … MATCH <escaped prefix>*`
 * (never `KEYS`, which blocks the server), sorted here.
 *
 * Connection: made on the first call. If it cannot be made (refused, unreachable, no handshake)
 * within `connectTimeoutMs`, the call rejects with `STORE_FAILED` naming the URL without its
 * password, and the client stops trying; the next call starts a fresh attempt. A connection lost
 * later is retried a few times in the background (bounded: no endless reconnect loop), and every
 * command is bounded by `commandTimeoutMs`.
 */
import type { Redis } from "ioredis"
import { codemodeError } from "../errors.js"
import { createStoreGuard, describeCause } from "./guard.js"
import { STORE_KEY, defineStore, type RunStore } from "./store.js"

const NAME = "redis"
/** What a user without the client library has to run. */
export const REDIS_INSTALL_COMMAND = "npm install ioredis"

export interface RedisStoreOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. Required. */
  url: string
  /** Put before every key, so several stores (or apps) can share one database. Default: "codemode:". */
  prefix?: string
  /** Connecting (TCP, TLS, handshake) fails with `STORE_FAILED` after this long. Default: 5,000 ms. */
  connectTimeoutMs?: number
  /** A command without a reply fails with `STORE_FAILED` after this long (a stalled server). Default: 5,000 ms. */
  commandTimeoutMs?: number
}

/** Defaults of {@link RedisStoreOptions}. */
export const REDIS_STORE_DEFAULTS = Object.freeze({ prefix: "codemode:", connectTimeoutMs: 5_000, commandTimeoutMs: 5_000 })
/** Background reconnect attempts after a lost connection, before the client gives up until the next call. */
const RECONNECT_ATTEMPTS = 3
/** Keys SCAN looks at per round trip. */
const SCAN_COUNT = 1000

/** `url` with its password removed, for messages. */
function redact(url: URL): string {
  const shown = new URL(url.href)
  shown.password = ""
  return shown.href
}

/** Escapes Redis glob characters so a prefix matches itself literally in `SCAN MATCH`. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&")
}

/** `promise`, or a rejection with `message` after `ms`; the timer never outlives the race. */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Resolves when `redis` is ready; rejects with the first connection error (or when the client gives
 * up). Starts a connection unless one is under way.
 */
function whenReady(redis: Redis): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: unknown) => {
      redis.off("ready", onReady).off("error", settle).off("end", onEnd)
      if (err === undefined) resolve()
      else reject(err)
    }
    const onReady = () => settle()
    const onEnd = () => settle(new Error("Connection is closed."))
    redis.once("ready", onReady).once("error", settle).once("end", onEnd)
    if (redis.status === "wait" || redis.status === "end") redis.connect().catch(settle)
  })
}

/** A run store in Redis at `options.url`. */
export function redisStore(options: RedisStoreOptions): RunStore {
  const guard = createStoreGuard(NAME)
  const invalid = (message: string) => codemodeError("CONFIG_INVALID", guard.origin, message)
  let url: URL
  try {
    url = new URL(options?.url)
  } catch {
    throw invalid(`option \`url\` must be a redis:// or rediss:// URL, got ${JSON.stringify(options?.url)}`)
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw invalid(`option \`url\` must be a redis:// or rediss:// URL, got ${redact(url)}`)
  const opts = { ...REDIS_STORE_DEFAULTS, ...options } satisfies Required<RedisStoreOptions>
  if (typeof opts.prefix !== "string") throw invalid("option `prefix` must be a string")
  for (const name of ["connectTimeoutMs", "commandTimeoutMs"] as const) {
    if (!Number.isFinite(opts[name]) || opts[name] <= 0) throw invalid(`option \`${name}\` must be a number of milliseconds > 0, got ${String(opts[name])}`)
  }
  const shown = redact(url)
  let client: Promise<Redis> | undefined
  let connecting: Promise<void> | undefined

  async function createClient(): Promise<Redis> {
    let Client: typeof Redis
    try {
      ;({ Redis: Client } = await import("ioredis"))
    } catch (err) {
      throw invalid(`the redis store needs the "ioredis" package, which could not be loaded (${describeCause(err)}); install it: ${REDIS_INSTALL_COMMAND}`)
    }
    const redis = new Client(opts.url, {
      lazyConnect: true,
      connectTimeout: opts.connectTimeoutMs,
      commandTimeout: opts.commandTimeoutMs,
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => (times > RECONNECT_ATTEMPTS ? null : Math.min(100 * 2 ** times, 1000)),
    })
    // Errors reach callers through whenReady() and rejected commands; an "error" event without a
    // listener would make ioredis print to the console.
    redis.on("error", () => {})
    return redis
  }

  async function connect(redis: Redis, pending: Promise<Redis>): Promise<void> {
    try {
      await within(whenReady(redis), opts.connectTimeoutMs, `no ready connection within ${opts.connectTimeoutMs} ms`)
    } catch (err) {
      // Stop ioredis's retries (a failing store must not reconnect in the background) and drop the
      // client: its socket may still report events. The next call starts afresh with a new client.
      redis.disconnect()
      if (client === pending) client = undefined
      throw new Error(`cannot connect to ${shown} within ${opts.connectTimeoutMs} ms: ${describeCause(err)}`, { cause: err })
    }
  }

  /** Runs one command on a ready client; failures name the server (guard.run makes them STORE_FAILED). */
  async function command<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    const pending = (client ??= createClient().catch((err: unknown) => {
      client = undefined
      throw err
    }))
    const redis = await pending
    if (redis.status !== "ready") await (connecting ??= connect(redis, pending).finally(() => (connecting = undefined)))
    try {
      return await fn(redis)
    } catch (err) {
      throw new Error(`${shown}: ${describeCause(err)}`, { cause: err })
    }
  }

  return defineStore({
    name: NAME,
    get: (key) => guard.run("get", key, () => command(async (redis) => (await redis.get(opts.prefix + key)) ?? undefined)),
    set: (key, value, options) =>
      guard.run("set", key, async () => {
        const ttl = guard.write(key, value, options)
        const k = opts.prefix + key
        await command((redis) => (ttl === undefined ? redis.set(k, value) : redis.set(k, value, "PX", Math.ceil(ttl))))
      }),
    add: (key, value, options) =>
      guard.run("add", key, async () => {
        const ttl = guard.write(key, value, options)
        const k = opts.prefix + key
        const reply = await command((redis) => (ttl === undefined ? redis.set(k, value, "NX") : redis.set(k, value, "PX", Math.ceil(ttl), "NX")))
        return reply === "OK"
      }),
    delete: (key) =>
      guard.run("delete", key, async () => {
        await command((redis) => redis.del(opts.prefix + key))
      }),
    keys: (prefix) =>
      guard.run("keys", undefined, async () => {
        guard.prefix(prefix)
        const match = `${escapeGlob(opts.prefix + prefix)}*`
        const found = new Set<string>()
        await command(async (redis) => {
          let cursor = "0"
          do {
            const [next, batch] = await redis.scan(cursor, "MATCH", match, "COUNT", SCAN_COUNT)
            for (const full of batch) {
              const key = full.slice(opts.prefix.length)
              if (full.startsWith(opts.prefix) && STORE_KEY.test(key)) found.add(key)
            }
            cursor = next
          } while (cursor !== "0")
        })
        // SCAN may repeat keys (hence the Set); keys are ASCII, so the default sort is byte order.
        return [...found].sort()
      }),
    close: async () => {
      if (!guard.close() || client === undefined) return
      const redis = await client.catch(() => undefined)
      if (redis?.status === "ready") {
        await within(redis.quit(), opts.commandTimeoutMs, "QUIT timed out").catch(() => {})
      }
      redis?.disconnect()
    },
  })
}
