import { describe, expect, it } from "vitest"
import { createRedactor, MIN_SECRET_LENGTH, REDACTED } from "../../src/runtime/redact.js"

const TOKEN = "tok-3f9a+b/c=d"

describe("createRedactor", () => {
  it("redacts a secret as is, however often it occurs", () => {
    const r = createRedactor([TOKEN])
    expect(r.text(`Bearer ${TOKEN}; again ${TOKEN}!`)).toBe(`Bearer ${REDACTED}; again ${REDACTED}!`)
    expect(r.size).toBe(1)
  })

  it("redacts the JSON-escaped form, also with non-ASCII written as \\u escapes", () => {
    const secret = 'pa"ss\\wörd'
    const r = createRedactor([secret])
    const json = JSON.stringify({ password: secret })
    expect(r.text(json)).toBe(`{"password":"${REDACTED}"}`)
    expect(r.text('{"password":"pa\\"ss\\\\w\\u00f6rd"}')).toBe(`{"password":"${REDACTED}"}`)
  })

  it("redacts the percent-encoded forms, with hex digits in either case", () => {
    const secret = "key with/slash+plus"
    const r = createRedactor([secret])
    expect(r.text(`https://x.test/?k=${encodeURIComponent(secret)}`)).toBe(`https://x.test/?k=${REDACTED}`)
    expect(r.text(`https://x.test/?${new URLSearchParams({ k: secret })}`)).toBe(`https://x.test/?k=${REDACTED}`)
    expect(r.text("?k=key%20with%2fslash%2bplus")).toBe(`?k=${REDACTED}`)
  })

  it("redacts the base64 forms, padded or not, standard or URL-safe", () => {
    const r = createRedactor(["secret>>>??"])
    expect(r.text("x c2VjcmV0Pj4+Pz8= y")).toBe(`x ${REDACTED}= y`) // matched without its padding
    expect(r.text("x c2VjcmV0Pj4+Pz8 y")).toBe(`x ${REDACTED} y`)
    expect(r.text("x c2VjcmV0Pj4-Pz8 y")).toBe(`x ${REDACTED} y`)
  })

  it("redacts Basic auth when the base64 of user:pass is passed as a secret of its own", () => {
    const basic = Buffer.from("ann:hunter22").toString("base64")
    const r = createRedactor(["hunter22", basic])
    expect(r.text(`authorization: Basic ${basic}`)).toBe(`authorization: Basic ${REDACTED}`)
  })

  it("redacts the longer of two secrets that share a prefix whole", () => {
    const r = createRedactor(["abcdef", "abcdefghij"])
    expect(r.text("xx abcdefghij yy abcdef")).toBe(`xx ${REDACTED} yy ${REDACTED}`)
  })

  it("ignores secrets shorter than MIN_SECRET_LENGTH, which would redact ordinary words", () => {
    expect(MIN_SECRET_LENGTH).toBe(6)
    const r = createRedactor(["pass", "12345", "", "secret"])
    expect(r.size).toBe(1)
    expect(r.text("my pass is 12345, the secret is out")).toBe(`my pass is 12345, the ${REDACTED} is out`)
  })

  it("redacts inside nested values and object keys, leaving the input untouched", () => {
    const r = createRedactor([TOKEN])
    const input = {
      headers: { authorization: `Bearer ${TOKEN}` },
      list: [1, true, null, `?t=${encodeURIComponent(TOKEN)}`, { deep: [TOKEN] }],
      [TOKEN]: "as a key",
      plain: { untouched: "yes" },
    }
    const before = structuredClone(input)
    const out = r.value(input)
    expect(out).toEqual({
      headers: { authorization: `Bearer ${REDACTED}` },
      list: [1, true, null, `?t=${REDACTED}`, { deep: [REDACTED] }],
      [REDACTED]: "as a key",
      plain: { untouched: "yes" },
    })
    expect(input).toEqual(before)
    expect(out.plain).toBe(input.plain) // copy on write: parts without secrets are shared
    expect(r.value(TOKEN)).toBe(REDACTED)
  })

  it("keeps a __proto__ key a plain key", () => {
    const r = createRedactor([TOKEN])
    const out = r.value(JSON.parse(`{"__proto__": {"x": "${TOKEN}"}}`)) as Record<string, unknown>
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.keys(out)).toEqual(["__proto__"])
    expect(out["__proto__"]).toEqual({ x: REDACTED })
  })

  it("returns the same value when there is nothing to redact", () => {
    const value = { a: [1, "two", { three: 3 }], b: "plain" }
    expect(createRedactor([]).value(value)).toBe(value)
    expect(createRedactor([TOKEN]).value(value)).toBe(value)
    expect(createRedactor([]).text("abc")).toBe("abc")
    expect(createRedactor([]).size).toBe(0)
  })

  it("leaves non-JSON objects and cycles alone", () => {
    const r = createRedactor([TOKEN])
    const date = new Date(0)
    const cyclic: Record<string, unknown> = { s: TOKEN }
    cyclic.self = cyclic
    expect(r.value(date)).toBe(date)
    const out = r.value(cyclic)
    expect(out.s).toBe(REDACTED)
    expect(out.self).toBe(cyclic)
  })

  it("treats regex characters in secrets literally", () => {
    const r = createRedactor(["a.b*c(d)[e]$"])
    expect(r.text("aXb*c(d)[e]$ a.b*c(d)[e]$")).toBe(`aXb*c(d)[e]$ ${REDACTED}`)
  })
})
