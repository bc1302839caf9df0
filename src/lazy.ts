/**
 * Dependencies that cost more to load than `import "codemode"` should (measured in
 * docs/runtime.md#startup): zod, gpt-tokenizer's o200k tables and acorn. Each is loaded on
 * first use, synchronously, so the APIs that need them (`functions()`, `parseConfig()`,
 * `createCatalog()` …) stay synchronous. The MCP SDK, yaml and the
 * server face are loaded with `await import()` where they are used, on paths that are async anyway.
 */
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import type * as Zod from "zod"
import type * as Tokenizer from "gpt-tokenizer"
import type * as Acorn from "acorn"

const require = createRequire(import.meta.url)

/**
 * zod v4. Where Node can `require()` an ES module (20.19+, 22.12+) its ES build is loaded by path, so
 * it is the instance an `import "zod"` gets (the caller's, the MCP SDK's); elsewhere its CommonJS
 * build, a second instance that works the same (zod keeps its registry on `globalThis`).
 */
export const zod = once(
  (): typeof Zod => require(process.features.require_module ? fileURLToPath(import.meta.resolve("zod")) : "zod") as typeof Zod,
)

/** gpt-tokenizer (o200k_base), its CommonJS build: it loads faster than the ES one, and nothing shares it. */
export const tokenizer = once((): typeof Tokenizer => require("gpt-tokenizer") as typeof Tokenizer)

/** acorn, which parses the programs `execute` runs: loaded by the first one. */
export const acorn = once((): typeof Acorn => require("acorn") as typeof Acorn)

/** `make()`'s value, made on the first call and kept: for values built from a lazily loaded module. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined
  return () => (made ??= { value: make() }).value
}
