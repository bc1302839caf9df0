/**
 * Where the CLI keeps its state (audit log, run store): `--state-dir`, else `$CODEMODE_STATE_DIR`,
 * else `.codemode` in the current directory.
 */
import { resolve } from "node:path"

/** The state directory when neither the flag nor the environment names one, relative to the cwd. */
export const DEFAULT_STATE_DIR = ".codemode"

/** The environment variable read before falling back to {@link DEFAULT_STATE_DIR}. */
export const STATE_DIR_ENV = "CODEMODE_STATE_DIR"

/**
 * The absolute state directory: `flag` when given, else `env.CODEMODE_STATE_DIR` when set and not
 * empty, else {@link DEFAULT_STATE_DIR}; relative paths are resolved against the current directory.
 */
export function resolveStateDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? (env[STATE_DIR_ENV] || DEFAULT_STATE_DIR))
}

/** The audit log's file name inside the state directory. */
export const AUDIT_FILE_NAME = "audit.jsonl"
