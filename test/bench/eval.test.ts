/**
 * The eval harness on a small subset, with the scripted model over real HTTP, the real demo
 * functions and the real memory MCP server: both arms succeed, the figures are counted, and a task
 * whose answer does not come out of the tools fails.
 */
import { describe, expect, it } from "vitest"
import { cli } from "../cli/helpers.js"
import { evalTable } from "../../src/bench/eval/report.js"
import { EVAL_TASKS } from "../../src/bench/eval/tasks/index.js"
import { runEval, selectTasks, type EvalReport } from "../../src/bench/eval/run.js"
import { resultsOf } from "../../src/bench/eval/scripted.js"
import type { EvalTask } from "../../src/bench/eval/task.js"

describe("codemode eval", () => {
  it("has at least 30 tasks with unique ids, over every environment", () => {
    expect(EVAL_TASKS.length).toBeGreaterThanOrEqual(30)
    expect(new Set(EVAL_TASKS.map((t) => t.id)).size).toBe(EVAL_TASKS.length)
    expect(new Set(EVAL_TASKS.map((t) => t.env))).toEqual(new Set(["demo", "memory", "filesystem", "everything", "github"]))
    expect(() => selectTasks(["nope"])).toThrow(/no task or environment named "nope"/)
  })

  it("runs a subset in both arms with the scripted model and reports per arm", async () => {
    const wrong: EvalTask = { ...EVAL_TASKS.find((t) => t.id === "demo-add-count")!, id: "demo-wrong-answer", answer: ["4"] }
    const report: EvalReport = await runEval({ tasks: [...EVAL_TASKS, wrong], only: ["demo-complete-one", "memory-create-relate", "demo-wrong-answer"] })
    expect(report.model).toMatchObject({ scripted: true, note: expect.stringMatching(/measures the protocol .*, not a model's skill/) })
    expect(report.tasks.map((t) => t.id)).toEqual(["demo-complete-one", "memory-create-relate", "demo-wrong-answer"])
    for (const arm of ["codemode", "classic"] as const) {
      const summary = report.arms[arm]
      expect(Object.keys(summary)).toEqual(expect.arrayContaining(["successRate", "turns", "promptTokens", "completionTokens", "wallMs"]))
      expect(summary).toMatchObject({ tasks: 3, succeeded: 2 })
      expect(summary.successRate).toBeCloseTo(2 / 3)
      expect(summary.promptTokens).toBeGreaterThan(0)
      expect(summary.completionTokens).toBeGreaterThan(0)
    }
    // the answer comes from the tools: 3 open to-dos, not the 4 this copy expects
    const failed = report.tasks.find((t) => t.id === "demo-wrong-answer")!
    expect(failed.arms.codemode).toMatchObject({ ok: false, failure: 'the answer lacks "4"', answer: "3 open to-dos" })
    expect(failed.arms.classic).toMatchObject({ ok: false, answer: "3 open to-dos" })
    // the shortest plays: code mode one program, classic one turn per dependent step
    const relate = report.tasks.find((t) => t.id === "memory-create-relate")!
    expect(relate.arms.codemode).toMatchObject({ ok: true, turns: 2 })
    expect(relate.arms.classic).toMatchObject({ ok: true, turns: 4 })
    expect(evalTable(report)).toMatch(/^scripted model: .*\n\narm +tasks +success.*\n-+.*\ncodemode +3 +67%/)
  })

  it("codemode eval --json prints { model, tasks, arms } (the scripted model without an endpoint)", async () => {
    const { code, stdout, stderr } = await cli(["eval", "--only", "demo-done-sorted", "--json"], "", 60_000, { OPENAI_BASE_URL: "", OPENAI_API_KEY: "" })
    expect(code).toBe(0)
    const report = JSON.parse(stdout) as EvalReport
    expect(report.model.scripted).toBe(true)
    expect(report.tasks.map((t) => t.id)).toEqual(["demo-done-sorted"])
    expect(report.arms.codemode).toMatchObject({ tasks: 1, successRate: 1, turns: 2 })
    expect(report.arms.classic).toMatchObject({ tasks: 1, successRate: 1, turns: 2 })
    expect(stderr).toMatch(/✓ demo-done-sorted \(classic\)/)
  })

  it("reads the results of each classic turn from the conversation the model is sent", () => {
    const messages = [
      { role: "user", content: "old" },
      { role: "assistant", tool_calls: [{ id: "a", function: { name: "x", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "a", content: "stale" },
      { role: "user", content: "now" },
      { role: "assistant", tool_calls: [{ id: "b", function: { name: "x", arguments: "{}" } }, { id: "c", function: { name: "y", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "b", content: '{"n":1}' },
      { role: "tool", tool_call_id: "c", content: "plain text" },
    ]
    expect(resultsOf(messages)).toEqual([[{ n: 1 }, "plain text"]])
  })
})
