/**
 * The host⇄worker channel: one ordered stream of messages each way. A message goes through a
 * SharedArrayBuffer ring when the receiver is polling for it (spinning, see spin.ts), the sender sent
 * in this direction within the last 200 µs, and the codec writes it as short text; otherwise on the
 * MessagePort (structured clone), which also wakes a receiver that is not polling.
 *
 * Why: between two threads that are both awake, a postMessage round trip (structured clone, a C++
 * queue, an eventfd write per message) costs several times a write into shared memory that the
 * other side polls. To a thread that is asleep the port is needed anyway (to wake it), and on a VM
 * whatever runs first after a pause is slow (postMessage, JSON.stringify, even one Atomics
 * operation), so a message after a pause takes the port and touches no shared memory on either
 * side. Figures: docs/sandbox.md#measurements-behind-the-design.
 *
 * No message is left unseen: the sender reads the receiver's state word, writes the ring, then
 * reads the state again and rings a one-byte "bell" on the port if the receiver stopped polling
 * meanwhile; the receiver publishes "parked", then reads the ring once more. With sequentially
 * consistent Atomics on both words, one of them always sees the other.
 *
 * Order across the two carriers: a port message carries the number of ring records written before
 * it, and a ring record the number of port messages posted before it; each side delivers a message
 * only once everything counted before it was delivered (what was posted before a ring record is
 * already in the port's queue, so the reader can fetch it at once).
 *
 * One writer and one reader per direction (the host thread and one worker thread).
 */
import { receiveMessageOnPort, type MessagePort } from "node:worker_threads"

/** Bytes of each direction's ring. */
const RING_BYTES = 64 * 1024
/** Largest record written into the ring, in bytes; larger messages travel on the port. */
export const MAX_RECORD_BYTES = 16 * 1024
/** Int32 words of one direction's header: head (written by the sender), tail (by the receiver), receiver state. */
const HEADER_WORDS = 3
const HEAD = 0
const TAIL = 1
const STATE = 2
/** Receiver states. */
const PARKED = 0
const AWAKE = 1
/**
 * The ring is used only while the sender sent in its direction at most this long ago (ms): in a
 * loop of tool calls (tens of µs apart), not for the one call of a run that follows a pause.
 */
const HOT_MS = 0.2
/** Bytes before a record's text: its length in bytes, and how many port messages came before it. */
const RECORD_HEADER = 8
/** A record length that means "continue at the start of the ring". */
const WRAP = -1
/** The port message that only wakes the receiver. */
const BELL = 0

/** Which end of a channel a thread holds; the host writes direction 0, the worker direction 1. */
export type ChannelSide = "host" | "worker"

/**
 * How a channel writes its messages as text for the ring. `encode` returns undefined for a message
 * that should travel on the port (large, rare, or not representable); it should judge size cheaply
 * (a record is at most {@link MAX_RECORD_BYTES} of UTF-8) rather than serialize a large message.
 */
export interface Codec<T> {
  encode(msg: T): string | undefined
  decode(text: string): T
}

/** A port message that carries data: the message, and after how many ring records it comes. */
interface Posted {
  a: number
  m: unknown
}

/** The shared memory of one channel (both directions), created by the host and sent to the worker. */
export function channelMemory(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * HEADER_WORDS * 4 + 2 * RING_BYTES)
}

/** One direction's view of the shared memory. */
class Ring {
  readonly words: Int32Array
  /** A Buffer, for its UTF-8 read and write straight from and into shared memory. */
  readonly bytes: Buffer
  readonly ints: Int32Array

  constructor(memory: SharedArrayBuffer, direction: 0 | 1) {
    this.words = new Int32Array(memory, direction * HEADER_WORDS * 4, HEADER_WORDS)
    const at = 2 * HEADER_WORDS * 4 + direction * RING_BYTES
    this.bytes = Buffer.from(memory, at, RING_BYTES)
    this.ints = new Int32Array(memory, at, RING_BYTES / 4)
  }
}

export class Channel<In, Out> {
  private readonly out: Ring
  private readonly in: Ring
  /** Sender side: ring records written and port messages posted (modulo 2³²). */
  private written = 0
  private posted = 0
  /** Receiver side: ring records read, port data messages taken off the port, the ring's tail. */
  private read = 0
  private taken = 0
  private tail = 0
  /** Port data messages taken off the port and not yet delivered, oldest first. */
  private readonly inbox: Posted[] = []
  private lastSend = -Infinity
  private closed = false

  /**
   * @param port the thread's end of the MessageChannel (also carries large messages and bells)
   * @param memory from {@link channelMemory}, the same on both ends
   * @param codecs how this side writes what it sends and reads what it receives
   * @param onMessage called with every message from the other side, in the order it was sent
   */
  constructor(
    readonly port: MessagePort,
    memory: SharedArrayBuffer,
    side: ChannelSide,
    private readonly codecs: { send: Codec<Out>; receive: Codec<In> },
    private readonly onMessage: (msg: In) => void,
  ) {
    this.out = new Ring(memory, side === "host" ? 0 : 1)
    this.in = new Ring(memory, side === "host" ? 1 : 0)
    port.on("message", (m: Posted | typeof BELL) => {
      if (m !== BELL) {
        this.taken++
        // The usual case after a pause: nothing waits before it, so no shared memory is read.
        if (this.inbox.length === 0 && m.a === this.read) return this.closed ? undefined : this.onMessage(m.m as In)
        this.inbox.push(m)
      }
      this.deliver()
    })
  }

  /** Sends a message: into the ring when the receiver polls and the codec writes it, else on the port. */
  send(msg: Out): void {
    if (this.closed) return
    const now = performance.now()
    const hot = now - this.lastSend <= HOT_MS
    this.lastSend = now
    const { words } = this.out
    if (hot && Atomics.load(words, STATE) === AWAKE) {
      const text = this.codecs.send.encode(msg)
      if (text !== undefined && this.write(text)) {
        if (Atomics.load(words, STATE) !== AWAKE) this.port.postMessage(BELL)
        return
      }
    }
    this.port.postMessage({ a: this.written, m: msg } satisfies Posted)
    this.posted = (this.posted + 1) | 0
  }

  /**
   * True if a message from the other side is waiting. For polling: reads the ring's head and takes
   * one message off the port if there is one.
   */
  pending(): boolean {
    if (this.inbox.length > 0 || Atomics.load(this.in.words, HEAD) !== this.tail) return true
    return this.takeFromPort()
  }

  /** Delivers every waiting message to `onMessage`, in order. May be called from inside `onMessage`. */
  deliver(): void {
    for (let msg = this.next(); msg !== undefined; msg = this.next()) this.onMessage(msg)
  }

  /**
   * While awake, the other side writes without ringing: the caller must poll {@link pending}.
   * Going back to sleep re-checks the ring, so a message written meanwhile is not left unseen (it
   * is delivered from a microtask: the caller may be inside `onMessage`).
   */
  setAwake(awake: boolean): void {
    Atomics.store(this.in.words, STATE, awake ? AWAKE : PARKED)
    if (!awake && this.pending()) queueMicrotask(() => this.deliver())
  }

  close(): void {
    this.closed = true
    this.port.close()
  }

  /** Takes one message off the port into the inbox (a bell is dropped); false if there was none. */
  private takeFromPort(): boolean {
    const got = receiveMessageOnPort(this.port) as { message: Posted | typeof BELL } | undefined
    if (!got) return false
    if (got.message !== BELL) {
      this.taken++
      this.inbox.push(got.message)
    }
    return true
  }

  /** The next message in send order, or undefined. */
  private next(): In | undefined {
    if (this.closed) return undefined
    const first = this.inbox[0]
    if (first && first.a === this.read) return (this.inbox.shift() as Posted).m as In
    const { words, ints, bytes } = this.in
    if (Atomics.load(words, HEAD) === this.tail) return undefined
    let at = this.tail
    if (ints[at >> 2] === WRAP) at = 0
    // Port messages posted before this record are in the port's queue by now: deliver them first.
    const before = ints[(at >> 2) + 1] as number
    if (((before - this.taken) | 0) > 0) {
      while (((before - this.taken) | 0) > 0) if (!this.takeFromPort()) return undefined
      return this.next()
    }
    const len = ints[at >> 2] as number
    const text = bytes.toString("utf8", at + RECORD_HEADER, at + RECORD_HEADER + len)
    this.tail = (at + RECORD_HEADER + align4(len)) % RING_BYTES
    Atomics.store(words, TAIL, this.tail)
    this.read = (this.read + 1) | 0
    return this.codecs.receive.decode(text)
  }

  /** Writes one record into the ring; false if it does not fit now. */
  private write(text: string): boolean {
    const { words, ints, bytes } = this.out
    const n = text.length > MAX_RECORD_BYTES ? Infinity : Buffer.byteLength(text)
    if (n > MAX_RECORD_BYTES) return false
    const size = RECORD_HEADER + align4(n)
    const head = Atomics.load(words, HEAD)
    const tail = Atomics.load(words, TAIL)
    // Free space is [head, tail) modulo the ring; head === tail means empty, so it never catches up.
    let at: number
    if (tail <= head) {
      if (RING_BYTES - head > size || (RING_BYTES - head === size && tail !== 0)) at = head
      else if (tail > size) {
        ints[head >> 2] = WRAP
        at = 0
      } else return false
    } else if (tail - head > size) at = head
    else return false
    ints[at >> 2] = n
    ints[(at >> 2) + 1] = this.posted
    bytes.write(text, at + RECORD_HEADER, n, "utf8")
    Atomics.store(words, HEAD, (at + size) % RING_BYTES)
    this.written = (this.written + 1) | 0
    return true
  }
}

function align4(n: number): number {
  return (n + 3) & ~3
}
