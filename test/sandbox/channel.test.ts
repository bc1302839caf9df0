/**
 * The host⇄worker channel (channel.ts): one ordered stream over two carriers, the shared-memory ring
 * (while the receiver polls) and the port (large messages, a full ring, a receiver that sleeps).
 * Both ends live in this thread here, so every interleaving below is exact; the executor test at
 * the end drives the real threads.
 */
import { MessageChannel } from "node:worker_threads"
import { afterEach, describe, expect, it } from "vitest"
import { DEFAULT_LIMITS } from "../../src/sandbox/executor.js"
import { Channel, channelMemory, MAX_RECORD_BYTES, type Codec } from "../../src/sandbox/quickjs/channel.js"
import { hostToWorker, workerToHost } from "../../src/sandbox/quickjs/codec.js"
import type { HostToWorker, WorkerToHost } from "../../src/sandbox/quickjs/protocol.js"
import { quickjs } from "../../src/sandbox/quickjs/index.js"

/** Strings under 200 characters may take the ring; longer ones always take the port. */
const strings: Codec<string> = { encode: (m) => (m.length < 200 ? m : undefined), decode: (t) => t }

const open: Channel<string, string>[] = []
afterEach(() => {
  for (const c of open.splice(0)) c.close()
})

function pair() {
  const { port1, port2 } = new MessageChannel()
  const memory = channelMemory()
  const got: string[] = []
  const sender = new Channel<string, string>(port1, memory, "host", { send: strings, receive: strings }, () => {})
  const receiver = new Channel<string, string>(port2, memory, "worker", { send: strings, receive: strings }, (m) => got.push(m))
  open.push(sender, receiver)
  const posted: unknown[] = []
  const post = port1.postMessage.bind(port1)
  port1.postMessage = (value: unknown) => {
    posted.push(value)
    post(value)
  }
  return { sender, receiver, got, posted, posts: () => posted.length }
}

/** Lets port messages arrive and their listeners run. */
const settle = () => new Promise((r) => setTimeout(r, 20))

describe("Channel", () => {
  it("writes small messages into the ring while the receiver polls, without touching the port", () => {
    const { sender, receiver, got, posts } = pair()
    receiver.setAwake(true)
    for (let i = 0; i < 50; i++) sender.send(`m${i}`)
    // The first messages of a burst take the port (the sender was idle, or the first send was slow:
    // this code is not compiled yet); the rest the ring.
    expect(posts()).toBeGreaterThanOrEqual(1)
    expect(posts()).toBeLessThan(5)
    expect(receiver.pending()).toBe(true)
    receiver.deliver()
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`))
    expect(receiver.pending()).toBe(false)
  })

  it("keeps send order across the ring and the port (large messages, a full ring)", async () => {
    const { sender, receiver, got, posts } = pair()
    receiver.setAwake(true)
    const sent: string[] = []
    // Interleave small (ring) and large (port) messages, and send enough that the ring fills up.
    for (let i = 0; i < 3000; i++) {
      const m = i % 7 === 3 ? `big${i}:` + "x".repeat(300) : `m${i}:` + "y".repeat(i % 150)
      sent.push(m)
      sender.send(m)
      if (i % 1000 === 999) receiver.deliver() // the reader catches up now and then: the ring fills and wraps
    }
    receiver.deliver()
    await settle()
    receiver.deliver()
    expect(got).toEqual(sent)
    const viaPort = posts()
    expect(viaPort).toBeGreaterThan(3000 / 7) // every large one, and some when the ring was full
    expect(viaPort).toBeLessThan(3000) // and many through the ring
  })

  it("sends on the port to a receiver that is not polling, and its listener delivers", async () => {
    const { sender, got, posts } = pair()
    for (let i = 0; i < 20; i++) sender.send(`m${i}`)
    expect(posts()).toBe(20)
    await settle()
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`))
  })

  it("loses nothing when the receiver stops polling right after a write", async () => {
    const { sender, receiver, got } = pair()
    receiver.setAwake(true)
    sender.send("first") // port (the sender was idle)
    sender.send("second") // ring
    receiver.setAwake(false) // parks without having looked: the re-check must find both
    await settle()
    expect(got).toEqual(["first", "second"])
  })

  it("rings a bell when the receiver parked between the state check and the write", async () => {
    const { sender, receiver, got, posted } = pair()
    const internals = sender as unknown as { write(t: string): boolean }
    const write = internals.write.bind(sender)
    let wrote = false
    // Park the receiver from inside the sender's ring write (as another thread could at that moment).
    internals.write = (t) => {
      wrote = true
      receiver.setAwake(false)
      return write(t)
    }
    const sent: string[] = []
    for (let i = 0; i < 100 && !wrote; i++) {
      receiver.setAwake(true)
      sent.push(`m${i}`)
      sender.send(`m${i}`) // the first go on the port (the sender was idle), then one takes the ring
    }
    expect(wrote).toBe(true)
    expect(posted.at(-1)).toBe(0) // the bell
    await settle()
    expect(got).toEqual(sent)
  })

  it("sends a message too large for one record on the port, in order", async () => {
    const { port1, port2 } = new MessageChannel()
    const memory = channelMemory()
    const all: Codec<string> = { encode: (m) => m, decode: (t) => t }
    const got: string[] = []
    const a = new Channel<string, string>(port1, memory, "host", { send: all, receive: all }, () => {})
    const b = new Channel<string, string>(port2, memory, "worker", { send: all, receive: all }, (m) => got.push(m))
    open.push(a, b)
    b.setAwake(true)
    const big = "é".repeat(MAX_RECORD_BYTES / 2 + 1) // fewer characters than the limit, more bytes
    a.send("x")
    a.send(big)
    a.send("y")
    b.deliver()
    await settle()
    expect(got).toEqual(["x", big, "y"])
  })
})

describe("codec", () => {
  it("round-trips tool results and calls, with commas, digits and non-ASCII text in the strings", () => {
    const settle: HostToWorker = {
      t: "settle",
      results: [
        { run: 3, call: 0, ok: true, payload: '{"a":"1,2,3","é":"𝄞"}' },
        { run: 3, call: 1, ok: false, payload: "12,boom, with a comma" },
        { run: 4, call: 7, ok: true, payload: "" },
      ],
    }
    expect(hostToWorker.decode(hostToWorker.encode(settle) as string)).toEqual(settle)
    const call: WorkerToHost = {
      t: "call",
      run: 9,
      calls: [
        { call: 5, name: "demo.echo", json: '{"n":"5,"}' },
        { call: 6, name: "a.b", json: "" },
      ],
    }
    expect(workerToHost.decode(workerToHost.encode(call) as string)).toEqual(call)
  })

  it("leaves large batches and every other message to the port", () => {
    const big = "x".repeat(MAX_RECORD_BYTES + 1)
    expect(hostToWorker.encode({ t: "settle", results: [{ run: 1, call: 0, ok: true, payload: big }] })).toBeUndefined()
    expect(hostToWorker.encode({ t: "abort", run: 1 })).toBeUndefined()
    expect(workerToHost.encode({ t: "call", run: 1, calls: [{ call: 0, name: "a.b", json: big }] })).toBeUndefined()
    expect(workerToHost.encode({ t: "ready" })).toBeUndefined()
  })
})

describe("the channel between real threads", () => {
  it("delivers every tool call and result intact, in sequence and in batches, large and small", async () => {
    const sandbox = quickjs({ poolSize: 1 })
    try {
      const echo = { "t.echo": async (a: unknown) => a, "t.big": async (a: unknown) => ({ pad: "z".repeat(20_000), a }) }
      const code = `
        let sum = 0, bad = 0
        for (let i = 0; i < 1500; i++) {
          const r = i % 50 === 7 ? (await codemode.t.big({ i })).a : await codemode.t.echo({ i, s: "é,".repeat(i % 40) })
          if (r.i !== i) bad++
          sum += r.i
        }
        for (let k = 0; k < 10; k++) {
          const rs = await Promise.all(Array.from({ length: 60 }, (_, j) => j % 9 === 0 ? codemode.t.big({ i: j }) : codemode.t.echo({ i: j })))
          rs.forEach((r, j) => { if ((r.a ?? r).i !== j) bad++ })
        }
        return { sum, bad }`
      const out = await sandbox.run(code, echo, { ...DEFAULT_LIMITS, maxToolCalls: 5000, timeMs: 60_000 })
      expect(out.ok ? out.value : out.error).toEqual({ sum: (1499 * 1500) / 2, bad: 0 })
      expect(out.stats.toolCalls).toBe(1500 + 600)
    } finally {
      await sandbox.dispose()
    }
  })
})
