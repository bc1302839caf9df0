/**
 * `codemode eval`: every task run two ways with the same model, code mode (`search` / `execute`)
 * and classic tool calling (one JSON tool per operation). Per arm: success rate, model turns,
 * prompt and completion tokens (o200k, counted on the request bodies sent and on what came back)
 * and wall time of the tasks' loops. Without an endpoint the model is the scripted one
 * (scripted.ts) on 127.0.0.1: the figures then measure the protocol, not a model's skill.
 */
import { codemodeError } from "../../errors.js"
import { createToolsetAgent, createAgent, type Agent } from "../../integrations/agent/agent.js"
import type { EndpointOptions } from "../../integrations/agent/client.js"
import { quickjs } from "../../sandbox/quickjs/index.js"
import { scriptedModelServer, type ScriptedModelServer } from "../../testing/scripted-model.js"
import { CLASSIC_INSTRUCTIONS, classicToolset } from "./classic.js"
import { checkEnvironments, createEnvironments } from "./environments.js"
import { scriptFor } from "./scripted.js"
import { ARMS, type ArmName, type EvalTask } from "./task.js"
import { EVAL_TASKS } from "./tasks/index.js"

/** Most model turns per task and arm. */
export const EVAL_MAX_TURNS = 12

export const SCRIPTED_NOTE =
  "scripted model: plays the shortest correct turns of each arm; this measures the protocol (turns, payload tokens, time), not a model's skill"

export interface EvalOptions {
  /** Task ids or environment names to run. Default: all. */
  only?: string[]
  /** The tasks to choose from. Default: {@link EVAL_TASKS}. */
  tasks?: EvalTask[]
  /** A real endpoint (`OPENAI_BASE_URL` …); without one the scripted model plays. */
  endpoint?: EndpointOptions
  /** Called after each task and arm. */
  onResult?: (result: TaskArmResult) => void
}

export interface TaskArmResult {
  task: string
  env: string
  arm: ArmName
  ok: boolean
  turns: number
  promptTokens: number
  completionTokens: number
  wallMs: number
  answer: string
  /** Why it failed: the answer lacked an expected part, the state check failed, or the error. */
  failure?: string
}

export interface ArmSummary {
  tasks: number
  succeeded: number
  successRate: number
  /** Totals over the tasks. */
  turns: number
  promptTokens: number
  completionTokens: number
  wallMs: number
}

export interface EvalReport {
  model: { name: string; baseURL: string; scripted: boolean; note?: string }
  tasks: Array<{ id: string; env: string; prompt: string; arms: Record<ArmName, Omit<TaskArmResult, "task" | "env" | "arm">> }>
  arms: Record<ArmName, ArmSummary>
}

export function selectTasks(only: readonly string[] | undefined, all: readonly EvalTask[] = EVAL_TASKS): EvalTask[] {
  if (!only?.length) return [...all]
  const tasks = all.filter((t) => only.includes(t.id) || only.includes(t.env))
  const unknown = only.filter((o) => !all.some((t) => t.id === o || t.env === o))
  if (unknown.length) throw codemodeError("CONFIG_INVALID", "eval", `no task or environment named ${unknown.map((u) => JSON.stringify(u)).join(", ")}`)
  return tasks
}

const normalize = (text: string) => text.toLowerCase().replace(/\s+/g, " ")

function summarize(results: TaskArmResult[]): ArmSummary {
  const sum = (key: "turns" | "promptTokens" | "completionTokens" | "wallMs") => results.reduce((n, r) => n + r[key], 0)
  const succeeded = results.filter((r) => r.ok).length
  return {
    tasks: results.length,
    succeeded,
    successRate: results.length ? succeeded / results.length : 0,
    turns: sum("turns"),
    promptTokens: sum("promptTokens"),
    completionTokens: sum("completionTokens"),
    wallMs: Math.round(sum("wallMs")),
  }
}

/** Runs the selected tasks in both arms; rejects only when an environment cannot be set up. */
export async function runEval(options: EvalOptions = {}): Promise<EvalReport> {
  const tasks = selectTasks(options.only, options.tasks)
  checkEnvironments(tasks.map((t) => t.env))
  const scripted: ScriptedModelServer | undefined = options.endpoint ? undefined : await scriptedModelServer()
  const endpoint: EndpointOptions = options.endpoint ?? { baseURL: scripted!.url, model: "scripted", maxRetries: 0 }
  const executor = quickjs()
  const environments = createEnvironments(executor)
  const results: TaskArmResult[] = []
  let model = { name: endpoint.model ?? "", baseURL: endpoint.baseURL ?? "" }
  try {
    // The sandbox's cold start is paid once here, not by the first code-mode task.
    const warm = await environments.open("demo")
    await warm.cm.execute("return 0").finally(() => warm.close())
    for (const task of tasks) {
      for (const arm of ARMS) {
        const env = await environments.open(task.env)
        try {
          if (task.setup) {
            const seeded = await env.cm.execute(task.setup)
            if (!seeded.ok) throw codemodeError("SOURCE_UNAVAILABLE", "eval", `the setup of ${task.id} failed: ${JSON.stringify(seeded.error ?? seeded.status)}`)
          }
          scripted?.play(scriptFor(task, arm))
          const agentOptions = { ...endpoint, maxTurns: EVAL_MAX_TURNS, tokenCount: "o200k" as const }
          const agent: Agent =
            arm === "codemode" ? await createAgent(env.cm, { ...agentOptions, onApproval: false }) : await createToolsetAgent(classicToolset(env.cm), agentOptions, CLASSIC_INSTRUCTIONS)
          model = { name: agent.model, baseURL: agent.baseURL }
          const started = performance.now()
          let result: TaskArmResult
          try {
            const reply = await agent.send(task.prompt)
            const missing = task.answer.filter((part) => !normalize(reply.text).includes(normalize(part)))
            const stateOk = missing.length === 0 && task.verify ? await task.verify(env) : true
            const failure = missing.length ? `the answer lacks ${missing.map((m) => JSON.stringify(m)).join(", ")}` : !stateOk ? "the state check failed" : reply.stopped === "max-turns" ? "stopped at the turn limit" : reply.stopped === "length" ? "the reply was cut by the model's length limit" : undefined
            result = { task: task.id, env: task.env, arm, ok: failure === undefined, turns: reply.turns, promptTokens: reply.promptTokens, completionTokens: reply.completionTokens, wallMs: performance.now() - started, answer: reply.text, ...(failure ? { failure } : {}) }
          } catch (error) {
            result = { task: task.id, env: task.env, arm, ok: false, turns: 0, promptTokens: 0, completionTokens: 0, wallMs: performance.now() - started, answer: "", failure: error instanceof Error ? error.message : String(error) }
          }
          results.push(result)
          options.onResult?.(result)
        } finally {
          await env.close()
        }
      }
    }
  } finally {
    await environments.close()
    await executor.dispose()
    await scripted?.close()
  }
  const strip = ({ task: _t, env: _e, arm: _a, ...rest }: TaskArmResult) => rest
  return {
    model: { ...model, scripted: scripted !== undefined, ...(scripted ? { note: SCRIPTED_NOTE } : {}) },
    tasks: tasks.map((task) => {
      const of = (arm: ArmName) => strip(results.find((r) => r.task === task.id && r.arm === arm)!)
      return { id: task.id, env: task.env, prompt: task.prompt, arms: { codemode: of("codemode"), classic: of("classic") } }
    }),
    arms: { codemode: summarize(results.filter((r) => r.arm === "codemode")), classic: summarize(results.filter((r) => r.arm === "classic")) },
  }
}
