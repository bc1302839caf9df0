/**
 * Applying the {@link Edit}s of entry.ts and mapping positions in the result back. Edits keep the
 * number of line breaks, so lines map one to one; columns shift only on a line that got an insertion.
 */
import type { Edit } from "./entry.js"
import type { Position } from "./sourcemap.js"

/** A 1-based line and optional 1-based column. */
export interface Location {
  line: number
  column?: number
}

export interface EditedCode {
  text: string
  /** Maps a position in `text` to the code before the edits. */
  toOriginal(location: Location): Location
}

/** One single-line edit as seen on its generated line (0-based columns). */
interface Shift {
  genColumn: number
  inserted: number
  removed: number
  column: number
}

/**
 * Applies non-overlapping `edits` to `code`. `tailLine` is the line reported for anything on lines
 * appended after the code (e.g. the call of a wrapper maps to the wrapper's declaration).
 */
export function applyEdits(code: string, edits: readonly Edit[], tailLine?: number): EditedCode {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end)
  const shifts = new Map<number, Shift[]>()
  let text = ""
  let at = 0
  let line = 1
  let lineStart = 0 // offset in `code` of the current line's start
  let delta = 0 // generated column − original column on the current line so far
  const advance = (from: number, to: number) => {
    for (let i = code.indexOf("\n", from); i !== -1 && i < to; i = code.indexOf("\n", i + 1)) {
      line++
      lineStart = i + 1
      delta = 0
    }
  }
  for (const edit of sorted) {
    advance(at, edit.start)
    text += code.slice(at, edit.start)
    const removed = code.slice(edit.start, edit.end)
    if (edit.start < code.length && !removed.includes("\n") && !edit.text.includes("\n")) {
      const column = edit.start - lineStart
      const list = shifts.get(line) ?? []
      list.push({ genColumn: column + delta, inserted: edit.text.length, removed: removed.length, column })
      shifts.set(line, list)
      delta += edit.text.length - removed.length
    }
    text += edit.text
    advance(edit.start, edit.end)
    at = edit.end
  }
  text += code.slice(at)
  const lastLine = code.split("\n").length

  const toOriginal = (location: Location): Location => {
    if (location.line > lastLine) return { line: tailLine ?? lastLine }
    if (location.column === undefined) return { line: location.line }
    const col = location.column - 1
    let shift = 0
    for (const s of shifts.get(location.line) ?? []) {
      if (col < s.genColumn) break
      if (col < s.genColumn + s.inserted) return { line: location.line, column: s.column + 1 } // inside inserted text
      shift = s.genColumn + s.inserted - (s.column + s.removed)
    }
    return { line: location.line, column: col - shift + 1 }
  }
  return { text, toOriginal }
}

/** Adapter for the source-map side, which always has a column. */
export const withColumn = (location: Location): Position => ({ line: location.line, column: location.column ?? 1 })
