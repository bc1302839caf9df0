/**
 * A tool's own approval requirement (`needsApproval`, as AI SDK tools have it): calls it says yes to
 * go through the policy's "ask" path — deferred (paused, resumed) and inline — while a policy deny
 * still denies. Side effects are counted, so a call that ran without approval would show.
 */
import { afterEach, describe, expect, it } from "vitest"
import { z } from "zod"
import { createCodeMode, type CodeMode, type CodeModeOptions } from "../../src/runtime/codemode.js"
import type { ApprovalRequest } from "../../src/runtime/program-run.js"
import type { ExecuteResult, PausedResult } from "../../src/runtime/results.js"
import { functions, type ValidatedSchema } from "../../src/tools/functions.js"

const open: CodeMode[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((cm) => cm.close()))
})

/** A bank whose transfers above 100 need approval (decided asynchronously); `sent` records what ran. */
function bank(needs: "always" | "large" | "throws" = "large") {
  const sent: number[] = []
  const source = functions("bank", {
    balance: { run: () => 500, annotations: { readOnlyHint: true } },
    transfer: {
      input: z.object({ amount: z.number().positive() }),
      needsApproval:
        needs === "always"
          ? true
          : needs === "throws"
            ? () => {
                throw new Error("cannot tell")
              }
            : async ({ amount }) => amount > 100,
      run: ({ amount }) => {
        sent.push(amount)
        return { sent: amount }
      },
    },
  })
  return { source, sent }
}

async function codemode(source: ReturnType<typeof bank>["source"], options: Partial<CodeModeOptions> = {}): Promise<CodeMode> {
  const cm = await createCodeMode({ sources: [source], typecheck: "off", ...options })
  open.push(cm)
  return cm
}

function paused(result: ExecuteResult): PausedResult {
  if (result.status !== "paused") throw new Error(`expected a paused run, got ${JSON.stringify(result).slice(0, 400)}`)
  return result
}

describe("needsApproval", () => {
  it("makes the instance durable and pauses on a call it says yes to, naming the tool and its arguments", async () => {
    const { source, sent } = bank()
    const cm = await codemode(source)
    expect(cm.durable).toBe(true)
    const result = paused(await cm.execute("await codemode.bank.transfer({ amount: 5 }); return await codemode.bank.transfer({ amount: 250 })"))
    expect(sent).toEqual([5])
    expect(result.pending).toEqual([{ id: "c1", tool: "bank.transfer", args: { amount: 250 }, reason: "tool bank.transfer needsApproval → ask" }])
    const resumed = await cm.resume(result.resumeToken, "approve")
    expect(resumed).toMatchObject({ status: "done", value: { sent: 250 } })
    expect(sent).toEqual([5, 250]) // the first transfer was not sent again
  })

  it("a denied approval throws in the program and nothing is sent", async () => {
    const { source, sent } = bank("always")
    const cm = await codemode(source)
    const first = paused(await cm.execute("try { await codemode.bank.transfer({ amount: 1 }) } catch (e) { return e.message }"))
    const resumed = await cm.resume(first.resumeToken, "deny")
    expect(resumed).toMatchObject({ status: "done", value: expect.stringMatching(/was denied by the approver/) })
    expect(sent).toEqual([])
  })

  it("inline: onApproval gets the inner tool's name and arguments", async () => {
    const { source, sent } = bank()
    const asked: ApprovalRequest[] = []
    const cm = await codemode(source, {
      onApproval: async (request) => {
        asked.push(request)
        return request.args && (request.args as { amount: number }).amount < 1_000 ? "approve" : "deny"
      },
    })
    const result = await cm.execute(
      "const a = await codemode.bank.transfer({ amount: 300 }); let b; try { await codemode.bank.transfer({ amount: 5000 }) } catch (e) { b = e.code ?? 'refused' } return [a, b]",
    )
    expect(result).toMatchObject({ status: "done", value: [{ sent: 300 }, expect.anything()] })
    expect(asked.map((r) => [r.tool, r.args])).toEqual([
      ["bank.transfer", { amount: 300 }],
      ["bank.transfer", { amount: 5000 }],
    ])
    expect(sent).toEqual([300])
  })

  it("a policy deny still denies, and a policy that allows does not override the tool's requirement", async () => {
    const { source, sent } = bank("always")
    const denying = await codemode(source, { policy: { rules: [{ tool: "bank.transfer", action: "deny" }] } })
    const denied = await denying.execute("try { await codemode.bank.transfer({ amount: 1 }) } catch (e) { return e.message }")
    expect(denied).toMatchObject({ status: "done", value: expect.stringMatching(/denied by the policy/) })
    const allowing = await codemode(bank("always").source, { policy: { rules: [{ tool: "bank.*", action: "allow" }] } })
    expect((await allowing.execute("return await codemode.bank.transfer({ amount: 1 })")).status).toBe("paused")
    expect(sent).toEqual([])
  })

  it("a requirement that throws asks; invalid arguments need no approval (the call fails on them)", async () => {
    const throwing = await codemode(bank("throws").source)
    expect(paused(await throwing.execute("return await codemode.bank.transfer({ amount: 1 })")).pending[0]?.reason).toMatch(/needsApproval/)
    const { source, sent } = bank()
    const cm = await codemode(source)
    const result = await cm.execute("return await codemode.bank.transfer({ amount: -3 })")
    expect(result).toMatchObject({ status: "failed", error: { message: expect.stringMatching(/invalid input/) } })
    expect(sent).toEqual([])
  })

  it("a source loaded in the background that brings such a tool makes the instance durable from then on", async () => {
    const { source, sent } = bank()
    let release!: () => void
    const loaded = new Promise<void>((resolve) => (release = resolve))
    const slow = { ...source, load: async () => (await loaded, source.load()) }
    const cm = await codemode(slow, { background: { graceMs: 10 } })
    expect(cm.sources()[0]?.state).toBe("loading")
    expect(cm.durable).toBe(false)
    release()
    for (let i = 0; i < 200 && cm.sources()[0]?.state !== "ready"; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(cm.durable).toBe(true)
    const result = paused(await cm.execute("return await codemode.bank.transfer({ amount: 250 })"))
    expect(sent).toEqual([])
    expect(await cm.resume(result.resumeToken, "approve")).toMatchObject({ status: "done", value: { sent: 250 } })
    expect(sent).toEqual([250])
  })

  it("tools without a requirement leave runs unjournaled", async () => {
    const cm = await codemode(functions("plain", { ping: { run: () => "pong", needsApproval: false } }))
    expect(cm.durable).toBe(false)
    expect(await cm.execute("return await codemode.plain.ping()")).toMatchObject({ status: "done", value: "pong" })
  })
})

describe("functions() with a validated schema", () => {
  it("shows its JSON Schema and validates with its own validator, whose value reaches run", async () => {
    const input: ValidatedSchema<{ n: number }> = {
      jsonSchema: { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
      validate: async (value) =>
        typeof (value as { n?: unknown })?.n === "number" ? { success: true, value: { n: (value as { n: number }).n * 10 } } : { success: false, error: new Error("n must be a number") },
    }
    const cm = await codemode(functions("calc", { times: { input, run: ({ n }) => n } }))
    expect(cm.tools()[0]?.inputSchema).toEqual(input.jsonSchema)
    expect(await cm.execute("return await codemode.calc.times({ n: 4 })")).toMatchObject({ status: "done", value: 40 })
    expect(await cm.execute('return await codemode.calc.times({ n: "x" })')).toMatchObject({
      status: "failed",
      error: { message: expect.stringMatching(/invalid input: n must be a number/) },
    })
  })
})
