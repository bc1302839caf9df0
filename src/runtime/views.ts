/**
 * Declarative views: a program returns `{ view: "table" | "list" | "form" | "chart", … }` as plain
 * JSON, validated against a published schema ({@link viewJsonSchema}), optionally bound to a state
 * query (`query: { source: "state.todos", filter?, sort?, limit? }`, filled in as `rows` from the
 * state the run committed). Faces render it as text; nothing in a view is ever run or rendered as
 * HTML or JS: strings are text, unknown keys are refused.
 */
import type { z } from "zod"
import { codemodeError } from "../errors.js"
import { once, zod } from "../lazy.js"
import type { CallContext, Tool } from "../tools/tool.js"
import { decideCall, type CompiledPolicy } from "./policy.js"
import type { ExecuteResult } from "./results.js"
import { renderTable } from "./text-table.js"

/** The view schemas, built on first use (zod loads lazily). */
const viewSchemas = once(() => {
  const z = zod()
  const Title = z.string().max(200).optional()
  const Query = z.strictObject({
    /** The collection, as "<namespace>.<collection>" (e.g. "state.todos"). */
    source: z.string().regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/, 'must name a collection, e.g. "state.todos"'),
    filter: z.record(z.string(), z.unknown()).optional(),
    sort: z.union([z.string(), z.array(z.string())]).optional(),
    limit: z.number().int().positive().max(1000).optional(),
  })
  const Row = z.record(z.string(), z.unknown())
  const Column = z.strictObject({ field: z.string().min(1), label: z.string().optional() })
  const Table = z.strictObject({ view: z.literal("table"), title: Title, columns: z.array(Column).min(1).max(20), rows: z.array(Row).max(1000).optional(), query: Query.optional() })
  const List = z.strictObject({ view: z.literal("list"), title: Title, field: z.string().optional(), items: z.array(z.unknown()).max(1000).optional(), query: Query.optional() })
  const Field = z.strictObject({
    name: z.string().min(1),
    label: z.string().optional(),
    type: z.enum(["text", "number", "checkbox", "select"]),
    options: z.array(z.string()).optional(),
    value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  })
  const Form = z.strictObject({ view: z.literal("form"), title: Title, fields: z.array(Field).min(1).max(50), submit: z.strictObject({ procedure: z.string().min(1), label: z.string().optional() }).optional() })
  const Chart = z.strictObject({
    view: z.literal("chart"),
    title: Title,
    kind: z.enum(["bar", "line"]),
    x: z.string().min(1),
    y: z.string().min(1),
    rows: z.array(Row).max(1000).optional(),
    query: Query.optional(),
  })
  const View = z.discriminatedUnion("view", [Table, List, Form, Chart])
  return { View }
})

export type View = z.infer<ReturnType<typeof viewSchemas>["View"]>

export const VIEW_KINDS = ["table", "list", "form", "chart"] as const
/** Rows a bound view gets when its query has no `limit`. */
export const DEFAULT_VIEW_ROWS = 100

/** The published JSON Schema of a view (what a UI or a model codes against). */
export const viewJsonSchema = once(() => zod().toJSONSchema(viewSchemas().View, { io: "input" }))

/** `undefined` when `value` is not meant as a view (no known `view` kind); else the valid view or why it is not one. */
export function asView(value: unknown): { view: View } | { problem: string } | undefined {
  const kind = (value as { view?: unknown } | null)?.view
  if (typeof value !== "object" || value === null || Array.isArray(value) || !(VIEW_KINDS as readonly unknown[]).includes(kind)) return undefined
  const parsed = viewSchemas().View.safeParse(value)
  if (parsed.success) return { view: parsed.data }
  return { problem: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(view)"}: ${i.message}`).join("; ") }
}

/**
 * Fills `rows` (or `items`) of a view bound to a query by calling the collection's `query` tool, when
 * `policy` allows that call outright (a query the run could not make without approval is not made).
 */
export async function bindView(view: View, tools: readonly Tool[], policy: CompiledPolicy, ctx: CallContext = {}): Promise<View> {
  if (!("query" in view) || !view.query) return view
  const { source, ...args } = view.query
  const query = tools.find((t) => `${t.namespace}.${t.name}` === `${source}.query`)
  if (!query) throw new Error(`the view's query names ${source}, which has no query tool`)
  const queryArgs = { limit: DEFAULT_VIEW_ROWS, ...args }
  const decision = await decideCall(policy, query, queryArgs)
  if (decision.action !== "allow") {
    throw codemodeError("POLICY_DENIED", "views", `${source}.query is not allowed without approval by the policy (${decision.rule}), so the view's rows were not read`)
  }
  const rows = (await query.call(queryArgs, ctx)) as Array<Record<string, unknown>>
  return view.view === "list" ? { ...view, items: rows } : { ...view, rows }
}

const cell = (value: unknown): string => (value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value))

/** A view as plain text: a table, a bulleted list, form fields, a bar chart of text. */
export function viewText(view: View): string {
  const title = view.title ? `${view.title}\n` : ""
  switch (view.view) {
    case "table":
      return title + renderTable(view.columns.map((c) => c.label ?? c.field), (view.rows ?? []).map((r) => view.columns.map((c) => cell(r[c.field]))))
    case "list":
      return title + (view.items ?? []).map((item) => `- ${cell(view.field && typeof item === "object" && item !== null ? (item as Record<string, unknown>)[view.field] : item)}`).join("\n")
    case "form":
      return title + view.fields.map((f) => `${f.label ?? f.name}: [${f.type}${f.options ? `: ${f.options.join(" | ")}` : ""}]${f.value === undefined ? "" : ` ${cell(f.value)}`}`).join("\n") + (view.submit ? `\n(${view.submit.label ?? "submit"} → codemode.procedures.${view.submit.procedure})` : "")
    case "chart": {
      const rows = view.rows ?? []
      const values = rows.map((r) => Number(r[view.y]) || 0)
      const max = Math.max(1, ...values.map(Math.abs))
      const width = Math.max(1, ...rows.map((r) => cell(r[view.x]).length))
      return title + rows.map((r, i) => `${cell(r[view.x]).padEnd(width)}  ${"█".repeat(Math.round((Math.abs(values[i] ?? 0) / max) * 30))} ${values[i]}`).join("\n")
    }
  }
}

/**
 * A finished run whose value is a view: the view, validated and bound (`result.view`); a value that
 * looks like a view but is not valid gets a warning and stays plain data.
 */
export async function attachView(result: ExecuteResult, tools: readonly Tool[], policy: CompiledPolicy): Promise<ExecuteResult> {
  if (result.status !== "done") return result
  const found = asView(result.value)
  if (!found) return result
  const warn = (why: string): ExecuteResult => ({ ...result, warnings: [...(result.warnings ?? []), `the value looks like a view but ${why}; it is shown as data`] })
  if ("problem" in found) return warn(`is not a valid one (${found.problem})`)
  try {
    return { ...result, view: await bindView(found.view, tools, policy) }
  } catch (error) {
    return warn(`its query failed (${error instanceof Error ? error.message : String(error)})`)
  }
}
