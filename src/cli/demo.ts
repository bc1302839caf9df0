/** `codemode demo`: run the built-in demo program against the demo functions and show everything. */
import { Command } from "commander"
import { DEMO_PROGRAM } from "../tools/demo.js"
import { formatReport } from "./format.js"
import { EXIT_CODE_FAILED, withCodeMode } from "./session.js"

export function demoCommand(): Command {
  return new Command("demo")
    .description("run a demo program in the sandbox: a loop over the built-in demo tools (no key, no network)")
    .option("--json", "print the outcome as JSON")
    .action(async (flags: { json?: boolean }) => {
      await withCodeMode({ demo: true }, async (cm) => {
        // Start the sandbox worker pool first, so the stats show a run, not the pool's start-up.
        await cm.execute("return 0")
        const result = await cm.execute(DEMO_PROGRAM)
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
        } else {
          const numbered = DEMO_PROGRAM.trimEnd()
            .split("\n")
            .map((line, i) => `  ${String(i + 1).padStart(2)} | ${line}`)
          const tools = cm.tools().map((t) => `codemode.${t.namespace}.${t.name}`)
          process.stdout.write(
            `codemode demo: a model-written program runs in a fresh QuickJS sandbox whose only capabilities are\n` +
              `the host tools ${tools.join(", ")}.\n\nprogram:\n${numbered.join("\n")}\n\n${formatReport(result)}\n\n` +
              `Next: echo 'return 1 + 1' | npx codemode run -   ·   npx codemode run --help\n`,
          )
        }
        return result.ok ? 0 : EXIT_CODE_FAILED
      })
    })
}
