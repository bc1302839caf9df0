/**
 * Markdown fences around model code. Models often answer "Here is the code: ```js … ``` This will …".
 * We keep exactly one fenced block and blank out every other line, so the line numbers of the code
 * stay the line numbers of the message the model sent.
 */

/** Languages whose fenced blocks we treat as the program (an untagged fence counts too). */
const CODE_LANGUAGES: ReadonlySet<string> = new Set([
  "", "js", "javascript", "mjs", "cjs", "jsx", "ts", "typescript", "mts", "tsx", "node",
])

/** Up to 3 spaces of indentation, then ``` or ~~~ (3 or more), then an optional info string. */
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/

export interface FencedBlock {
  /** Language tag in lower case ("" when untagged). */
  language: string
  /** 0-based index of the first code line (the line after the opening fence). */
  firstLine: number
  /** 0-based index one past the last code line (the closing fence, or the end of the text). */
  endLine: number
}

/** Every fenced block of `text`, in order. An unclosed fence runs to the end (truncated answers). */
export function findFencedBlocks(text: string): FencedBlock[] {
  const lines = text.split("\n")
  const blocks: FencedBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i] ?? "")
    if (!open) continue
    const marker = open[1] ?? "```"
    let end = i + 1
    // A closing fence uses the same character, at least as long, with nothing after it (CommonMark).
    while (end < lines.length && !isClosingFence(lines[end] ?? "", marker)) end++
    blocks.push({ language: (open[2] ?? "").toLowerCase(), firstLine: i + 1, endLine: end })
    i = end
  }
  return blocks
}

function isClosingFence(line: string, marker: string): boolean {
  const trimmed = line.trim()
  const char = marker[0] ?? "`"
  return trimmed.length >= marker.length && /^ {0,3}\S/.test(line) && [...trimmed].every((c) => c === char)
}

/**
 * If `text` contains a fenced code block, returns the text with everything except that block's code
 * replaced by empty lines (same line count); otherwise returns `undefined`.
 *
 * With several JS/TS blocks the longest one wins: answers that show a snippet and then the full
 * program are more common than answers that split one program over several blocks.
 */
export function extractFencedCode(text: string): string | undefined {
  const blocks = findFencedBlocks(text).filter((b) => CODE_LANGUAGES.has(b.language))
  if (blocks.length === 0) return undefined
  const lines = text.split("\n")
  const size = (b: FencedBlock) => lines.slice(b.firstLine, b.endLine).join("\n").trim().length
  let best = blocks[0] as FencedBlock
  for (const block of blocks) if (size(block) > size(best)) best = block
  return lines.map((line, i) => (i >= best.firstLine && i < best.endLine ? line : "")).join("\n")
}
