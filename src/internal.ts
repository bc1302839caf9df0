/**
 * The internal entry: what the benchmarks and tests reach that the package does not export (see
 * package.json "exports"): the sandbox's tuning knobs and their defaults.
 */
export { QUICKJS_DEFAULTS, quickjsMemoryOverhead, tunedQuickjs, type QuickJSTuning, type TunedQuickJSOptions } from "./sandbox/quickjs/index.js"
