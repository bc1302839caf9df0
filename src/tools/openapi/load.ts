/**
 * Reading an OpenAPI document: file path or http(s) URL, gzip or not, JSON or YAML. Reading and
 * parsing only — turning operations into tools lives in operations.ts.
 */
import { readFile } from "node:fs/promises"
import { resolve as resolvePath } from "node:path"
import { promisify } from "node:util"
import { gunzip } from "node:zlib"
import { codemodeError } from "../../errors.js"
import type { OpenApiDocument } from "./types.js"

const gunzipAsync = promisify(gunzip)

/** Options of {@link loadOpenApiDocument}. */
export interface LoadOpenApiOptions {
  /** Used when `spec` is a URL. Default: `globalThis.fetch`. */
  fetch?: typeof fetch
  /** Cancels reading a spec URL. Default: none. */
  signal?: AbortSignal
  /** Origin shown in error messages. Default: `"openapi"`. */
  origin?: string
}

/** A parsed, version-checked document and where it came from. */
export interface LoadedOpenApiSpec {
  document: OpenApiDocument
  /** Absolute file path or URL the document was read from; absent for an in-memory object. */
  location?: string
}

/**
 * Reads and parses an OpenAPI 3.0/3.1 document from a file path, an http(s) URL or an object.
 * Throws `SPEC_INVALID` (with line and column for syntax errors; a conversion hint for Swagger 2.0)
 * or `SOURCE_UNAVAILABLE` when the file or URL cannot be read.
 */
export async function loadOpenApiDocument(
  spec: string | object,
  options: LoadOpenApiOptions = {},
): Promise<OpenApiDocument> {
  return (await readOpenApiSpec(spec, options)).document
}

/** Like {@link loadOpenApiDocument}, also returning the location (needed to resolve relative server URLs). */
export async function readOpenApiSpec(spec: string | object, options: LoadOpenApiOptions = {}): Promise<LoadedOpenApiSpec> {
  const origin = options.origin ?? "openapi"
  if (typeof spec !== "string") return { document: checkDocument(spec, "the spec object", origin) }
  const isUrl = /^https?:\/\//i.test(spec)
  const location = isUrl ? spec : resolvePath(spec)
  const { bytes, contentType } = isUrl ? await readUrl(spec, options, origin) : await readPath(location, origin)
  const text = await decode(bytes, location, origin)
  const value = await parseText(text, chooseFormat(location, contentType, text), location, origin)
  return { document: checkDocument(value, location, origin), location }
}

async function readPath(path: string, origin: string): Promise<{ bytes: Buffer; contentType?: string }> {
  try {
    return { bytes: await readFile(path) }
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(cause)
    throw codemodeError("SOURCE_UNAVAILABLE", origin, `cannot read spec file ${path}: ${reason}. Check the "spec" option.`, { cause })
  }
}

async function readUrl(url: string, options: LoadOpenApiOptions, origin: string) {
  const doFetch = options.fetch ?? globalThis.fetch
  let res: Response
  try {
    res = await doFetch(url, { headers: { accept: "application/json, application/yaml;q=0.9, */*;q=0.5" }, signal: options.signal })
  } catch (cause) {
    throw codemodeError("SOURCE_UNAVAILABLE", origin, `cannot fetch spec ${url}: ${String(cause)}`, { cause })
  }
  if (!res.ok) {
    throw codemodeError("SOURCE_UNAVAILABLE", origin, `cannot fetch spec ${url}: HTTP ${res.status} ${res.statusText}`, {
      data: { status: res.status },
    })
  }
  return { bytes: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get("content-type") ?? undefined }
}

/** Gunzips when the gzip magic bytes are present (the file name is not trusted), strips a BOM. */
async function decode(bytes: Buffer, location: string, origin: string): Promise<string> {
  let raw = bytes
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = await gunzipAsync(raw)
    } catch (cause) {
      throw codemodeError("SPEC_INVALID", origin, `${location} looks gzip-compressed but cannot be decompressed: ${String(cause)}`, { cause })
    }
  }
  const text = raw.toString("utf8")
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

function chooseFormat(location: string, contentType: string | undefined, text: string): "json" | "yaml" {
  const name = location.toLowerCase().replace(/[?#].*$/, "").replace(/\.gz$/, "")
  if (name.endsWith(".json") || /json/i.test(contentType ?? "")) return "json"
  if (name.endsWith(".yaml") || name.endsWith(".yml") || /yaml/i.test(contentType ?? "")) return "yaml"
  return /^\s*[{[]/.test(text) ? "json" : "yaml"
}

/** JSON, or YAML (the yaml package is loaded for the first YAML spec). */
async function parseText(text: string, format: "json" | "yaml", location: string, origin: string): Promise<unknown> {
  if (format === "json") {
    try {
      return JSON.parse(text)
    } catch (cause) {
      const message = (cause as Error).message
      const position = /position (\d+)/.exec(message)?.[1]
      const where = position === undefined ? "" : ` at ${lineColumn(text, Number(position))}`
      throw codemodeError("SPEC_INVALID", origin, `${location} is not valid JSON${where}: ${message}`, { cause, data: { location } })
    }
  }
  const { parse: parseYaml } = await import("yaml")
  try {
    return parseYaml(text)
  } catch (cause) {
    const pos = (cause as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0]
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : ""
    const first = String((cause as Error).message).split("\n")[0]
    throw codemodeError("SPEC_INVALID", origin, `${location} is not valid YAML${where}: ${first}`, { cause, data: { location } })
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset)
  const line = before.split("\n").length
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`
}

/** Checks the version and top-level shape; Swagger 2.0 gets a conversion hint. */
function checkDocument(value: unknown, location: string, origin: string): OpenApiDocument {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw codemodeError("SPEC_INVALID", origin, `${location} is not an OpenAPI document (expected an object at the top level).`)
  }
  const doc = value as Record<string, unknown>
  if (doc.swagger !== undefined) {
    throw codemodeError(
      "SPEC_INVALID",
      origin,
      `${location} is a Swagger ${String(doc.swagger)} document; codemode reads OpenAPI 3.0 and 3.1. Convert it first, ` +
        `e.g. with https://converter.swagger.io (POST /api/convert) or \`npx swagger2openapi spec.json -o openapi.json\`, ` +
        `and point "spec" at the converted file.`,
      { data: { location, swagger: doc.swagger } },
    )
  }
  if (typeof doc.openapi !== "string" || !/^3\.[0-2]\./.test(doc.openapi + ".")) {
    throw codemodeError(
      "SPEC_INVALID",
      origin,
      `${location}: unsupported or missing "openapi" version ${JSON.stringify(doc.openapi)}; expected "3.0.x" or "3.1.x" (3.2.x is read like 3.1).`,
      { data: { location } },
    )
  }
  for (const key of ["paths", "components"] as const) {
    const part = doc[key]
    if (part !== undefined && (part === null || typeof part !== "object" || Array.isArray(part))) {
      throw codemodeError("SPEC_INVALID", origin, `${location}: "${key}" must be an object.`, { data: { location, pointer: `#/${key}` } })
    }
  }
  return doc as OpenApiDocument
}
