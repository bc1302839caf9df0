/**
 * An eval task: a prompt with a checkable answer over one environment, and the shortest correct
 * play of each arm for the scripted model (code mode: a program; classic: the tool calls turn by
 * turn, each turn's arguments computed from the results so far, then the answer from them).
 */
import type { CodeMode } from "../../runtime/codemode.js"
import type { GithubStub } from "./github-stub.js"

export type EnvName = "demo" | "memory" | "filesystem" | "everything" | "github"
export type ArmName = "codemode" | "classic"
export const ARMS: readonly ArmName[] = ["codemode", "classic"]

/** What a task runs against. */
export interface EvalEnv {
  cm: CodeMode
  /** filesystem: the folder the server serves and runs in (prompts use paths relative to it). */
  dir?: string
  /** github: the stub answering the spec's calls. */
  github?: GithubStub
}

/** The results of the classic arm's calls so far: one array per turn, each call's result parsed from JSON when it is JSON. */
export type Results = unknown[][]

/** One tool call of the classic play: `tool` is "namespace.name". */
export interface PlannedCall {
  tool: string
  args: unknown
}

export interface EvalTask {
  id: string
  env: EnvName
  prompt: string
  /** A program run before the task (not measured) to seed the environment. */
  setup?: string
  /** Each must appear in the final answer (case-insensitive). */
  answer: string[]
  /** Checks what the task had to change in the environment. */
  verify?: (env: EvalEnv) => Promise<boolean>
  /** Code mode: `search` queries (when the catalog is searched), then one program returning the answer. */
  codemode: { search?: string[]; program: string }
  /** Classic tool calling: the calls of each turn, then the answer. */
  classic: { turns: Array<(results: Results) => PlannedCall[]>; answer: (results: Results) => string }
}

/** Identity helper for typing a list of tasks. */
export const defineTasks = (tasks: EvalTask[]): EvalTask[] => tasks
