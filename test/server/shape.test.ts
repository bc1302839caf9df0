import { describe, expect, it } from "vitest"
import type { ExecuteResult } from "../../src/runtime/codemode.js"
import { formatExecuteError, formatExecuteResult, formatLogs, shapeValue, summarizeCalls } from "../../src/runtime/shape.js"

const stats = { durationMs: 5, toolCalls: 0 }

describe("shapeValue", () => {
  it("returns small values as compact JSON and strings as they are", () => {
    expect(shapeValue({ a: [1, 2], b: "x" })).toEqual({ text: '{"a":[1,2],"b":"x"}', originalChars: 19 })
    expect(shapeValue("plain text").text).toBe("plain text")
    expect(shapeValue(undefined).text).toBe("undefined")
  })

  it("cuts a big array of records to valid JSON within the budget and says what was cut", () => {
    const records = Array.from({ length: 2_000 }, (_, i) => ({ id: i, name: `record ${i}`, tags: ["a", "b"], note: "x".repeat(50) }))
    const shaped = shapeValue({ result: records, total: 2_000 }, { maxChars: 5_000 })
    expect(shaped.text.length).toBeLessThanOrEqual(5_000)
    const parsed = JSON.parse(shaped.text) as { result: unknown[]; total: number }
    expect(parsed.total).toBe(2_000)
    expect(parsed.result[0]).toEqual(records[0])
    expect(parsed.result.at(-1)).toMatch(/^… \d+ more items$/)
    expect(shaped.originalChars).toBe(JSON.stringify({ result: records, total: 2_000 }).length)
    expect(shaped.note).toMatch(/\$\.result \(first \d+ of 2000 items\)/)
    expect(shaped.note).toMatch(/filter/)
  })

  it("never cuts inside a JSON string: long strings are shortened with a marker and the JSON still parses", () => {
    const value = { body: "é\"quoted\" \\ ".repeat(5_000), list: ["y".repeat(10_000)] }
    const shaped = shapeValue(value, { maxChars: 3_000 })
    const parsed = JSON.parse(shaped.text) as { body: string; list: string[] }
    expect(parsed.body).toMatch(/… \(\+\d+ chars\)$/)
    expect(value.body.startsWith(parsed.body.replace(/… \(\+\d+ chars\)$/, ""))).toBe(true)
    expect(shaped.note).toMatch(/\$\.body \(strings cut to \d+ chars\)/)
  })

  it("outlines a value whose top level alone is too big", () => {
    const wide = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`key_${i}`, i]))
    const shaped = shapeValue(wide, { maxChars: 200 })
    expect(shaped.text.length).toBeLessThanOrEqual(200)
    expect(JSON.parse(shaped.text)).toBeTypeOf("object")
    expect(shaped.note).toContain("truncated")
  })

  it("cuts long plain strings at a line break and says how much is left", () => {
    const text = Array.from({ length: 1_000 }, (_, i) => `line ${i}`).join("\n")
    const shaped = shapeValue(text, { maxChars: 100 })
    expect(shaped.text.endsWith("\n")).toBe(false)
    expect(text.startsWith(shaped.text)).toBe(true)
    expect(shaped.note).toContain(`string truncated: ${text.length.toLocaleString("en-US")} chars, first ${shaped.text.length} shown`)
  })
})

describe("errors, logs and calls for the model", () => {
  it("names the kind, position, excerpt and what to do", () => {
    const text = formatExecuteError({ kind: "runtime", message: "TypeError: x is undefined", line: 2, column: 5, excerpt: "> 2 | x.y\n    |     ^" })
    expect(text).toBe("runtime error at line 2, column 5: TypeError: x is undefined\n> 2 | x.y\n    |     ^\nFix the code; check names and argument shapes against the declarations.")
  })

  it("says whose failure a failed tool call was: the tool's, its server's, or a source not loaded yet", () => {
    const last = (error: Parameters<typeof formatExecuteError>[0]) => formatExecuteError(error).split("\n").at(-1)
    const message = 'Error: codemode.gh.search({"q":"x"}) failed: …'
    expect(last({ kind: "runtime", message, tool: "gh.search", code: "TOOL_INPUT_INVALID" })).toMatch(/^The tool call failed: check its arguments/)
    expect(last({ kind: "runtime", message, tool: "gh.search", code: "SOURCE_UNAVAILABLE" })).toMatch(/^The tool's server crashed or disconnected during the call; .* a retry may work/)
    expect(last({ kind: "runtime", message, tool: "gh.search", code: "TOOL_TIMEOUT" })).toBe("The tool did not answer in time; a retry may work, or ask it for less per call.")
    // without the call's code (an older journal), the message alone still tells a tool failure
    expect(last({ kind: "runtime", message })).toMatch(/^The tool call failed/)
    expect(last({ kind: "runtime", message: "TypeError: … (source \"gh\" is still loading; retry in a moment)", code: "SOURCE_UNAVAILABLE" })).toMatch(/^That namespace is not available yet; this is not a mistake in your code/)
  })

  it("names a limit and its value", () => {
    const text = formatExecuteError({ kind: "timeout", message: "run exceeded 100 ms", limit: { name: "timeMs", value: 100 } })
    expect(text).toContain("limit: timeMs = 100")
    expect(text).toContain("Promise.all")
  })

  it("groups repeated calls and keeps failures with their reason", () => {
    const calls = [
      { tool: "cf.zones_get", args: {}, durationMs: 10, ok: true },
      { tool: "cf.zones_get", args: {}, durationMs: 20, ok: true },
      { tool: "cf.dns_create", args: {}, durationMs: 5, ok: false, error: { message: "[codemode] [cf] HTTP 403 Forbidden", code: "TOOL_CALL_FAILED" as const } },
    ]
    expect(summarizeCalls(calls)).toBe("calls: 3 (1 failed)\n- cf.zones_get ×2 ok (30 ms)\n- cf.dns_create failed: HTTP 403 Forbidden (5 ms)")
  })

  it("keeps the first console lines within the budget", () => {
    const logs = Array.from({ length: 100 }, (_, i) => ({ level: i === 0 ? ("warn" as const) : ("log" as const), message: `message number ${i}` }))
    const text = formatLogs(logs, 200)
    expect(text.startsWith("console (100 lines):\n[warn] message number 0\nmessage number 1")).toBe(true)
    expect(text).toMatch(/… \d+ more lines not shown$/)
  })

  it("puts value, console and calls together, and hints when nothing was returned", () => {
    const ok: ExecuteResult = { status: "done", ok: true, value: undefined, logs: [{ level: "log", message: "hi" }], calls: [], stats }
    expect(formatExecuteResult(ok)).toEqual({ text: "undefined (the program returned nothing: end it with `return <value>`)\n\nconsole (1 line):\nhi", isError: false })
    const failed: ExecuteResult = { status: "failed", ok: false, error: { kind: "syntax", message: "SyntaxError: unexpected token", line: 1 }, logs: [], calls: [], stats }
    expect(formatExecuteResult(failed)).toEqual({ text: "syntax error at line 1: SyntaxError: unexpected token\nFix the syntax and send the whole program again.", isError: true })
  })
})
