/**
 * The Redis store against a real redis-server on 127.0.0.1 (see redis-server.ts): the shared
 * contract, two clients as two processes, prefixes, and every way a connection can fail.
 * Without redis-server the tests are skipped, except in CI (CI set), where that is a failure.
 */
import { createServer, type Server, type Socket } from "node:net"
import { Redis } from "ioredis"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { redisStore } from "../../src/store/redis.js"
import type { RunStore } from "../../src/store/store.js"
import { REDIS_MISSING, freePort, redisServerPath, startRedisServer, type RedisServer } from "./redis-server.js"
import { expectStoreError, sleep, testStore } from "./store-suite.js"

const hasRedis = redisServerPath() !== undefined

if (!hasRedis && process.env.CI) {
  describe("redis store", () => {
    it("needs redis-server in CI", () => {
      throw new Error(REDIS_MISSING)
    })
  })
}

/** A TCP server on 127.0.0.1 that does `onSocket` with each connection; counts them. */
async function tcpServer(onSocket: (socket: Socket) => void): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  let connections = 0
  const server: Server = createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on("error", () => {})
    socket.on("close", () => sockets.delete(socket))
    onSocket(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  const port = typeof address === "object" && address ? address.port : 0
  return {
    url: `redis://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

describe("redis store: options", () => {
  it("rejects bad options with CONFIG_INVALID", () => {
    const invalid = expect.objectContaining({ code: "CONFIG_INVALID" })
    expect(() => redisStore({ url: "not a url" })).toThrow(invalid)
    expect(() => redisStore({ url: "http://user:pw@127.0.0.1:6379" })).toThrow(/redis:\/\/ or rediss:\/\/ URL, got http:\/\/user@127.0.0.1:6379/)
    expect(() => redisStore({} as { url: string })).toThrow(/\[store:redis\].*url/)
    expect(() => redisStore({ url: "redis://127.0.0.1", prefix: 1 as unknown as string })).toThrow(/prefix/)
    expect(() => redisStore({ url: "redis://127.0.0.1", connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs/)
    expect(() => redisStore({ url: "redis://127.0.0.1", commandTimeoutMs: Number.NaN })).toThrow(/commandTimeoutMs/)
  })

  describe("without the ioredis package", () => {
    afterEach(() => {
      vi.doUnmock("ioredis")
      vi.resetModules()
    })

    it("rejects every call with CONFIG_INVALID naming the install command", async () => {
      vi.resetModules()
      vi.doMock("ioredis", () => {
        throw new Error("Cannot find package 'ioredis' imported from src/store/redis.ts")
      })
      const { redisStore: withoutClient } = await import("../../src/store/redis.js")
      const store = withoutClient({ url: "redis://127.0.0.1:1" })
      await expectStoreError(store.get("k"), "CONFIG_INVALID", /\[store:redis\] .*"ioredis" package.*install it: npm install ioredis/)
      await expectStoreError(store.set("k", "v"), "CONFIG_INVALID", /npm install ioredis/)
      await store.close?.()
    })
  })
})

describe("redis store: connection failures", () => {
  it("fails with STORE_FAILED naming the URL without its password within connectTimeoutMs at a closed port", async () => {
    const port = await freePort()
    const store = redisStore({ url: `redis://user:s3cret@127.0.0.1:${port}/0`, connectTimeoutMs: 1000 })
    for (let attempt = 0; attempt < 2; attempt++) {
      const started = Date.now()
      const err = await expectStoreError(store.get("k"), "STORE_FAILED", new RegExp(`\\[store:redis\\] get "k" failed: cannot connect to redis://user@127\\.0\\.0\\.1:${port}/0 within 1000 ms: .*ECONNREFUSED`))
      expect(err.message).not.toMatch(/s3cret/)
      expect(Date.now() - started).toBeLessThan(1500)
    }
    await store.close?.()
  })

  it("fails within connectTimeoutMs when the server accepts but never answers", async () => {
    const silent = await tcpServer(() => {})
    try {
      const store = redisStore({ url: silent.url, connectTimeoutMs: 300 })
      const started = Date.now()
      await expectStoreError(store.set("k", "v"), "STORE_FAILED", /cannot connect to redis:\/\/127\.0\.0\.1:\d+\/? within 300 ms/)
      expect(Date.now() - started).toBeGreaterThanOrEqual(250)
      expect(Date.now() - started).toBeLessThan(1500)
      await store.close?.()
    } finally {
      await silent.close()
    }
  })

  it("stops reconnecting after a failed call: no endless loop in the background", async () => {
    const slamming = await tcpServer((socket) => socket.destroy())
    try {
      const store = redisStore({ url: slamming.url, connectTimeoutMs: 500 })
      await expectStoreError(store.get("k"), "STORE_FAILED")
      const afterFailure = slamming.connections()
      expect(afterFailure).toBeGreaterThanOrEqual(1)
      expect(afterFailure).toBeLessThanOrEqual(5)
      await sleep(1500)
      expect(slamming.connections()).toBe(afterFailure)
      // The next call makes one fresh, bounded attempt.
      await expectStoreError(store.get("k"), "STORE_FAILED")
      expect(slamming.connections()).toBeGreaterThan(afterFailure)
      await store.close?.()
    } finally {
      await slamming.close()
    }
  })
})

describe.skipIf(!hasRedis)(hasRedis ? "redis store: real server" : "redis store: real server (skipped: redis-server not found; apt-get install -y redis-server)", () => {
  let server: RedisServer
  let raw: Redis
  const opened: RunStore[] = []
  /** A store on the shared server, closed after all tests. */
  const open = (prefix: string) => {
    const store = redisStore({ url: server.url, prefix })
    opened.push(store)
    return store
  }
  beforeAll(async () => {
    server = await startRedisServer()
    raw = new Redis(server.url, { lazyConnect: true })
    await raw.connect()
  })
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close?.()))
    raw?.disconnect()
    await server?.stop()
  })

  let suite = 0
  testStore("redis", () => open(`suite${++suite}:`))

  it("lets two clients (two processes) see each other's writes, and exactly one of their racing adds win", async () => {
    const [a, b] = [open("shared:"), open("shared:")]
    await a.set("runs/r1", "from a")
    expect(await b.get("runs/r1")).toBe("from a")
    await b.delete("runs/r1")
    expect(await a.get("runs/r1")).toBeUndefined()
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).add("runs/r1/lease", `p${i}`, { ttlMs: 60_000 })))
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(await a.get("runs/r1/lease")).toBe(`p${results.indexOf(true)}`)
    expect(await b.keys("runs/")).toEqual(["runs/r1/lease"])
  })

  it("stores keys under the prefix (default codemode:) with Redis's own expiry", async () => {
    const store = open("codemode:")
    expect(redisStore({ url: server.url }).name).toBe("redis")
    const defaulted = redisStore({ url: server.url })
    opened.push(defaulted)
    await defaulted.set("plain", "v")
    await store.set("leased", "v", { ttlMs: 10_000 })
    expect(await raw.get("codemode:plain")).toBe("v")
    expect(await raw.pttl("codemode:plain")).toBe(-1)
    const pttl = await raw.pttl("codemode:leased")
    expect(pttl).toBeGreaterThan(5_000)
    expect(pttl).toBeLessThanOrEqual(10_000)
    expect(await store.add("leased2", "v", { ttlMs: 10_000 })).toBe(true)
    expect(await raw.pttl("codemode:leased2")).toBeGreaterThan(5_000)
  })

  it("keeps stores with different prefixes apart, also when a prefix holds glob characters", async () => {
    const globby = open("g*[ab]?\\:")
    const others = [open("gX[ab]?\\:"), open("g*a?\\:"), open("g*[ab]x\\:"), open("g*[ab]?:")]
    await globby.set("mine", "1")
    for (const store of others) await store.set("theirs", "2")
    expect(await globby.keys("")).toEqual(["mine"])
    expect(await others[0]?.keys("")).toEqual(["theirs"])
  })

  it("skips keys under its prefix that are not store keys", async () => {
    const store = open("foreign:")
    await store.set("ok", "1")
    await raw.set("foreign:not a key", "2")
    expect(await store.keys("")).toEqual(["ok"])
  })

  it("close() quits its connection", async () => {
    const store = redisStore({ url: server.url, prefix: "closing:" })
    await store.set("k", "v")
    const name = async () => Number(/connected_clients:(\d+)/.exec(await raw.info("clients"))?.[1])
    const before = await name()
    await store.close?.()
    for (let i = 0; i < 20 && (await name()) >= before; i++) await sleep(50)
    expect(await name()).toBe(before - 1)
  })

  describe("a server that stalls or dies", () => {
    let own: RedisServer | undefined
    afterEach(async () => {
      try {
        if (own) process.kill(own.pid, "SIGCONT")
      } catch {} // already gone
      await own?.stop()
      own = undefined
    })

    it("fails a command with STORE_FAILED within commandTimeoutMs when the server stops answering", async () => {
      own = await startRedisServer()
      const store = redisStore({ url: own.url, commandTimeoutMs: 300 })
      opened.push(store)
      await store.set("k", "v")
      process.kill(own.pid, "SIGSTOP")
      const started = Date.now()
      await expectStoreError(store.get("k"), "STORE_FAILED", new RegExp(`get "k" failed: ${own.url}.*timed out`, "i"))
      expect(Date.now() - started).toBeLessThan(1500)
      process.kill(own.pid, "SIGCONT")
      expect(await store.get("k")).toBe("v")
    })

    it("fails with STORE_FAILED, not a hang, once the server is gone", async () => {
      own = await startRedisServer()
      const store = redisStore({ url: own.url, connectTimeoutMs: 500, commandTimeoutMs: 500 })
      opened.push(store)
      await store.set("k", "v")
      await own.stop()
      const started = Date.now()
      await expectStoreError(store.get("k"), "STORE_FAILED", /redis:\/\/127\.0\.0\.1/)
      await expectStoreError(store.keys(""), "STORE_FAILED")
      expect(Date.now() - started).toBeLessThan(3000)
    })
  })
})
