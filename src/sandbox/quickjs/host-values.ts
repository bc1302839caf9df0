/**
 * Host side of the boundary: tool results become JSON text (functions, symbols, bigints and cycles are
 * refused with a message the sandbox code can read), host errors become just their message.
 */

/** Encodes a tool's result for the sandbox; throws an Error whose message is safe to show there. */
export function encodeHostValue(value: unknown, tool: string, maxChars: number): string {
  const what = `the result of codemode.${tool}`
  const replacer = (key: string, v: unknown): unknown => {
    const t = typeof v
    if (t === "function" || t === "symbol" || t === "bigint") {
      throw new BoundaryError(`${what} contains a ${t}${key ? ` (at key ${JSON.stringify(key)})` : ""}; only JSON data can cross into the sandbox`)
    }
    return v
  }
  let json: string | undefined
  try {
    json = JSON.stringify(value, replacer)
  } catch (err) {
    if (err instanceof BoundaryError) throw err
    const m = err instanceof Error ? err.message : ""
    if (/circular/i.test(m)) throw new BoundaryError(`${what} contains a cycle; only JSON data can cross into the sandbox`)
    if (err instanceof RangeError) throw new BoundaryError(`${what} is nested too deeply to copy into the sandbox`)
    throw new BoundaryError(`${what} could not be copied into the sandbox`)
  }
  if (json === undefined) return ""
  if (json.length > maxChars) throw new BoundaryError(`${what} is too large to copy into the sandbox (over ${maxChars} characters)`)
  return json
}

/** The text a host error becomes inside the sandbox: its message only, never a stack or cause. */
export function hostErrorMessage(err: unknown): string {
  let m: string
  try {
    m = err instanceof Error ? err.message : typeof err === "string" ? err : "the tool failed"
  } catch {
    m = "the tool failed"
  }
  return m.length > 4000 ? `${m.slice(0, 4000)}... (truncated)` : m || "the tool failed"
}

class BoundaryError extends Error {}
