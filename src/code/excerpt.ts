/**
 * A short code frame for error messages: the offending line, the one before it, and a caret.
 *
 *     2 | const items = await codemode.demo.listTodos({})
 *   > 3 | return items.map((t) => t.text
 *       |                               ^
 */

/** Longest line shown; longer lines are cut around the column so the caret stays visible. */
const MAX_WIDTH = 120

/**
 * Builds the frame for a 1-based `line` / `column` of `code`; returns "" when the line does not exist.
 * `column` may be omitted (no caret line).
 */
export function codeExcerpt(code: string, line: number, column?: number): string {
  const lines = code.split("\n")
  if (line < 1 || line > lines.length) return ""
  const first = Math.max(1, line - 1)
  const gutter = String(line).length
  const out: string[] = []
  let shift = 0
  for (let n = first; n <= line; n++) {
    let text = lines[n - 1] ?? ""
    if (n === line && column !== undefined && text.length > MAX_WIDTH) {
      shift = Math.max(0, Math.min(column - 1 - MAX_WIDTH / 2, text.length - MAX_WIDTH))
      text = text.slice(shift, shift + MAX_WIDTH)
    } else if (text.length > MAX_WIDTH) {
      text = `${text.slice(0, MAX_WIDTH)}…`
    }
    out.push(`${n === line ? ">" : " "} ${String(n).padStart(gutter)} | ${text}`)
  }
  if (column !== undefined) {
    const lineText = (lines[line - 1] ?? "").slice(shift, shift + column - 1)
    // Keep tabs so the caret lines up under tab-indented code.
    const pad = lineText.replace(/[^\t]/g, " ")
    out.push(`  ${" ".repeat(gutter)} | ${pad}^`)
  }
  return out.join("\n")
}
