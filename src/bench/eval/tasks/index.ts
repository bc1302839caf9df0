/** Every eval task, by environment. */
import type { EvalTask } from "../task.js"
import { DEMO_TASKS } from "./demo.js"
import { EVERYTHING_TASKS } from "./everything.js"
import { FILESYSTEM_TASKS } from "./filesystem.js"
import { GITHUB_TASKS } from "./github.js"
import { MEMORY_TASKS } from "./memory.js"

export const EVAL_TASKS: EvalTask[] = [...DEMO_TASKS, ...MEMORY_TASKS, ...FILESYSTEM_TASKS, ...EVERYTHING_TASKS, ...GITHUB_TASKS]
