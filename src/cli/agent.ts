/**
 * `codemode agent`: a chat with a model at any OpenAI-compatible endpoint that works through
 * codemode's `search` / `execute` over the configured tools. `--prompt` runs one task and exits;
 * `--json` prints the events (JSONL) instead of text. Approvals as in `run` (`--approve`).
 */
import { createInterface } from "node:readline"
import { Command } from "commander"
import { CodeModeError, codemodeError } from "../errors.js"
import type { AgentEvent } from "../integrations/agent/events.js"
import type { Agent } from "../integrations/agent/agent.js"
import { resolveEndpoint } from "../integrations/agent/client.js"
import { createRenderer } from "./agent-render.js"
import { approvalHandler, approveMode, type Ask, type ApproveMode } from "./approve.js"
import { addGovernanceFlags } from "./governance.js"
import { addSourceFlags } from "./sources.js"
import { reportHostFailure, withCodeMode, EXIT_CODE_FAILED, EXIT_HOST_FAILED, type SessionFlags } from "./session.js"

interface AgentFlags extends SessionFlags {
  model?: string
  prompt?: string
  json?: boolean
  approve?: string
  maxTurns?: string
  stream: boolean
  system?: string
}

function maxTurns(flag: string | undefined): number | undefined {
  if (flag === undefined) return undefined
  const n = Number(flag)
  if (!Number.isInteger(n) || n < 1) throw codemodeError("CONFIG_INVALID", "cli", `--max-turns must be a positive integer, got ${JSON.stringify(flag)}`)
  return n
}

/** Standard input's lines for the chat, and Ctrl-C. */
export interface ChatInput {
  ask: Ask
  /** Ctrl-C: on a terminal readline takes it from the keyboard (no process SIGINT then), else the signal. */
  onInterrupt(handler: () => void): void
  close(): void
}

/**
 * Lines of `input` through one readline interface for the whole chat (its iterator keeps lines that
 * arrive while a task runs), shared by the chat prompt and the approval questions. A question whose
 * signal aborts resolves with null at once; the line typed after it goes to the next question.
 */
export function inputLines(input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin, output: NodeJS.WritableStream = process.stderr): ChatInput {
  const rl = createInterface({ input, output, terminal: input.isTTY ?? false })
  const lines = rl[Symbol.asyncIterator]()
  let waiting: Promise<IteratorResult<string>> | undefined // the read an abandoned question left
  return {
    ask: async (question, signal) => {
      if (signal.aborted) return null
      output.write(question)
      const next = (waiting ??= lines.next())
      let onAbort = () => {}
      const abandoned = new Promise<"abandoned">((resolve) => {
        onAbort = () => resolve("abandoned")
        signal.addEventListener("abort", onAbort, { once: true })
      })
      try {
        const result = await Promise.race([next, abandoned])
        if (result === "abandoned") return null
        waiting = undefined
        return result.done ? null : result.value
      } finally {
        signal.removeEventListener("abort", onAbort)
      }
    },
    onInterrupt(handler) {
      rl.on("SIGINT", handler)
      process.on("SIGINT", handler)
      rl.once("close", () => process.off("SIGINT", handler))
    },
    close: () => rl.close(),
  }
}

/** The chat: one task per line until `/exit` or the end of input; a failed task is reported and the chat goes on. */
async function chat(agent: Agent, input: ChatInput, toolCount: number): Promise<number> {
  process.stderr.write(`codemode agent · ${agent.model} at ${agent.baseURL} · ${toolCount} tools · /reset forgets the conversation, /exit quits\n`)
  let running: AbortController | undefined
  // Ctrl-C cancels the running task; at the prompt, or again while a task is being cancelled, it quits
  input.onInterrupt(() => (running && !running.signal.aborted ? running.abort() : process.exit(130)))
  for (;;) {
    const line = (await input.ask("you> ", new AbortController().signal))?.trim()
    if (line === undefined || line === "/exit") return 0
    if (line === "") continue
    if (line === "/reset") {
      agent.reset()
      continue
    }
    running = new AbortController()
    try {
      await agent.send(line, { signal: running.signal })
    } catch (error) {
      if (!CodeModeError.is(error, "MODEL_FAILED") && !CodeModeError.is(error, "ABORTED")) throw error
      if (CodeModeError.is(error, "ABORTED")) process.stderr.write("· cancelled\n")
    } finally {
      running = undefined
    }
  }
}

export function agentCommand(): Command {
  const command = new Command("agent")
    .description("chat with a model at an OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY) that uses the tools through search / execute")
    .option("--model <name>", "the model (default: $OPENAI_MODEL)")
    .option("--prompt <text>", "run this one task, print the answer and exit")
    .option("--json", "print the events of the task as JSON lines (text pieces, tool calls, program calls, results, tokens)")
    .option("--max-turns <n>", "most model turns per task (default 20)")
    .option("--no-stream", "ask for whole responses instead of streamed ones")
    .option("--system <text>", "instructions added to the default ones")
  addSourceFlags(command)
    .option("--timeout <ms>", "wall-time limit of each program in milliseconds")
    .option("--typecheck <mode>", "check each program against the declarations first: error (default), warn, off")
  addGovernanceFlags(command)
  return command
    .option("--approve <mode>", "calls that need approval: prompt (ask here), all, none, defer (the model is told the run paused); default prompt on a terminal, else defer")
    .addHelpText(
      "after",
      "\nExamples:\n  OPENAI_BASE_URL=http://localhost:11434/v1 codemode agent --model qwen3 --demo\n" +
        '  codemode agent --model gpt-4.1-mini --config codemode.json --prompt "how many open issues have no label?"\n' +
        '  codemode agent --model gpt-4.1-mini --prompt "add a to-do" --json | jq -c \'select(.type == "usage")\'\n\n' +
        "Exit code: 0 the task (or chat) ended, 1 the task stopped at --max-turns or its answer was cut by the model's length limit, 2 codemode or the model endpoint failed.",
    )
    .action(async (flags: AgentFlags) => {
      let mode: ApproveMode
      let turns: number | undefined
      try {
        resolveEndpoint(flags.model === undefined ? {} : { model: flags.model }) // say what to set before loading any tool
        mode = approveMode(flags.approve)
        turns = maxTurns(flags.maxTurns)
      } catch (error) {
        return reportHostFailure(error)
      }
      const input = flags.prompt === undefined ? inputLines() : undefined
      const onApproval = (input ? approvalHandler(mode, input.ask) : approvalHandler(mode)) ?? false
      const onEvent: (event: AgentEvent) => void = flags.json
        ? (event) => process.stdout.write(`${JSON.stringify(event)}\n`)
        : createRenderer({ out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) })
      await withCodeMode(flags, async (cm) => {
        const agent = await cm.agent({
          ...(flags.model === undefined ? {} : { model: flags.model }),
          ...(turns === undefined ? {} : { maxTurns: turns }),
          ...(flags.system === undefined ? {} : { system: flags.system }),
          stream: flags.stream,
          onApproval,
          onEvent,
        })
        if (input) return chat(agent, input, cm.tools().length)
        try {
          const reply = await agent.send(flags.prompt ?? "")
          return reply.stopped ? EXIT_CODE_FAILED : 0
        } catch (error) {
          if (!CodeModeError.is(error, "MODEL_FAILED")) throw error
          if (flags.json) process.stderr.write(`${error.message}\n`) // the text renderer has shown it already
          return EXIT_HOST_FAILED
        }
      })
      input?.close()
    })
}
