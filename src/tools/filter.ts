/**
 * Include/exclude globs over a source's tools, so a config can expose `repos_*` of a 1,000-tool API.
 */
import { codemodeError } from "../errors.js"
import type { Tool, ToolSource } from "./tool.js"

export interface ToolFilter {
  /** Keep only tools matching at least one glob. Default: keep all. */
  include?: string[]
  /** Drop tools matching any glob (applied after `include`). Default: drop none. */
  exclude?: string[]
}

/**
 * A glob as a matcher: `*` any run of characters, `?` one character, everything else literal.
 * Case-sensitive, whole-name.
 */
export function globMatcher(glob: string): (name: string) => boolean {
  const source = glob
    .split("")
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
    .join("")
  const re = new RegExp(`^${source}$`, "s")
  return (name) => re.test(name)
}

/**
 * Wraps `source` so `load()` returns only the tools whose identifier (`tool.name`) or original name
 * (`tool.origin.originalName`, e.g. the MCP name `get-user` or an operationId) matches the filter.
 *
 * @throws CodeModeError `CONFIG_INVALID` when a glob is empty or not a string.
 * @example
 * filterTools(openapi("github", { spec }), { include: ["repos_*"], exclude: ["*_delete*"] })
 */
export function filterTools(source: ToolSource, filter: ToolFilter): ToolSource {
  const origin = `${source.kind}:${source.namespace}`
  const compile = (field: "include" | "exclude") => {
    const globs = filter[field]
    if (globs === undefined) return undefined
    if (!Array.isArray(globs)) throw codemodeError("CONFIG_INVALID", origin, `${field} must be an array of glob strings`)
    return globs.map((g, i) => {
      if (typeof g !== "string" || g === "") {
        throw codemodeError("CONFIG_INVALID", origin, `${field}[${i}] must be a non-empty glob such as "repos_*", got ${JSON.stringify(g)}`)
      }
      return globMatcher(g)
    })
  }
  const include = compile("include")
  const exclude = compile("exclude")
  if (!include?.length && !exclude?.length) return source

  const matchesAny = (matchers: Array<(name: string) => boolean>, tool: Tool) =>
    matchers.some((m) => m(tool.name) || (tool.origin !== undefined && m(tool.origin.originalName)))
  const keep = (tool: Tool) => (!include?.length || matchesAny(include, tool)) && !(exclude?.length && matchesAny(exclude, tool))

  return {
    namespace: source.namespace,
    kind: source.kind,
    load: async () => (await source.load()).filter(keep),
    ...(source.onToolsChanged ? { onToolsChanged: source.onToolsChanged.bind(source) } : {}),
    ...(source.secrets ? { secrets: source.secrets.bind(source) } : {}),
    ...(source.close ? { close: source.close.bind(source) } : {}),
    ...(source.spec ? { spec: { location: source.spec.location, filtered: true } } : {}),
  }
}
