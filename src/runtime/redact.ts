/**
 * Secret redaction: the credentials a source sends upstream must not reach the sandbox, the model or
 * the audit log, even when an upstream echoes them back (an error page quoting the request, a debug
 * endpoint, a URL with an API key in its query). One regex over every secret and its usual encodings.
 */

/** What every secret occurrence is replaced with. */
export const REDACTED = "[redacted]"

/**
 * Secrets shorter than this are ignored: redacting a 3-letter password would also redact every
 * ordinary word that contains it, and such a secret is no protection anyway.
 */
export const MIN_SECRET_LENGTH = 6

export interface Redactor {
  /**
   * A copy of a JSON-like value (strings, numbers, booleans, null, arrays, plain objects) with every
   * secret occurrence inside strings and object keys replaced by {@link REDACTED}. Copy on write: a
   * part without secrets is returned as is (not copied), so a value without secrets, or any value
   * when the redactor has none, comes back identical (`===`). Treat the result as read-only. Other
   * objects (Date, Map, class instances) and cycles are returned untouched. Never throws.
   */
  value<T>(value: T): T
  /** `s` with every secret occurrence replaced by {@link REDACTED}. */
  text(s: string): string
  /** Distinct secrets redacted (each with its encodings), after dropping short ones. */
  readonly size: number
}

/**
 * A redactor for `secrets`. Each secret of at least {@link MIN_SECRET_LENGTH} characters is redacted
 * as is and in the encodings an upstream may echo it in: JSON-escaped (also with non-ASCII as `\uXXXX`),
 * percent-encoded (`encodeURIComponent` and form style, hex digits in either case) and base64
 * (standard and URL-safe, matched without padding). For HTTP Basic auth pass the base64 of
 * `user:pass` as a secret of its own: the base64 of a part does not appear inside the base64 of the whole.
 *
 * Occurrences are found by one regex, longer forms first, so a secret that extends another is
 * redacted whole. Overlapping occurrences of two different secrets are redacted up to where the first one ends.
 *
 * @example
 * const r = createRedactor([process.env.GITHUB_TOKEN ?? ""])
 * r.text(`token ${process.env.GITHUB_TOKEN}`) // "token [redacted]"
 */
export function createRedactor(secrets: Iterable<string>): Redactor {
  const kept = new Set<string>()
  for (const s of secrets) if (typeof s === "string" && s.length >= MIN_SECRET_LENGTH) kept.add(s)
  const forms = new Set<string>()
  for (const s of kept) for (const form of encodings(s)) forms.add(form)
  const pattern = [...forms]
    .sort((a, b) => b.length - a.length)
    .map(literalPattern)
    .join("|")
  const re = pattern === "" ? undefined : new RegExp(pattern, "g")

  const text = (s: string): string => (re === undefined ? s : s.replace(re, REDACTED))

  function walk(v: unknown, path: Set<object>): unknown {
    if (typeof v === "string") return text(v)
    if (typeof v !== "object" || v === null || path.has(v)) return v
    if (Array.isArray(v)) {
      path.add(v)
      let out: unknown[] | undefined
      v.forEach((item, i) => {
        const r = walk(item, path)
        if (r !== item) (out ??= v.slice())[i] = r
      })
      path.delete(v)
      return out ?? v
    }
    const proto = Object.getPrototypeOf(v) as unknown
    if (proto !== Object.prototype && proto !== null) return v
    path.add(v)
    let changed = false
    const entries = Object.entries(v).map(([key, item]): [string, unknown] => {
      const k = text(key)
      const r = walk(item, path)
      if (k !== key || r !== item) changed = true
      return [k, r]
    })
    path.delete(v)
    // fromEntries defines own properties, so a "__proto__" key stays a key.
    return changed ? Object.fromEntries(entries) : v
  }

  return {
    size: kept.size,
    text,
    value: <T>(value: T): T => (re === undefined ? value : (walk(value, new Set()) as T)),
  }
}

/** The secret and the forms an upstream may echo it in. */
function encodings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1)
  const ascii = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
  const base64 = Buffer.from(secret, "utf8").toString("base64").replace(/=+$/, "")
  const base64url = base64.replace(/\+/g, "-").replace(/\//g, "_")
  const form = new URLSearchParams({ s: secret }).toString().slice(2)
  return [secret, json, ascii, encodeURIComponent(secret), form, base64, base64url]
}

/** A regex source matching `literal` exactly, except that percent-encoded hex digits match in either case. */
function literalPattern(literal: string): string {
  const escaped = literal.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")
  return escaped.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => `%${[...hex].map(hexClass).join("")}`)
}

function hexClass(digit: string): string {
  return /[0-9]/.test(digit) ? digit : `[${digit.toUpperCase()}${digit.toLowerCase()}]`
}
