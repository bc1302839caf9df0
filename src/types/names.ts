/**
 * Type names in generated declarations: PascalCase, valid, and unique within one namespace.
 */

/**
 * Names a generated type must never take: TypeScript's predefined type keywords (not valid type
 * names at all) and the globals the declarations themselves refer to (shadowing `Promise` inside a
 * namespace would break every function's return type there).
 */
const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set([
  "any", "bigint", "boolean", "never", "null", "number", "object", "string", "symbol", "undefined",
  "unknown", "void", "Promise", "PromiseLike", "Array", "ReadonlyArray", "Record", "Object",
  "Function", "String", "Number", "Boolean", "Symbol", "BigInt",
])

/**
 * A PascalCase identifier for `name`: word boundaries are runs of non-alphanumerics and
 * lower→upper case changes. `"dns-records_dns-record"` → `"DnsRecordsDnsRecord"`,
 * `"repos/get-content"` → `"ReposGetContent"`, `"getHTTPStatus"` → `"GetHTTPStatus"`.
 * Never empty and never starts with a digit (prefixed with `T`).
 */
export function toPascalCase(name: string): string {
  const words = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
  let id = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("")
  if (id === "") id = "T"
  if (/^[0-9]/.test(id)) id = `T${id}`
  return id
}

/** Hands out unique type names in one namespace; the first caller for a base name keeps it. */
export interface NameAllocator {
  /** A name derived from `base` that is not taken yet; marks it taken. */
  take(base: string): string
}

/** Creates an allocator; clashes get `2`, `3` … appended (`Zone`, `Zone2`). */
export function createNameAllocator(): NameAllocator {
  const taken = new Set<string>(RESERVED_TYPE_NAMES)
  return {
    take(base) {
      let name = base
      for (let n = 2; taken.has(name); n++) name = `${base}${n}`
      taken.add(name)
      return name
    },
  }
}
