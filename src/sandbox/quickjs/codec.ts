/**
 * How tool calls and their results — the messages of a tool-call loop — are written as text for the
 * channel's shared-memory ring (channel.ts): numbers and length-prefixed strings, 4–5× cheaper than
 * JSON here, and a JSON payload is not escaped a second time. A deterministic run's clock reads ride
 * in front of its calls (`c<count>,<number>,…`). Everything else (one or two messages per run) and
 * large batches are left to the port.
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

/** First character of a call record that starts with a deterministic run's clock reads. */
const READS_MARK = "c"
/** Characters a number may take in the text, with its comma (`-1.2345678901234567e+308,`). */
const NUMBER_CHARS = 25

export const workerToHost: Codec<WorkerToHost> = {
  encode(msg) {
    if (msg.t !== "call") return undefined
    const { reads } = msg
    let size = reads ? reads.length * NUMBER_CHARS : 0
    for (const c of msg.calls) size += c.json.length + c.name.length
    if (size > MAX_RECORD_BYTES) return undefined
    let text = reads ? `${READS_MARK}${reads.length},` : ""
    if (reads) for (const n of reads) text += `${n},`
    text += `${msg.run},`
    for (const c of msg.calls) text += `${c.call},${field(c.name)}${field(c.json)}`
    return text
  },
  decode(text) {
    const withReads = text.startsWith(READS_MARK)
    const r = new FieldReader(text, withReads ? READS_MARK.length : 0)
    let reads: number[] | undefined
    if (withReads) {
      reads = []
      for (let n = r.num(); n > 0; n--) reads.push(r.num())
    }
    const msg: CallStarted = { t: "call", run: r.num(), calls: [] }
    if (reads) msg.reads = reads
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
  constructor(
    private readonly text: string,
    private pos = 0,
  ) {}

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
