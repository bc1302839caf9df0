/**
 * How tool calls and their results — the messages of a tool-call loop — are written as text for the
 * channel's shared-memory ring (channel.ts): numbers and length-prefixed strings, 4–5× cheaper than
 * JSON here, and a JSON payload is not escaped a second time. Everything else (one or two messages
 * per run) and large batches are left to the port.
 */
import { MAX_RECORD_BYTES, type Codec } from "./channel.js"
import type { CallStarted, CallSettled, HostToWorker, WorkerToHost } from "./protocol.js"

export const hostToWorker: Codec<HostToWorker> = {
  encode(msg) {
    if (msg.t !== "settle") return undefined
    let size = 0
    for (const r of msg.results) size += r.payload.length
    if (size > MAX_RECORD_BYTES) return undefined
    let text = ""
    for (const r of msg.results) text += `${r.run},${r.call},${r.ok ? 1 : 0},${field(r.payload)}`
    return text
  },
  decode(text) {
    const r = new FieldReader(text)
    const msg: CallSettled = { t: "settle", results: [] }
    while (r.more()) msg.results.push({ run: r.num(), call: r.num(), ok: r.num() === 1, payload: r.str() })
    return msg
  },
}

export const workerToHost: Codec<WorkerToHost> = {
  encode(msg) {
    if (msg.t !== "call") return undefined
    let size = 0
    for (const c of msg.calls) size += c.json.length + c.name.length
    if (size > MAX_RECORD_BYTES) return undefined
    let text = `${msg.run},`
    for (const c of msg.calls) text += `${c.call},${field(c.name)}${field(c.json)}`
    return text
  },
  decode(text) {
    const r = new FieldReader(text)
    const msg: CallStarted = { t: "call", run: r.num(), calls: [] }
    while (r.more()) msg.calls.push({ call: r.num(), name: r.str(), json: r.str() })
    return msg
  },
}

/** A length-prefixed string: `<length>,<text>` (length in UTF-16 code units). */
function field(s: string): string {
  return `${s.length},${s}`
}

/** Reads numbers (`<n>,`) and length-prefixed strings. */
class FieldReader {
  private pos = 0

  constructor(private readonly text: string) {}

  more(): boolean {
    return this.pos < this.text.length
  }

  num(): number {
    const end = this.text.indexOf(",", this.pos)
    const n = Number(this.text.slice(this.pos, end))
    this.pos = end + 1
    return n
  }

  str(): string {
    const len = this.num()
    const s = this.text.slice(this.pos, this.pos + len)
    this.pos += len
    return s
  }
}
