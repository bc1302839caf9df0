/**
 * `codemode/tokens`: what tools cost a model, naively (one MCP tool per operation) and through a
 * codemode server (its tools/list, and one search + one execute per task): `codemode tokens`'s parts.
 */
export { naiveToolsFromOpenApi, naiveListFromOpenApi, naiveToolsFromMcp, MAX_NAIVE_CHARS } from "./naive.js"
export type { NaiveTool, NaiveOptions, NaiveTooLarge } from "./naive.js"
export { tokenReport, formatTokenReport } from "./report.js"
export type { TokenReport, SourceNaive, ContextFigures } from "./report.js"
export { measureContext } from "../server/lazy.js"
export type { ContextMeasure, MeasureOptions } from "../server/measure.js"
