/** Messages between the host (checker.ts) and the typecheck worker (worker.ts). */
import type { DeclaredTool } from "../../types/declarations.js"
import type { RawDiagnostic } from "./compiler.js"
import type { CheckInput } from "./prepare.js"

/** A diagnostic with the signature of the tool it is about. */
export interface WorkerDiagnostic extends Omit<RawDiagnostic, "tool"> {
  tool?: string
  signature?: string
}

export type HostToWorker =
  /** Replace the catalog: parse its declarations (answered by "loaded" or "failed"). */
  | { t: "catalog"; version: number; tools: DeclaredTool[] }
  /** Check a program against catalog `version` (answered by "checked" or "failed"). */
  | { t: "check"; id: number; version: number; input: CheckInput }

export type WorkerToHost =
  | { t: "loaded"; version: number; ms: number }
  | { t: "checked"; id: number; diagnostics: WorkerDiagnostic[]; ms: number }
  | { t: "failed"; version?: number; id?: number; message: string }
