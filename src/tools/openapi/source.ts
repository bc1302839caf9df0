/**
 * The `openapi(namespace, options)` tool source: reads the spec once, turns every operation into a
 * {@link Tool} and calls the API on the host.
 */
import { CodeModeError, codemodeError } from "../../errors.js"
import { isIdentifier } from "../identifiers.js"
import type { Tool, ToolSource } from "../tool.js"
import { checkAuth, sourceSecrets } from "./auth.js"
import type { CallSettings, createCall } from "./call.js"
import { readOpenApiSpec } from "./load.js"
import type { OperationDescriptor } from "./operations.js"
import { isObject } from "../json.js"
import {
  DEFAULT_OPENAPI_MAX_RESPONSE_BYTES,
  DEFAULT_OPENAPI_TIMEOUT_MS,
    type OpenApiOptions,
} from "./types.js"

const KIND = "openapi"

/**
 * A tool source with one tool per operation of an OpenAPI 3.0/3.1 spec. The spec is read on the first
 * `load()` and cached; calls run on the host with `fetch`, credentials from `auth` are added there.
 *
 * @example
 * const github = openapi("github", {
 *   spec: "./github-openapi.json.gz",
 *   auth: { bearer: { env: "GITHUB_TOKEN" } },
 * })
 * const tools = await github.load()
 */
export function openapi(namespace: string, options: OpenApiOptions): ToolSource {
  const origin = `${KIND}:${namespace}`
  checkOptions(namespace, options, origin)
  const doFetch = options.fetch ?? globalThis.fetch
  let loading: Promise<Tool[]> | undefined

  async function build(): Promise<Tool[]> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_OPENAPI_TIMEOUT_MS
    const signal = AbortSignal.timeout(timeoutMs)
    // turning operations into tools (and calling them) loads with the first load(), not with the library
    const [{ document, location }, { listOperations }, { createCall }] = await Promise.all([
      readOpenApiSpec(options.spec, { fetch: doFetch, origin, signal }),
      import("./operations.js"),
      import("./call.js"),
    ])
    const settings: CallSettings = {
      origin,
      baseUrl: options.baseUrl ?? serverUrl(document.servers, location, origin, ""),
      headers: options.headers ?? {},
      timeoutMs,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_OPENAPI_MAX_RESPONSE_BYTES,
      fetch: doFetch,
      ...(options.auth && { auth: options.auth }),
    }
    return listOperations(document, origin).map((op) => {
      // An operation's own `servers` (e.g. GitHub's uploads host) apply unless baseUrl is given.
      const own = op.servers && options.baseUrl === undefined
      const opSettings = own ? { ...settings, baseUrl: serverUrl(op.servers, location, origin, `${op.method} ${op.path} `) } : settings
      return toTool(namespace, op, createCall(op, opSettings))
    })
  }

  return {
    namespace,
    kind: KIND,
    spec: { location: options.spec, filtered: false },
    load() {
      loading ??= build().catch((err: unknown) => {
        loading = undefined
        throw err
      })
      return loading
    },
    secrets: () => sourceSecrets(options.auth, options.headers, origin),
    async close() {
      loading = undefined
    },
  }
}

function toTool(namespace: string, op: OperationDescriptor, call: ReturnType<typeof createCall>): Tool {
  const method = op.method
  return {
    name: op.name,
    namespace,
    ...(op.description !== undefined && { description: op.description }),
    inputSchema: op.inputSchema,
    ...(op.outputSchema !== undefined && { outputSchema: op.outputSchema }),
    annotations: {
      readOnlyHint: method === "GET" || method === "HEAD" || method === "OPTIONS",
      destructiveHint: method === "DELETE",
      idempotentHint: method !== "POST" && method !== "PATCH",
      openWorldHint: true,
    },
    origin: {
      kind: "openapi",
      originalName: op.originalName,
      ...(op.operationId !== undefined && { operationId: op.operationId }),
      method,
      path: op.path,
      tags: op.tags,
    },
    call,
  }
}

/** `servers[0].url` with its variables' defaults, resolved against the spec URL when relative. */
function serverUrl(servers: unknown, location: string | undefined, origin: string, where: string): string | CodeModeError {
  const server = Array.isArray(servers) ? servers[0] : undefined
  if (!isObject(server) || typeof server.url !== "string" || server.url === "") {
    return codemodeError("CONFIG_INVALID", origin, `the spec has no ${where}servers[0].url; pass the "baseUrl" option.`)
  }
  const variables = isObject(server.variables) ? server.variables : {}
  const url = server.url.replace(/\{([^}]+)\}/g, (all, name: string) => {
    const variable = variables[name]
    return isObject(variable) && typeof variable.default === "string" ? variable.default : all
  })
  if (/^https?:\/\//i.test(url)) return url
  if (location !== undefined && /^https?:\/\//i.test(location)) return new URL(url, location).href
  return codemodeError("CONFIG_INVALID", origin, `${where}servers[0].url "${server.url}" is not an absolute http(s) URL; pass the "baseUrl" option.`)
}

function checkOptions(namespace: string, options: OpenApiOptions, origin: string): void {
  const bad = (message: string) => codemodeError("CONFIG_INVALID", origin, message)
  if (!isIdentifier(namespace)) throw bad(`namespace ${JSON.stringify(namespace)} must be a valid JS identifier (e.g. "github").`)
  if (!isObject(options)) throw bad(`options must be an object with at least { spec }.`)
  const { spec, baseUrl, timeoutMs, maxResponseBytes, headers } = options
  if (!(typeof spec === "string" ? spec !== "" : isObject(spec))) throw bad(`option "spec" must be a file path, an http(s) URL or a parsed document.`)
  if (baseUrl !== undefined && (typeof baseUrl !== "string" || !/^https?:\/\/[^/]/i.test(baseUrl))) {
    throw bad(`option "baseUrl" must be an absolute http(s) URL, got ${JSON.stringify(baseUrl)}.`)
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    throw bad(`option "timeoutMs" must be a positive number of milliseconds.`)
  }
  if (maxResponseBytes !== undefined && !(Number.isInteger(maxResponseBytes) && maxResponseBytes > 0)) {
    throw bad(`option "maxResponseBytes" must be a positive integer.`)
  }
  if (headers !== undefined && !(isObject(headers) && Object.values(headers).every((v) => typeof v === "string"))) {
    throw bad(`option "headers" must map header names to strings.`)
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") throw bad(`option "fetch" must be a function.`)
  checkAuth(options.auth, origin)
}
