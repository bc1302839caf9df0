/**
 * Starts a throwaway `redis-server` (the Debian package) for tests: 127.0.0.1 only, a free port,
 * no persistence (`--save "" --appendonly no`), its own temp folder. Tests that need Redis call
 * `redisServerPath()` first: missing in CI is a failure (CI installs it in .ci/run), elsewhere a skip.
 */
import { spawn } from "node:child_process"
import { accessSync, constants } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { createConnection, createServer } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"

export const REDIS_MISSING =
  "redis-server is not installed: install the Debian package (apt-get install -y redis-server); .ci/run does this in CI"

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string
  port: number
  /** The server's process id (tests may SIGSTOP it to play a stalled server). */
  pid: number
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its folder. Idempotent. */
  stop(): Promise<void>
}

/** The redis-server executable on PATH (or /usr/bin, /usr/sbin), or undefined. */
export function redisServerPath(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/bin", "/usr/sbin", "/usr/local/bin"]
  for (const dir of dirs.filter(Boolean)) {
    const file = path.join(dir, "redis-server")
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {}
  }
  return undefined
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))))
    })
  })
}

/** Whether a Redis server answers PING on `port` (one attempt, 500 ms at most). */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.on("error", () => done(false))
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (data) => done(data.toString().startsWith("+PONG")))
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function startOnce(bin: string, port: number, dir: string, startTimeoutMs: number): Promise<RedisServer> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no"]
  const child = spawn(bin, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout.on("data", (d: Buffer) => (output += d.toString()))
  child.stderr.on("data", (d: Buffer) => (output += d.toString()))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  let gone = false
  void exited.then(() => (gone = true))
  const kill = () => child.kill("SIGKILL")
  process.once("exit", kill)
  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      process.off("exit", kill)
      if (!gone) {
        child.kill("SIGTERM")
        const timer = setTimeout(kill, 5000)
        await exited
        clearTimeout(timer)
      }
    })())
  const deadline = Date.now() + startTimeoutMs
  // Our own server, not one that already held the port: it logged readiness and is still running.
  while (gone || !output.includes("Ready to accept connections") || !(await pings(port))) {
    if (gone || Date.now() > deadline) {
      await stop()
      throw new Error(`redis-server did not answer on 127.0.0.1:${port} within ${startTimeoutMs} ms:\n${output.slice(-2000)}`)
    }
    await sleep(50)
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid ?? 0, stop }
}

/** Starts redis-server and resolves once it answers PING. Throws {@link REDIS_MISSING} without the binary. */
export async function startRedisServer(startTimeoutMs = 10_000): Promise<RedisServer> {
  const bin = redisServerPath()
  if (!bin) throw new Error(REDIS_MISSING)
  const dir = await mkdtemp(path.join(tmpdir(), "codemode-redis-"))
  // The free port may be taken between probing and binding: try a few.
  for (let attempt = 1; ; attempt++) {
    try {
      const server = await startOnce(bin, await freePort(), dir, startTimeoutMs)
      return {
        ...server,
        stop: async () => {
          await server.stop()
          await rm(dir, { recursive: true, force: true })
        },
      }
    } catch (err) {
      if (attempt === 3) {
        await rm(dir, { recursive: true, force: true })
        throw err
      }
    }
  }
}
