/** Every command that works against tools takes the same source flags, defined once (no drift). */
import { Command } from "commander"
import { describe, expect, it } from "vitest"
import { checkCommand } from "../../src/cli/check.js"
import { resumeCommand } from "../../src/cli/resume.js"
import { runCommand } from "../../src/cli/run.js"
import { searchCommand } from "../../src/cli/search.js"
import { serveCommand } from "../../src/cli/serve.js"
import { tokensCommand } from "../../src/cli/tokens.js"
import { addSourceFlags, sourceFlagArgs } from "../../src/cli/sources.js"
import { typesCommand } from "../../src/cli/types.js"

const SOURCE_FLAGS = ["--config", "--openapi", "--namespace", "--base-url", "--demo"]

const sourceFlags = (command: Command) =>
  command.options.filter((o) => SOURCE_FLAGS.includes(o.long ?? "")).map((o) => ({ flags: o.flags, description: o.description, default: o.defaultValue as unknown }))

describe("source flags", () => {
  const commands = [runCommand(), checkCommand(), resumeCommand(), serveCommand(), typesCommand(), searchCommand(), tokensCommand()]

  it("are the same, with the same help and no commander default, in every command", () => {
    const [first, ...rest] = commands.map(sourceFlags)
    expect(first?.map((f) => f.flags.split(/[ ,]+/).find((w) => w.startsWith("--")))).toEqual(SOURCE_FLAGS)
    // a default here would apply with --config too (a --namespace default would select one namespace)
    expect(first?.every((f) => f.default === undefined)).toBe(true)
    for (const flags of rest) expect(flags).toEqual(first)
  })

  it("turn back into the same arguments (the resume command a paused run prints)", () => {
    const argv = ["--config", "c.json", "--openapi", "spec.json", "--namespace", "orders", "--base-url", "http://127.0.0.1:9", "--demo"]
    const command = addSourceFlags(new Command("x")).exitOverride() // no action: only the parse
    command.parse(argv, { from: "user" })
    expect(sourceFlagArgs(command.opts())).toEqual(argv)
    expect(sourceFlagArgs({ openapi: "spec.json" })).toEqual(["--openapi", "spec.json"]) // the default namespace needs no flag
  })
})
