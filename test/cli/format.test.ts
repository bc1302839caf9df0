import { describe, expect, it } from "vitest"
import { formatError, formatReport, formatValue } from "../../src/cli/format.js"
import { renderTable } from "../../src/runtime/text-table.js"
import { sandboxTable, soakTable } from "../../src/cli/bench-format.js"
import type { ExecuteResult } from "../../src/runtime/codemode.js"

describe("CLI formatting", () => {
  it("prints strings raw, other values as JSON, undefined as nothing", () => {
    expect(formatValue("a\nb")).toBe("a\nb")
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}')
    expect(formatValue({ a: 1 }, true)).toBe('{\n  "a": 1\n}')
    expect(formatValue(null)).toBe("null")
    expect(formatValue(undefined)).toBe("")
  })

  it("formats an error with its position and excerpt", () => {
    expect(formatError({ kind: "runtime", message: "TypeError: x", line: 2, column: 3, excerpt: "> 2 | a.b\n    |   ^" })).toBe(
      "runtime error at line 2, column 3: TypeError: x\n> 2 | a.b\n    |   ^",
    )
    expect(formatError({ kind: "timeout", message: "time limit of 200 ms reached" })).toBe("timeout error: time limit of 200 ms reached")
  })

  it("renders a report with result, logs, calls and stats", () => {
    const result: ExecuteResult = {
      status: "done",
      ok: true,
      value: { n: 2 },
      logs: [{ level: "warn", message: "careful" }],
      calls: [
        { tool: "demo.echo", args: { n: 1 }, durationMs: 0.5, ok: true },
        { tool: "demo.completeTodo", args: { id: 9 }, durationMs: 12, ok: false, error: { message: "no to-do with id 9", code: "TOOL_CALL_FAILED" } },
      ],
      stats: { durationMs: 20, toolCalls: 2, memoryBytes: 3 * 1024 * 1024 },
    }
    expect(formatReport(result)).toBe(
      [
        "result:",
        "  {",
        '    "n": 2',
        "  }",
        "",
        "logs (1):",
        "  warn  careful",
        "",
        "calls (2, 13 ms in tools):",
        '   1. demo.echo({"n":1})  0.50 ms  ok',
        '   2. demo.completeTodo({"id":9})  12 ms  failed: no to-do with id 9',
        "",
        "stats: 20 ms total, 2 tool calls, 3.0 MiB heap",
      ].join("\n"),
    )
  })

  it("renders tables with numbers right-aligned", () => {
    expect(renderTable(["name", "value"], [["a", 1.5], ["long name", "0.250"]])).toBe(
      ["name       value", "---------  -----", "a            1.5", "long name  0.250"].join("\n"),
    )
  })

  it("renders the sandbox benchmark with its targets", () => {
    const table = sandboxTable({
      coldExecuteP50Us: 300, coldExecuteP95Us: 450, coldBackToBackP50Us: 500, pauseMs: 3, coldAfterIdleP50Us: 900, bareAfterIdleP50Us: 450, idlePauseMs: 200, parallelToolCallUs: 20, channel: { postMessageRttUs: 30, atomicsRttUs: 9 }, toolCallUs: 12.5, toolCallWarmupCalls: 8000, toolCallFreshWorkerUs: 80, withoutSpin: { coldExecuteP50Us: 400, coldBackToBackP50Us: 600, toolCallUs: 90 }, bytesPerSandbox: 400_000, bareQuickjsP50Us: 200, bareQuickjsBackToBackP50Us: 125, nodeVmP50Us: 900,
      coldVsBare: 1.5, backToBackVsBare: 4, moduleCreateP50Ms: 5.2,
      largeTransfer: { calls: 8, values: 100_000, runs: 5, results: { runMsP50: 61.5, hostMaxStallMsP50: 6.2 }, arguments: { runMsP50: 90, hostMaxStallMsP50: 7 } },
      memoryCap: { limitBytes: 64 * 1024 * 1024, stoppedBy: "memory", hostGrowthBytes: 70 * 1024 * 1024, durationMs: 120 },
      iterations: 300, toolCalls: 1000, liveSandboxes: 200, machine: { node: "v20.20.2", cores: 2, loadAverage1m: 0.5 },
    })
    expect(table).toMatch(/^cold execute p50 +300 µs /m)
    expect(table).toContain("<= 2x bare QuickJS (1.50x)")
    expect(table).toContain("no pause; 4.00x bare back to back")
    expect(table).toMatch(/^cold execute p50, after idle +900 µs +200 ms pause; 2\.00x bare after the same pause \(450 µs\)/m)
    expect(table).toMatch(/^tool call round trip +12\.5 µs +<= 30 µs; warm \(after 8000 calls\)/m)
    expect(table).toMatch(/^ {2}same, first loop of a new executor +80\.0 µs /m)
    expect(table).toMatch(/^ {2}same, back to back +125 µs +no pause/m)
    expect(table).toMatch(/^tool call in a Promise\.all of 100 +20\.0 µs /m)
    expect(table).toContain("host grew 70.0 MiB in 120 ms")
    expect(table).toMatch(/^8 × 100,000-number results +61\.5 ms per run +host event loop stalled ≤ 6\.2 ms \(p50 of 5\)/m)
    expect(table).toMatch(/^8 × 100,000-number arguments +90\.0 ms per run +host event loop stalled ≤ 7\.0 ms/m)
  })

  it("renders the soak with the budget verdict and the curve", () => {
    const MiB = 1024 * 1024
    const sample = (runs: number, rss: number) => ({ runs, rssBytes: rss * MiB, heapUsedBytes: 6 * MiB, externalBytes: 2 * MiB, handles: 2, elapsedMs: runs * 4 })
    const table = soakTable({
      runs: 10_000, warmupRuns: 1_000, tailRuns: 3_000, concurrency: 4, outcomes: { ok: 5715, limit: 1428 },
      samples: [sample(0, 80), sample(1_000, 170), sample(7_000, 190), sample(10_000, 190.5)],
      rssGrowthBytes: 20.5 * MiB, rssTailGrowthBytes: 0.5 * MiB, heapGrowthBytes: 0.2 * MiB, heapTailGrowthBytes: -0.1 * MiB,
      handlesGrowth: 0, budgetBytes: 10 * MiB, flat: false, durationMs: 40_000, runsPerSecond: 250,
      machine: { node: "v20.20.2", cores: 2, loadAverage1m: 1 },
    })
    expect(table).toMatch(/^RSS growth, runs 1,000 → 10,000 +\+20\.5 MiB +OVER 10 MiB$/m)
    expect(table).toMatch(/^RSS growth, last 3,000 runs +\+0\.5 MiB +under 10 MiB$/m)
    expect(table).toMatch(/^host V8 heap growth, last 3,000 runs +-0\.1 MiB/m)
    expect(table).toContain("ok 5715, limit 1428")
    expect(table).toMatch(/^10000 +190\.5 +6\.0 +2\.0 +2 +40\.0$/m)
    expect(table).toContain("flat: no")
  })
})
