/** What the sandbox says when a value cannot cross its boundary (the prelude and its library use it). */
export const BOUNDARY_MESSAGE = "only JSON data (objects, arrays, strings, numbers, booleans, null) can cross the sandbox boundary"
