/**
 * Turning an MCP `tools/call` result into the plain, JSON-safe value a program receives.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"

type ContentBlock = CallToolResult["content"][number]

/** Longest server error text kept in a `TOOL_CALL_FAILED` message; the rest is cut with a note. */
export const MAX_ERROR_TEXT = 2_000

/**
 * The value of a successful call:
 * - `structuredContent` when the server sent it (it is the typed result of tools with an outputSchema);
 * - one text item holding a JSON object or array → the parsed value (other text stays a string, so an
 *   id like `"12345678901234567890"` keeps its digits);
 * - only text items → the texts joined with newlines;
 * - one non-text item (image, audio, resource) → a JSON-safe description of it;
 * - a mix → an array of strings (text) and descriptions; no content → `null`.
 */
export function resultValue(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent
  const content = result.content ?? []
  if (content.length === 0) return null
  if (content.every((c) => c.type === "text")) {
    const texts = content.map((c) => (c.type === "text" ? c.text : ""))
    return texts.length === 1 ? parseJsonText(texts[0] ?? "") : texts.join("\n")
  }
  const parts = content.map((c) => (c.type === "text" ? c.text : describeContent(c)))
  return parts.length === 1 ? parts[0] : parts
}

/** The server's explanation of an `isError` result: its text content, bounded to {@link MAX_ERROR_TEXT}. */
export function errorText(result: CallToolResult): string {
  const text = (result.content ?? [])
    .map((c) => (c.type === "text" ? c.text : JSON.stringify(describeContent(c))))
    .join("\n")
    .trim()
  if (text === "") return "(the server gave no error text)"
  return text.length <= MAX_ERROR_TEXT ? text : `${text.slice(0, MAX_ERROR_TEXT)}… (${text.length - MAX_ERROR_TEXT} more characters cut)`
}

function parseJsonText(text: string): unknown {
  const trimmed = text.trim()
  if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) return text
  try {
    return JSON.parse(trimmed) as unknown
  } catch {
    return text // looks like JSON but is not: the text is the value
  }
}

/** Bytes encoded by a base64 string, without decoding it. */
function base64Bytes(data: string): number {
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding)
}

/**
 * A JSON-safe stand-in for binary or linked content. Binary payloads are described (type, MIME type,
 * size), not copied: base64 blobs would flood the program's result and the model's context.
 */
export function describeContent(block: ContentBlock): Record<string, unknown> {
  switch (block.type) {
    case "text":
      return { type: "text", text: block.text }
    case "image":
    case "audio":
      return { type: block.type, mimeType: block.mimeType, bytes: base64Bytes(block.data) }
    case "resource": {
      const r = block.resource
      const base = { type: "resource", uri: r.uri, ...(r.mimeType ? { mimeType: r.mimeType } : {}) }
      return "text" in r && typeof r.text === "string"
        ? { ...base, text: r.text }
        : { ...base, bytes: "blob" in r && typeof r.blob === "string" ? base64Bytes(r.blob) : 0 }
    }
    case "resource_link":
      return dropUndefined({
        type: "resource_link",
        uri: block.uri,
        name: block.name,
        title: block.title,
        description: block.description,
        mimeType: block.mimeType,
      })
    default:
      return { type: String((block as { type?: unknown }).type) }
  }
}

function dropUndefined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined))
}
