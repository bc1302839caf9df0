/**
 * JSDoc comments for generated declarations: descriptions, defaults, examples, formats, constraints.
 */

/**
 * How much documentation goes into declarations:
 * - `"full"`: whole descriptions plus `@default`, `@example`, `@format`, constraints, `@deprecated`;
 * - `"summary"`: the first sentence (at most {@link SUMMARY_MAX_CHARS} characters) plus `@default`,
 *   `@format` and `@deprecated` — for search results and prompts on a budget;
 * - `"none"`: no comments at all.
 */
export type DocMode = "full" | "summary" | "none"

/** Longest summary kept in `"summary"` mode before it is cut with "…". */
export const SUMMARY_MAX_CHARS = 160
/** Tag values (defaults, examples) longer than this, as JSON, are left out: they cost more than they teach. */
export const MAX_TAG_VALUE_CHARS = 120

const CONSTRAINT_TAGS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "pattern"] as const

/** The first sentence (or line) of `text`, cut at {@link SUMMARY_MAX_CHARS}. */
export function summarize(text: string): string {
  const firstLine = text.trim().split(/\n\s*\n|\n/)[0] ?? ""
  // A sentence ends at . ! ? followed by a capitalized word (so "e.g. this" does not end it) or the end.
  const sentence = /^.*?[.!?](?=\s+[A-Z`"'([]|\s*$)/.exec(firstLine)?.[0] ?? firstLine
  return sentence.length > SUMMARY_MAX_CHARS ? `${sentence.slice(0, SUMMARY_MAX_CHARS - 1).trimEnd()}…` : sentence
}

function tagValue(value: unknown): string | undefined {
  if (value === undefined) return undefined
  const json = JSON.stringify(value)
  return json === undefined || json.length > MAX_TAG_VALUE_CHARS ? undefined : json
}

/** The text of a schema's description, shaped for `mode` (title when there is no description). */
export function describe(text: unknown, mode: DocMode): string | undefined {
  if (typeof text !== "string" || mode === "none") return undefined
  const trimmed = text.trim()
  if (trimmed === "") return undefined
  return mode === "summary" ? summarize(trimmed) : trimmed
}

/**
 * The doc lines for a schema (description first, then tags). `fallback` supplies a description
 * when the schema has none (e.g. the description of a referenced definition written in place).
 */
export function schemaDocLines(schema: Record<string, unknown>, mode: DocMode, fallback?: Record<string, unknown>): string[] {
  if (mode === "none") return []
  const pick = (key: string): unknown => schema[key] ?? fallback?.[key]
  const lines: string[] = []
  const text = describe(pick("description"), mode) ?? describe(pick("title"), mode)
  if (text !== undefined) lines.push(...text.split("\n"))
  const format = pick("format")
  if (typeof format === "string") lines.push(`@format ${format}`)
  const def = tagValue(pick("default"))
  if (def !== undefined) lines.push(`@default ${def}`)
  if (mode === "full") {
    for (const key of CONSTRAINT_TAGS) {
      const value = pick(key)
      if (typeof value === "number" || (typeof value === "string" && value.length <= MAX_TAG_VALUE_CHARS)) {
        lines.push(`@${key} ${typeof value === "string" ? value : String(value)}`)
      }
    }
    const examples = pick("examples")
    const example = tagValue(pick("example") ?? (Array.isArray(examples) ? examples[0] : undefined))
    if (example !== undefined) lines.push(`@example ${example}`)
  }
  if (pick("deprecated") === true) lines.push("@deprecated")
  return lines
}

/** Renders doc lines as a JSDoc block at `indent` (ending with a newline), or "" when there are none. */
export function formatDoc(lines: readonly string[], indent: string): string {
  if (lines.length === 0) return ""
  // "*/" would end the comment early; trailing blanks and blank runs only cost tokens.
  const clean = lines.map((l) => l.replace(/\*\//g, "*\\/").trimEnd())
  const compact = clean.filter((l, i) => l !== "" || (i > 0 && clean[i - 1] !== "" && i < clean.length - 1))
  if (compact.length === 1) return `${indent}/** ${compact[0]} */\n`
  return `${indent}/**\n${compact.map((l) => (l === "" ? `${indent} *\n` : `${indent} * ${l}\n`)).join("")}${indent} */\n`
}
