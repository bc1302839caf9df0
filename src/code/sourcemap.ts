/**
 * Just enough of Source Map v3 to map a position in esbuild's output back to the model's TypeScript:
 * decode the VLQ `mappings` of a single-source map and look up one position.
 */

/** A 1-based line and column. */
export interface Position {
  line: number
  column: number
}

/** One decoded segment: generated column → original line/column (all 0-based). */
interface Segment {
  genColumn: number
  line: number
  column: number
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

function decodeVlq(text: string): number[] {
  const values: number[] = []
  let value = 0
  let shift = 0
  for (const char of text) {
    const digit = BASE64.indexOf(char)
    if (digit < 0) continue
    value += (digit & 31) << shift
    if (digit & 32) {
      shift += 5
      continue
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1)
    value = 0
    shift = 0
  }
  return values
}

/** Decodes `mappings` into segments per generated line (original positions are absolute). */
export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = []
  let line = 0
  let column = 0
  for (const lineText of mappings.split(";")) {
    const segments: Segment[] = []
    let genColumn = 0
    for (const part of lineText.split(",")) {
      if (part === "") continue
      const v = decodeVlq(part)
      genColumn += v[0] ?? 0
      if (v.length < 4) continue // a segment without an original position
      line += v[2] ?? 0
      column += v[3] ?? 0
      segments.push({ genColumn, line, column })
    }
    lines.push(segments)
  }
  return lines
}

/**
 * Maps a 1-based generated position to the original one: the nearest segment at or before the
 * column on that line (else the first on the line, else the nearest earlier line that has one).
 * Lines are exact wherever esbuild emitted a mapping; columns are exact at token starts.
 */
export function originalPosition(decoded: Segment[][], generated: Position): Position | undefined {
  const genLine = generated.line - 1
  const genColumn = generated.column - 1
  const segments = decoded[genLine] ?? []
  let best: Segment | undefined
  for (const s of segments) if (s.genColumn <= genColumn) best = s
  if (best) return { line: best.line + 1, column: best.column + 1 + (genColumn - best.genColumn) }
  const first = segments[0]
  if (first) return { line: first.line + 1, column: first.column + 1 }
  for (let l = Math.min(genLine, decoded.length) - 1; l >= 0; l--) {
    const last = decoded[l]?.at(-1)
    if (last) return { line: last.line + 1, column: last.column + 1 }
  }
  return undefined
}
