/**
 * A second process for test/store/file.test.ts, run as `node --import tsx file-child.ts <mode> <dir>`.
 * - `write`: writes large JSON values (1–8 MiB) to `big/0` … `big/7` in a loop until killed; prints `ready`
 *   after the first write and `wrote <n>` after each one.
 * - `race <rounds> <stepMs>`: prints `ready`, reads a start time (ms since epoch) from stdin, then for
 *   round r at `start + r * stepMs` calls `add("lease/<r>", <pid>)`; prints the results as JSON.
 */
import { createInterface } from "node:readline"
import { fileStore } from "../../src/store/file.js"

const [mode, dir, ...rest] = process.argv.slice(2)
if (!dir) throw new Error("usage: file-child.ts <write|race> <dir> …")
const store = fileStore({ dir })

if (mode === "write") {
  // Values are built once, so the loop spends its time writing files (where a kill hurts).
  const pads = [1, 2, 4, 8].map((mib) => "x".repeat(mib * 1024 * 1024))
  for (let i = 0; ; i++) {
    const pad = pads[i % pads.length] ?? ""
    await store.set(`big/${i % 8}`, `{"i":${i},"size":${pad.length},"pad":"${pad}","end":${i}}`)
    process.stdout.write(i === 0 ? "ready\n" : `wrote ${i}\n`)
  }
} else if (mode === "race") {
  const rounds = Number(rest[0])
  const stepMs = Number(rest[1])
  process.stdout.write("ready\n")
  const lines = createInterface({ input: process.stdin })
  const start = Number((await lines[Symbol.asyncIterator]().next()).value)
  lines.close()
  const results: boolean[] = []
  for (let r = 0; r < rounds; r++) {
    const at = start + r * stepMs
    while (at - Date.now() > 2) await new Promise((resolve) => setTimeout(resolve, at - Date.now() - 2))
    while (Date.now() < at) {} // spin the last ms so both processes start the round together
    results.push(await store.add(`lease/${r}`, String(process.pid), { ttlMs: 60_000 }))
  }
  process.stdout.write(`${JSON.stringify(results)}\n`)
} else {
  throw new Error(`unknown mode ${mode}`)
}
