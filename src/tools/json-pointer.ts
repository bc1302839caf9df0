/** Local JSON Pointers (`#/components/schemas/Foo`), shared by the OpenAPI loader and the declarations generator. */

/** Escapes one JSON Pointer segment (`~` → `~0`, `/` → `~1`). */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1")
}

/** Unescapes one segment; tolerates the percent-encoding some specs use in `$ref`s. */
export function unescapePointer(segment: string): string {
  let s = segment
  try {
    s = decodeURIComponent(s)
  } catch {
    // not percent-encoded: use as written
  }
  return s.replace(/~1/g, "/").replace(/~0/g, "~")
}

/** The segments of a local `#/…` JSON Pointer (unescaped); `undefined` for other references. */
export function pointerSegments(ref: string): string[] | undefined {
  if (ref === "#") return []
  if (!ref.startsWith("#/")) return undefined
  return ref.slice(2).split("/").map(unescapePointer)
}

/** Resolves pointer segments in `root`; `undefined` when they point nowhere. */
export function resolveSegments(root: unknown, segments: readonly string[]): unknown {
  let node = root
  for (const key of segments) {
    if (node === null || typeof node !== "object") return undefined
    node = Array.isArray(node) ? node[Number(key)] : (node as Record<string, unknown>)[key]
    if (node === undefined) return undefined
  }
  return node
}

/** Resolves a local `#/…` JSON Pointer in `doc`; `undefined` when it is not local or points nowhere. */
export function resolvePointer(doc: unknown, ref: string): unknown {
  const segments = pointerSegments(ref)
  return segments && resolveSegments(doc, segments)
}
