/**
 * How `codemode agent` shows a task to a person: the model's text streams to stdout as it comes;
 * each tool call with its code, the program's calls, approvals, the result, retries and a token
 * meter per turn go to stderr (so `--prompt … > answer.txt` keeps only the answer). No colors.
 */
import type { AgentEvent } from "../integrations/agent/events.js"

/** Longest result text shown per tool call. */
const MAX_RESULT_CHARS = 1_500

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)
const inline = (value: unknown) => clip(JSON.stringify(value) ?? "", 120)
const bar = (text: string) => text.split("\n").map((line) => `  │ ${line}`).join("\n")
const count = (n: number) => n.toLocaleString("en-US")
const DECIDED = { approve: "approved", deny: "denied", timeout: "not answered in time" } as const

export interface Writers {
  out: (text: string) => void
  err: (text: string) => void
}

/** A listener that renders events; keeps track of whether the model's text left a line open. */
export function createRenderer(writers: Writers): (event: AgentEvent) => void {
  let lineOpen = false
  const err = (text: string) => {
    if (lineOpen) writers.out("\n")
    lineOpen = false
    writers.err(`${text}\n`)
  }
  return (event) => {
    switch (event.type) {
      case "text":
        writers.out(event.delta)
        lineOpen = !event.delta.endsWith("\n")
        return
      case "retry":
        return err(
          `· ${event.status === undefined ? `connection failed (${event.error})` : `endpoint answered ${event.status}`}; ` +
            `retrying${event.retryAfter === undefined ? "" : ` after ${event.retryAfter} s`} (attempt ${event.attempt})`,
        )
      case "tool-call":
        if (event.malformed) return err(`▸ ${event.name} (arguments are not valid JSON: ${clip(String(event.arguments), 200)})`)
        return err(event.code === undefined ? `▸ ${event.name} ${inline(event.arguments)}` : `▸ ${event.name}\n${bar(event.code)}`)
      case "call":
        return err(`  ${event.ok ? "✓" : "✗"} ${event.tool}(${inline(event.args)}) ${Math.round(event.durationMs)} ms${event.ok ? "" : `: ${clip(event.error?.message ?? "", 200)}`}`)
      case "approval":
        return err(`  ? ${event.tool}(${inline(event.args)}) — ${event.reason}: ${DECIDED[event.decision]}`)
      case "tool-result":
        return err(`  ${event.isError ? "✗" : "="} ${clip(event.text, MAX_RESULT_CHARS).replace(/\n/g, "\n    ")}`)
      case "usage":
        return err(
          `· tokens, turn ${event.turn}: ${count(event.promptTokens)} in / ${count(event.completionTokens)} out (${event.source}); ` +
            `task: ${count(event.total.promptTokens)} / ${count(event.total.completionTokens)}`,
        )
      case "done":
        if (event.stopped === "max-turns") err(`· stopped after ${event.turns} turns (--max-turns)`)
        else if (event.stopped === "length") err("· the answer was cut by the model's length limit")
        else if (lineOpen) writers.out("\n")
        lineOpen = false
        return
      case "error":
        return err(`✗ ${event.message}`)
      case "turn":
        return
    }
  }
}
