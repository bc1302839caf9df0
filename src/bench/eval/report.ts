/** The eval's table: one row per arm, then the tasks that failed and why. */
import { renderTable } from "../../cli/table.js"
import type { EvalReport } from "./run.js"
import { ARMS } from "./task.js"

const count = (n: number) => n.toLocaleString("en-US")

export function evalTable(report: EvalReport): string {
  const rows = ARMS.map((arm) => {
    const a = report.arms[arm]
    const per = (n: number) => (a.tasks ? n / a.tasks : 0)
    return [arm, a.tasks, `${Math.round(a.successRate * 100)}%`, a.turns, per(a.turns), count(a.promptTokens), count(Math.round(per(a.promptTokens))), count(a.completionTokens), count(a.wallMs)]
  })
  const headers = ["arm", "tasks", "success", "turns", "turns/task", "prompt tokens", "prompt/task", "completion tokens", "wall ms"]
  const failures = report.tasks.flatMap((t) => ARMS.flatMap((arm) => (t.arms[arm].ok ? [] : [`  ${t.id} (${arm}): ${t.arms[arm].failure ?? "failed"}`])))
  const head = report.model.scripted ? `${report.model.note}` : `model ${report.model.name} at ${report.model.baseURL}`
  return [head, "", renderTable(headers, rows), ...(failures.length ? ["", "failed:", ...failures] : [])].join("\n")
}
