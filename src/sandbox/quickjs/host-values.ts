/**
 * Host side of the boundary: tool results become JSON text (functions, symbols, bigints and cycles are
 * refused with a message the sandbox code can read), host errors become just their message.
 */

/** Encodes a tool's result for the sandbox; throws an Error whose message is safe to show there. */
export function encodeHostValue(value: unknown, tool: string, maxChars: number): string {
  const what = `the result of codemode.${tool}`
  const refused = findNonJson(value)
  if (refused) throw new BoundaryError(`${what} contains a ${refused.type}${refused.key ? ` (at key ${JSON.stringify(refused.key)})` : ""}; only JSON data can cross into the sandbox`)
  let json: string | undefined
  try {
    // No replacer: JSON.stringify calls one per value, ten times slower on large results, and the
    // host's event loop waits for every result of a Promise.all in one go.
    json = JSON.stringify(value)
  } catch (err) {
    const m = err instanceof Error ? err.message : ""
    if (/circular/i.test(m)) throw new BoundaryError(`${what} contains a cycle; only JSON data can cross into the sandbox`)
    if (/bigint/i.test(m)) throw new BoundaryError(`${what} contains a bigint; only JSON data can cross into the sandbox`)
    if (err instanceof RangeError) throw new BoundaryError(`${what} is nested too deeply to copy into the sandbox`)
    throw new BoundaryError(`${what} could not be copied into the sandbox`)
  }
  if (json === undefined) return ""
  if (json.length > maxChars) throw new BoundaryError(`${what} is too large to copy into the sandbox (over ${maxChars} characters)`)
  return json
}

/**
 * The first function, symbol or bigint in `value` (own enumerable properties, each object once, no
 * recursion), where JSON.stringify would drop or refuse it. An object with its own `toJSON` is not
 * looked into: it chose its JSON form, and JSON.stringify takes that as is.
 */
function findNonJson(value: unknown): { type: string; key: string } | undefined {
  const seen = new Set<object>()
  const stack: Array<[unknown, string]> = [[value, ""]]
  while (stack.length > 0) {
    const [v, key] = stack.pop() as [unknown, string]
    const type = typeof v
    if (type === "function" || type === "symbol" || type === "bigint") return { type, key }
    if (type !== "object" || v === null || seen.has(v as object)) continue
    seen.add(v as object)
    if (typeof (v as { toJSON?: unknown }).toJSON === "function") continue
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i]
        if (typeof item === "object" ? item !== null : typeof item === "function" || typeof item === "symbol" || typeof item === "bigint") stack.push([item, String(i)])
      }
    } else for (const k of Object.keys(v as object)) stack.push([(v as Record<string, unknown>)[k], k])
  }
  return undefined
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
