/**
 * What the `search` tool says to a search program: the tools it picked (the first in full, the
 * others one line each), the value it returned when that is not tools, or its error as `execute`
 * reports one; then its console output.
 */
import type { SearchResult } from "../runtime/search.js"
import { formatExecuteError, formatLogs, shapeValue, type ShapeOptions } from "../runtime/shape.js"
import { MAX_SEARCH_LIMIT } from "./definitions.js"

function picked(result: Extract<SearchResult, { ok: true }>, options: ShapeOptions): string {
  if ("value" in result) {
    const shaped = shapeValue(result.value, options)
    return ["Your program returned this (not tools, so no declarations):", shaped.text, ...(shaped.note ? [shaped.note] : [])].join("\n")
  }
  if (result.matched === 0) return "Your program matched no function (it returned an empty list). Loosen the filter, e.g. test words with /…/i on summary, description and path."
  const { hits, matched } = result
  const count = `${matched} function${matched === 1 ? "" : "s"} matched your program`
  const head = hits.length < matched
    ? `${count}, the first ${hits.length} shown (raise limit, up to ${MAX_SEARCH_LIMIT}, or narrow the filter). Call them in execute as written:`
    : `${count} (call ${matched === 1 ? "it" : "them"} in execute as written):`
  const full = hits.filter((h) => h.detail === "full").map((h) => h.signature.trimEnd())
  const compact = hits.filter((h) => h.detail === "compact").map((h) => h.signature)
  return [head, ...full, ...(compact.length === 0 ? [] : [["Also:", ...compact].join("\n")])].join("\n\n")
}

/** A search program's result as the model reads it; `isError` when the program failed. */
export function codeSearchText(result: SearchResult, options: ShapeOptions = {}): { text: string; isError: boolean } {
  const body = result.ok ? picked(result, options) : formatExecuteError(result.error)
  const logs = result.logs.length === 0 ? [] : [formatLogs(result.logs, options.maxLogChars)]
  return { text: [body, ...logs].join("\n\n"), isError: !result.ok }
}
