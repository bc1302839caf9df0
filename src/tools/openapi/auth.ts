/**
 * Host-side credentials: resolving {@link SecretValue}s at call time and adding them to a request.
 * Nothing here is ever handed to the sandbox.
 */
import { codemodeError } from "../../errors.js"
import { isObject } from "../json.js"
import type { OpenApiAuth, SecretValue } from "./types.js"

/** Header names whose values are credentials: Authorization, Cookie, X-Api-Key, X-Auth-Token, anything with a secret, password, session or signature. */
const CREDENTIAL_HEADER = /auth|key|token|secret|passw|cookie|session|credential|signature/i

/** Throws `CONFIG_INVALID` when `auth` does not have one of the documented shapes. */
export function checkAuth(auth: unknown, origin: string): void {
  if (auth === undefined) return
  const ok =
    isObject(auth) &&
    Object.keys(auth).length === 1 &&
    (("bearer" in auth && isSecret(auth.bearer)) ||
      ("header" in auth && isNamed(auth.header)) ||
      ("query" in auth && isNamed(auth.query)) ||
      ("basic" in auth && isObject(auth.basic) && isSecret(auth.basic.username) && isSecret(auth.basic.password)))
  if (!ok) {
    throw codemodeError(
      "CONFIG_INVALID",
      origin,
      `option "auth" must be one of { bearer }, { header: { name, value } }, { query: { name, value } }, ` +
        `{ basic: { username, password } }, where each secret is a string, { env: "NAME" } or a function.`,
    )
  }
}

function isSecret(value: unknown): boolean {
  return typeof value === "string" || typeof value === "function" || (isObject(value) && typeof value.env === "string")
}

function isNamed(value: unknown): boolean {
  return isObject(value) && typeof value.name === "string" && value.name !== "" && isSecret(value.value)
}

/** Resolves a secret now; a missing environment variable is `CONFIG_INVALID` naming it. */
export async function resolveSecret(value: SecretValue, what: string, origin: string): Promise<string> {
  if (typeof value === "string") return value
  if (typeof value === "function") {
    let out: unknown
    try {
      out = await value()
    } catch (cause) {
      throw codemodeError("CONFIG_INVALID", origin, `the callback for ${what} threw: ${String(cause)}`, { cause })
    }
    if (typeof out !== "string") throw codemodeError("CONFIG_INVALID", origin, `the callback for ${what} must return a string`)
    return out
  }
  const env = process.env[value.env]
  if (env === undefined || env === "") {
    throw codemodeError("CONFIG_INVALID", origin, `environment variable ${value.env} (for ${what}) is not set. Set it on the host.`, {
      data: { env: value.env },
    })
  }
  return env
}

/** Resolved credentials for one call. */
export interface Credentials {
  /** Adds the credentials to a request's URL / headers (again for each same-origin redirect hop). */
  apply(url: URL, headers: Headers): void
  /** The secret strings, so error messages can redact them if the server echoes them back. */
  secrets: string[]
}

const NO_CREDENTIALS: Credentials = { apply() {}, secrets: [] }

/** Resolves the secrets of `auth` now (at call time). */
export async function resolveCredentials(auth: OpenApiAuth | undefined, origin: string): Promise<Credentials> {
  if (auth === undefined) return NO_CREDENTIALS
  if ("bearer" in auth) {
    const token = await resolveSecret(auth.bearer, "auth.bearer", origin)
    return { apply: (_url, headers) => headers.set("authorization", `Bearer ${token}`), secrets: [token] }
  }
  if ("header" in auth) {
    const { name } = auth.header
    const value = await resolveSecret(auth.header.value, `auth.header "${name}"`, origin)
    return { apply: (_url, headers) => headers.set(name, value), secrets: [value] }
  }
  if ("query" in auth) {
    const { name } = auth.query
    const value = await resolveSecret(auth.query.value, `auth.query "${name}"`, origin)
    return { apply: (url) => url.searchParams.set(name, value), secrets: [value, encodeURIComponent(value)] }
  }
  const username = await resolveSecret(auth.basic.username, "auth.basic.username", origin)
  const password = await resolveSecret(auth.basic.password, "auth.basic.password", origin)
  const encoded = Buffer.from(`${username}:${password}`).toString("base64")
  return { apply: (_url, headers) => headers.set("authorization", `Basic ${encoded}`), secrets: [password, encoded] }
}

/**
 * The credential values a source sends: every resolved `auth` value (for basic auth the username, the
 * password and the base64 of `user:pass`) and the static `headers` whose name looks like a credential
 * (see {@link CREDENTIAL_HEADER}; `Accept` or `X-GitHub-Api-Version` values are not secrets and would only
 * be redacted from results). Auth that cannot be resolved now (unset variable, failing callback) is left
 * out: no request carries it.
 */
export async function sourceSecrets(auth: OpenApiAuth | undefined, headers: Record<string, string> | undefined, origin: string): Promise<string[]> {
  const fromHeaders = Object.entries(headers ?? {})
    .filter(([name]) => CREDENTIAL_HEADER.test(name))
    .map(([, value]) => value)
  let fromAuth: string[] = []
  try {
    fromAuth = [...(await resolveCredentials(auth, origin)).secrets]
    if (auth && "basic" in auth) fromAuth.push(await resolveSecret(auth.basic.username, "auth.basic.username", origin))
  } catch {
    // unresolvable: never sent
  }
  return [...fromAuth, ...fromHeaders]
}
