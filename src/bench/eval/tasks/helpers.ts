/** Small helpers the task definitions share. */
import type { EvalEnv } from "../task.js"

/** The value a program returns in the task's environment (for state checks). */
export async function valueOf(env: EvalEnv, program: string): Promise<unknown> {
  const result = await env.cm.execute(program)
  return result.ok ? result.value : undefined
}

/** A tool result's `content` text (MCP servers that answer in text), or the text itself. */
export const textOf = (result: unknown): string =>
  typeof result === "string" ? result : String((result as { content?: unknown } | null)?.content ?? JSON.stringify(result))

/** The file names of a filesystem `list_directory` result. */
export const filesIn = (result: unknown): string[] =>
  textOf(result)
    .split("\n")
    .flatMap((line) => /^\[FILE\] (.+?)\s*$/.exec(line)?.[1] ?? [])

/** Lines of a text, not counting a last empty one. */
export const lineCount = (text: string): number => text.split("\n").filter((line, i, all) => line !== "" || i < all.length - 1).length

/** The result of turn `turn`, call `call` of the classic play, as the given type. */
export const at = <T>(results: unknown[][], turn: number, call = 0): T => results[turn]?.[call] as T
