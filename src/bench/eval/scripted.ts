/**
 * The scripted model of the eval: for each task and arm it plays the shortest correct turns. Its
 * answers are computed from the tool results in the conversation it is sent (never from the
 * expected answer), so a tool or protocol that fails makes the task fail. It measures the protocol
 * (turns, payload tokens, wall time), not a model's skill.
 */
import type { Script, ScriptedMessage, ScriptedRequest, ScriptedTurn } from "../../testing/scripted-model.js"
import { classicName } from "./classic.js"
import type { ArmName, EvalTask, Results } from "./task.js"

const parse = (text: unknown): unknown => {
  if (typeof text !== "string") return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The results of each turn's tool calls since the last user message, in call order. */
export function resultsOf(messages: ScriptedMessage[]): Results {
  let start = messages.length
  while (start > 0 && messages[start - 1]?.role !== "user") start--
  const results: Results = []
  for (const message of messages.slice(start)) {
    if (message.role === "assistant" && message.tool_calls?.length) results.push([])
    else if (message.role === "tool") results.at(-1)?.push(parse(message.content))
  }
  return results
}

/** The value an `execute` returned, from its tool message (the text before the console and call sections). */
function executeValue(request: ScriptedRequest): string {
  const text = String(request.messages.at(-1)?.content ?? "")
  const value = text.split("\n\n")[0] ?? ""
  const parsed = parse(value)
  return typeof parsed === "string" ? parsed : value
}

function codemodeTurns(task: EvalTask, offered: ReadonlySet<string>): Array<(request: ScriptedRequest) => ScriptedTurn> {
  const search = offered.has("search") && task.codemode.search?.length ? task.codemode.search : []
  return [
    ...(search.length ? [() => ({ toolCalls: search.map((query) => ({ name: "search", arguments: { query } })) })] : []),
    () => ({ toolCalls: [{ name: "execute", arguments: { code: task.codemode.program } }] }),
    (request) => ({ text: executeValue(request) }),
  ]
}

function classicTurns(task: EvalTask): Array<(request: ScriptedRequest) => ScriptedTurn> {
  const name = (tool: string) => {
    const dot = tool.indexOf(".")
    return classicName({ namespace: tool.slice(0, dot), name: tool.slice(dot + 1) })
  }
  return [
    ...task.classic.turns.map((plan) => (request: ScriptedRequest) => ({
      toolCalls: plan(resultsOf(request.messages)).map((call) => ({ name: name(call.tool), arguments: call.args })),
    })),
    (request: ScriptedRequest) => ({ text: task.classic.answer(resultsOf(request.messages)) }),
  ]
}

/** The script of one task in one arm; `offered`: the tool names of the first request decide whether code mode searches. */
export function scriptFor(task: EvalTask, arm: ArmName): Script {
  let turns: Array<(request: ScriptedRequest) => ScriptedTurn> | undefined
  return (request, index) => {
    turns ??= arm === "codemode" ? codemodeTurns(task, new Set(request.tools)) : classicTurns(task)
    const turn = turns[index]
    return turn ? turn(request) : { text: "(the scripted model has no more turns)" }
  }
}
