/** Helpers over parsed JSON values (specs, schemas, configs), shared by the sources, the declarations and the search. */

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
}
