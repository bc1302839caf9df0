/** Reading a program for the CLI: a file path, or `-` for standard input. */
import { readFile } from "node:fs/promises"
import { codemodeError } from "../errors.js"

export async function readProgram(file: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if (file === "-") {
    const chunks: Buffer[] = []
    for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer))
    return Buffer.concat(chunks).toString("utf8")
  }
  try {
    return await readFile(file, "utf8")
  } catch (error) {
    throw codemodeError("CONFIG_INVALID", "cli", `cannot read ${file}: ${(error as Error).message}`, { cause: error })
  }
}
