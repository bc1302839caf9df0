/** `codemode procedures list|show|rm|restore`: the saved procedures in the config's state database. */
import { Command } from "commander"
import type { ProcedureStore } from "../runtime/procedures/store.js"
import { EXIT_CODE_FAILED, reportHostFailure } from "./session.js"

interface ProcedureFlags {
  config?: string
  json?: boolean
}

/** Runs `body` with the store of the `--config` file's `"state"` database; exit code 2 on a host failure. */
async function withStore(flags: ProcedureFlags, body: (store: ProcedureStore) => Promise<number>): Promise<void> {
  const [{ loadCodeModeConfig }, { openSqlite }, { procedureStore }, { codemodeError }] = await Promise.all([
    import("../tools/config.js"),
    import("../tools/state/database.js"),
    import("../runtime/procedures/store.js"),
    import("../errors.js"),
  ])
  let close: (() => void) | undefined
  try {
    if (!flags.config) throw codemodeError("CONFIG_INVALID", "cli", "--config <file> is required: procedures are kept in its \"state\" database")
    const config = await loadCodeModeConfig(flags.config)
    if (!config.state) throw codemodeError("CONFIG_INVALID", "cli", `${flags.config} has no "state": { "db": … } entry, where procedures are kept`)
    const db = await openSqlite(config.state.db, config.state.maxBytes === undefined ? {} : { maxBytes: config.state.maxBytes })
    close = () => db.close()
    process.exitCode = await body(procedureStore(async () => db))
  } catch (error) {
    reportHostFailure(error)
  } finally {
    close?.()
  }
}

const print = (flags: ProcedureFlags, json: unknown, text: string) => process.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : text)

function sub(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .option("-c, --config <file>", "the codemode.json whose \"state\" database holds the procedures")
    .option("--json", "print JSON")
}

export function proceduresCommand(): Command {
  return new Command("procedures")
    .description("saved procedures (codemode run --save-as <name>): list, show, remove, restore an old version")
    .addCommand(
      sub("list", "the newest version of every procedure").action((flags: ProcedureFlags) =>
        withStore(flags, async (store) => {
          const list = await store.list()
          print(flags, list, list.length === 0 ? "no procedures saved\n" : list.map((p) => `${p.name}  v${p.version}  ${p.description}\n`).join(""))
          return 0
        }),
      ),
    )
    .addCommand(
      sub("show", "a procedure's program, input schema and versions")
        .argument("<name>")
        .option("--version <n>", "this version instead of the newest")
        .action((name: string, flags: ProcedureFlags & { version?: string }) =>
          withStore(flags, async (store) => {
            const versions = await store.versions(name)
            const shown = flags.version === undefined ? versions.at(-1) : versions.find((p) => p.version === Number(flags.version))
            if (!shown) {
              process.stderr.write(versions.length === 0 ? `no procedure "${name}"\n` : `procedure "${name}" has no version ${flags.version}; versions: ${versions.map((p) => p.version).join(", ")}\n`)
              return EXIT_CODE_FAILED
            }
            const text =
              `codemode.procedures.${shown.name}(input)  version ${shown.version} of ${versions.length}, saved ${shown.savedAt}\n` +
              `${shown.description ? `${shown.description}\n` : ""}calls: ${shown.tools.join(", ") || "(no tools)"}\ninput schema: ${JSON.stringify(shown.inputSchema)}\n\n${shown.code.trimEnd()}\n`
            print(flags, { ...shown, versions: versions.map((p) => ({ version: p.version, savedAt: p.savedAt })) }, text)
            return 0
          }),
        ),
    )
    .addCommand(
      sub("rm", "remove a procedure (every version)")
        .argument("<name>")
        .action((name: string, flags: ProcedureFlags) =>
          withStore(flags, async (store) => {
            const removed = await store.remove(name)
            print(flags, { name, removed }, removed ? `removed ${name}\n` : "")
            if (!removed) process.stderr.write(`no procedure "${name}"\n`)
            return removed ? 0 : EXIT_CODE_FAILED
          }),
        ),
    )
    .addCommand(
      sub("restore", "save an old version of a procedure again as its newest")
        .argument("<name>")
        .argument("<version>")
        .action((name: string, version: string, flags: ProcedureFlags) =>
          withStore(flags, async (store) => {
            const saved = await store.restore(name, Number(version))
            print(flags, { name: saved.name, version: saved.version, description: saved.description }, `restored ${name} version ${version} as version ${saved.version}\n`)
            return 0
          }),
        ),
    )
}
