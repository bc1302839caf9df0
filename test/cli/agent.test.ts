/**
 * `codemode agent` as a user runs it, against the scripted OpenAI-compatible model on 127.0.0.1
 * (set through OPENAI_BASE_URL, as for any endpoint).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PassThrough } from "node:stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inputLines } from "../../src/cli/agent.js"
import { scriptedModelServer, type ScriptedModelServer } from "../../src/testing/index.js"
import { cli } from "./helpers.js"

let model: ScriptedModelServer
let env: NodeJS.ProcessEnv
const stateDir = mkdtempSync(join(tmpdir(), "codemode-agent-cli-"))

beforeAll(async () => {
  model = await scriptedModelServer()
  env = { OPENAI_BASE_URL: model.url, OPENAI_API_KEY: "", OPENAI_MODEL: "" }
})
afterAll(async () => {
  await model?.close()
  rmSync(stateDir, { recursive: true, force: true })
})

const ADD = { name: "execute", arguments: { code: "const t = await codemode.demo.addTodo({ text: 'milk' })\nreturn t" } }

describe("codemode agent", () => {
  it("--prompt streams the answer to stdout; the code, calls, approvals, result and token meter go to stderr", async () => {
    model.play([{ text: "On it.", toolCalls: [ADD] }, { text: "Added milk (#1)." }])
    const args = ["agent", "--model", "scripted", "--prompt", "add milk", "--typecheck", "off", "--ask", "demo.addTodo", "--approve", "all", "--state-dir", stateDir]
    const { code, stdout, stderr } = await cli(args, "", 60_000, env)
    expect(stderr).toMatch(/\? demo\.addTodo\(\{"text":"milk"\}\) — .*: approved/)
    expect(stderr).toContain("▸ execute\n  │ const t = await codemode.demo.addTodo({ text: 'milk' })\n  │ return t")
    expect(stderr).toMatch(/✓ demo\.addTodo\(\{"text":"milk"\}\) \d+ ms/)
    expect(stderr).toContain('= {"id":1,"text":"milk","done":false}')
    expect(stderr).toMatch(/· tokens, turn 1: [\d,]+ in \/ [\d,]+ out \(o200k\); task: [\d,]+ \/ [\d,]+/)
    expect(stdout).toBe("On it.\nAdded milk (#1).\n")
    expect(code).toBe(0)
    expect(model.requests.at(-1)!.body.model).toBe("scripted")
  })

  it("--json prints the events as JSON lines", async () => {
    model.play([{ toolCalls: [ADD] }, { text: "done" }])
    const { code, stdout } = await cli(["agent", "--model", "scripted", "--prompt", "add milk", "--json", "--typecheck", "off"], "", 60_000, env)
    expect(code).toBe(0)
    const events = stdout.trim().split("\n").map((line) => JSON.parse(line) as { type: string })
    expect(events.map((e) => e.type)).toEqual(["turn", "usage", "tool-call", "call", "tool-result", "turn", "text", "usage", "done"])
    expect(events.at(-1)).toMatchObject({ type: "done", text: "done", turns: 2 })
  })

  it("chats: one task per line of input, the conversation kept; a failed task is reported and the chat goes on", async () => {
    // the 2nd task: a 500 (retried) then a 400 (not retried) fails it
    model.play([{ text: "first answer" }, { status: 500 }, { status: 400 }, { text: "third answer" }])
    const { code, stdout, stderr } = await cli(["agent", "--model", "scripted", "--approve", "none"], "hello\n\nagain\nonce more\n", 60_000, env)
    expect(stdout).toBe("first answer\nthird answer\n")
    expect(stderr).toMatch(/codemode agent · scripted at http:\/\/127\.0\.0\.1:\d+\/v1/)
    expect(stderr).toMatch(/endpoint answered 500; retrying \(attempt 1\)/)
    expect(stderr).toMatch(/✗ \[codemode\] \[agent\] the model endpoint .* failed: 400/)
    // the failed task got no reply, so its message is not left dangling in the conversation
    expect(model.requests.at(-1)!.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"])
    expect(code).toBe(0)
  })

  it("without an endpoint says what to set, before loading any tool", async () => {
    const { code, stderr } = await cli(["agent", "--prompt", "x"], "", 30_000, { OPENAI_BASE_URL: "", OPENAI_API_KEY: "" })
    expect(stderr).toMatch(/no model endpoint configured: set OPENAI_BASE_URL/)
    expect(code).toBe(2)
  })
})

describe("the chat's input", () => {
  it("a question whose signal aborts gets null at once, and the line typed after it goes to the next question", async () => {
    const stdin = new PassThrough()
    const input = inputLines(stdin, new PassThrough())
    try {
      const approval = new AbortController()
      const asked = input.ask("approve? ", approval.signal)
      approval.abort() // the run was cancelled, or the approval timed out
      expect(await asked).toBeNull()
      stdin.write("what next\n")
      expect(await input.ask("you> ", new AbortController().signal)).toBe("what next")
    } finally {
      input.close()
    }
  })

  it("Ctrl-C typed on a terminal reaches the interrupt handler (readline takes it from the keyboard)", async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true })
    const input = inputLines(stdin, new PassThrough())
    try {
      let interrupts = 0
      input.onInterrupt(() => interrupts++)
      stdin.write("\x03")
      await new Promise((resolve) => setImmediate(resolve))
      expect(interrupts).toBe(1)
    } finally {
      input.close()
    }
  })
})
