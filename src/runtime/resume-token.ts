/**
 * Resume tokens: what a paused run hands out so that anyone holding it (a UI, a model, another
 * process) can continue the run. A token names the run and binds it to the program, the catalog and
 * the pause it was issued for; it is HMAC-SHA256-signed with the host key and expires.
 *
 * Format: `cmr1.<payload>.<signature>`, both base64url; the payload is JSON. Nothing in it is
 * secret (run id, hashes, times): the signature is what makes it trustworthy.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto"
import { codemodeError } from "../errors.js"

const PREFIX = "cmr1"
const ORIGIN = "runs"

export interface ResumeClaims {
  /** Run id. */
  run: string
  /** sha256 (hex, first 32 chars) of the program as the model sent it. */
  program: string
  /** Hash of the catalog (tool names and input schemas) the run was paused against. */
  catalog: string
  /** Which pause of the run the token is for (1 for the first). */
  pause: number
  /** Expiry, ms since the epoch. */
  exp: number
}

export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32)
}

function sign(key: Buffer, payload: string): string {
  return createHmac("sha256", key).update(`${PREFIX}.${payload}`).digest("base64url")
}

export function signResumeToken(key: Buffer, claims: ResumeClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url")
  return `${PREFIX}.${payload}.${sign(key, payload)}`
}

const invalid = (why: string) => codemodeError("RESUME_INVALID", ORIGIN, `invalid resume token: ${why}`)

/**
 * Checks the signature and expiry and returns the claims. Rejects with `RESUME_INVALID` saying
 * which: malformed, forged or tampered with (bad signature), expired (with when).
 */
export function verifyResumeToken(key: Buffer, token: string, now = Date.now()): ResumeClaims {
  if (typeof token !== "string") throw invalid("not a string")
  const parts = token.trim().split(".")
  if (parts.length !== 3 || parts[0] !== PREFIX) throw invalid(`not a codemode resume token (expected "${PREFIX}.<payload>.<signature>")`)
  const [, payload = "", signature = ""] = parts
  const expected = Buffer.from(sign(key, payload))
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalid("the signature does not match (forged, altered, or signed with another host key)")
  }
  let claims: ResumeClaims
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as ResumeClaims
  } catch {
    throw invalid("the payload is not JSON")
  }
  if (typeof claims?.run !== "string" || typeof claims.exp !== "number" || typeof claims.pause !== "number") throw invalid("the payload lacks its fields")
  if (claims.exp <= now) {
    throw codemodeError("RESUME_INVALID", ORIGIN, `the resume token expired at ${new Date(claims.exp).toISOString()}; the paused run can no longer be resumed`, {
      data: { reason: "expired", run: claims.run },
    })
  }
  return claims
}
