/**
 * Turning source names (MCP tool names, operationIds, "GET /zones/{id}") into JS identifiers that
 * are valid, readable and unique. Shared by every source and by the declarations generator.
 */

/** Words that cannot be used as a binding or a namespace name in strict-mode code or in a `.d.ts`. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
  "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof",
  "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void",
  "while", "with", "yield", "let", "static", "implements", "interface", "package", "private",
  "protected", "public", "await", "arguments", "eval", "undefined", "NaN", "Infinity",
])

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** True when `name` can be written as `codemode.ns.<name>` and declared as a function. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED_WORDS.has(name)
}

/**
 * True when `path` names a namespace: an identifier, or identifiers joined by dots for a group of
 * tools inside a source's namespace (`state.todos` → `codemode.state.todos.insert(…)`).
 */
export function isNamespacePath(path: string): boolean {
  return path.split(".").every(isIdentifier)
}

/**
 * True when `name` can follow a dot: an identifier, reserved words included (`codemode.state.todos.delete`).
 * Tools of a nested namespace (see {@link isNamespacePath}) are declared as methods, so such names work there.
 */
export function isMemberName(name: string): boolean {
  return IDENTIFIER.test(name)
}

/**
 * A readable identifier for `name`: runs of other characters become `_`, a leading digit or a
 * reserved word gets a `_` prefix. `"repos/get-content"` → `"repos_get_content"`.
 */
export function toIdentifier(name: string): string {
  let id = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_$]+/g, "_")
    .replace(/^_+(?=[A-Za-z0-9$])|(?<=[A-Za-z0-9$])_+$/g, "")
  if (id === "") id = "_"
  if (/^[0-9]/.test(id) || RESERVED_WORDS.has(id)) id = `_${id}`
  return id
}

/**
 * Maps each name to a unique identifier, in input order: the first keeps `toIdentifier(name)`,
 * later clashes get `_2`, `_3` … Deterministic for a given input order.
 */
export function uniqueIdentifiers(names: readonly string[]): string[] {
  const taken = new Set<string>()
  return names.map((name) => {
    const base = toIdentifier(name)
    let id = base
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`
    taken.add(id)
    return id
  })
}
