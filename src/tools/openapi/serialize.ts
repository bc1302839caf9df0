/**
 * Argument object → HTTP request parts: path substitution, query/header/cookie serialization by
 * OpenAPI `style`/`explode`, and the request body by media type. Validates what it needs first.
 */
import { codemodeError } from "../../errors.js"
import type { OperationDescriptor, OperationParameter } from "./operations.js"
import { isObject } from "../json.js"

/** The request parts for one call, before auth and static headers are added. */
export interface RequestParts {
  url: URL
  headers: Headers
  body?: string | FormData | URLSearchParams
}

/** Checks `args` against the operation's parameters; throws `TOOL_INPUT_INVALID` naming the culprit. */
export function checkArguments(op: OperationDescriptor, args: unknown, origin: string): Record<string, unknown> {
  const where = `${op.name} (${op.method} ${op.path})`
  if (args === undefined || args === null) args = {}
  if (!isObject(args)) {
    throw codemodeError("TOOL_INPUT_INVALID", origin, `${where} takes one object argument, got ${Array.isArray(args) ? "an array" : typeof args}.`, {
      data: { tool: op.name },
    })
  }
  const known = new Set(op.parameters.map((p) => p.key))
  if (op.body) known.add("body")
  for (const key of Object.keys(args)) {
    if (!known.has(key)) {
      const allowed = [...known].join(", ") || "none"
      throw codemodeError("TOOL_INPUT_INVALID", origin, `${where}: unknown argument "${key}"; allowed: ${allowed}.`, {
        data: { tool: op.name, argument: key },
      })
    }
  }
  for (const p of op.parameters) {
    const value = args[p.key]
    if (p.required && (value === undefined || value === null)) {
      throw codemodeError("TOOL_INPUT_INVALID", origin, `${where}: missing required ${p.in} parameter "${p.key}".`, {
        data: { tool: op.name, parameter: p.key, in: p.in },
      })
    }
    const scalarOrList = ["string", "number", "boolean"].includes(typeof value) || Array.isArray(value)
    if (p.in === "path" && (!scalarOrList || value === "." || value === "..")) {
      // "." and ".." would be resolved by the URL parser and reach a different endpoint.
      throw codemodeError("TOOL_INPUT_INVALID", origin, `${where}: path parameter "${p.key}" must be a string or number other than "." or "..".`, {
        data: { tool: op.name, parameter: p.key, in: p.in },
      })
    }
  }
  if (op.body?.required && args.body === undefined) {
    throw codemodeError("TOOL_INPUT_INVALID", origin, `${where}: missing required argument "body" (the ${op.body.mediaType} request body).`, {
      data: { tool: op.name, parameter: "body", in: "body" },
    })
  }
  return args
}

/** Builds URL, headers and body from checked arguments. */
export function buildRequest(op: OperationDescriptor, args: Record<string, unknown>, baseUrl: string): RequestParts {
  let path = op.path
  const query: Array<[string, string]> = []
  const headers = new Headers()
  const cookies: string[] = []
  for (const p of op.parameters) {
    const value = args[p.key]
    if (value === undefined || value === null) continue
    const text = p.json ? JSON.stringify(value) : flat(value, ",")
    if (p.in === "path") path = path.split(`{${p.name}}`).join(encodeURIComponent(text))
    else if (p.in === "query") query.push(...queryPairs(p, value))
    else if (p.in === "header") headers.set(p.name, text)
    else cookies.push(`${p.name}=${encodeURIComponent(text)}`)
  }
  if (cookies.length > 0) headers.set("cookie", cookies.join("; "))
  const url = new URL(baseUrl.replace(/\/+$/, "") + path)
  for (const [key, value] of query) url.searchParams.append(key, value)
  headers.set("accept", "application/json, */*;q=0.8")
  const parts: RequestParts = { url, headers }
  if (op.body && args.body !== undefined) parts.body = encodeBody(op.body.mediaType, args.body, headers)
  return parts
}

function scalar(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value)
}

/** `simple` style without explode: arrays and objects as comma lists. */
function flat(value: unknown, sep: string): string {
  if (Array.isArray(value)) return value.map(scalar).join(sep)
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => [k, scalar(v)]).join(sep)
  return scalar(value)
}

const DELIMITERS: Record<string, string> = { form: ",", spaceDelimited: " ", pipeDelimited: "|" }

function queryPairs(p: OperationParameter, value: unknown): Array<[string, string]> {
  if (p.json) return [[p.name, JSON.stringify(value)]]
  const style = p.style ?? "form"
  const explode = p.explode ?? style === "form"
  if (Array.isArray(value)) {
    if (explode) return value.map((v) => [p.name, scalar(v)])
    return [[p.name, value.map(scalar).join(DELIMITERS[style] ?? ",")]]
  }
  if (isObject(value)) {
    if (style === "deepObject") return Object.entries(value).map(([k, v]) => [`${p.name}[${k}]`, scalar(v)])
    if (explode) return Object.entries(value).map(([k, v]) => [k, scalar(v)])
    return [[p.name, flat(value, ",")]]
  }
  return [[p.name, scalar(value)]]
}

function encodeBody(mediaType: string, body: unknown, headers: Headers): string | FormData | URLSearchParams {
  const type = mediaType.toLowerCase()
  if (type.includes("json")) {
    headers.set("content-type", mediaType)
    return JSON.stringify(body)
  }
  if (type.startsWith("application/x-www-form-urlencoded") && isObject(body)) {
    const form = new URLSearchParams()
    for (const [k, v] of Object.entries(body)) for (const item of Array.isArray(v) ? v : [v]) form.append(k, scalar(item))
    return form
  }
  if (type.startsWith("multipart/form-data") && isObject(body)) {
    const form = new FormData()
    for (const [k, v] of Object.entries(body)) for (const item of Array.isArray(v) ? v : [v]) form.append(k, scalar(item))
    return form
  }
  headers.set("content-type", mediaType)
  return scalar(body)
}
