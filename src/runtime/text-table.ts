/** A plain-text table: columns padded to their widest cell, numbers (and numeric strings) right-aligned. */
export type Cell = string | number

function text(cell: Cell): string {
  if (typeof cell === "string") return cell
  return Number.isInteger(cell) ? String(cell) : cell.toFixed(Math.abs(cell) >= 100 ? 0 : Math.abs(cell) >= 1 ? 1 : 3)
}

export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = rows.map((row) => row.map(text))
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)))
  const line = (values: readonly string[], numeric: readonly boolean[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join("  ").trimEnd()
  const out = [line(headers, headers.map(() => false)), widths.map((w) => "-".repeat(w)).join("  ")]
  const numeric = (c: Cell) => typeof c === "number" || /^-?\d[\d.,]*$/.test(c)
  rows.forEach((row, r) => out.push(line(cells[r] ?? [], row.map(numeric))))
  return out.join("\n")
}
