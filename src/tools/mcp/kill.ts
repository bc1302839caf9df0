/**
 * Killing a stdio server together with its descendants: configs usually start servers through a
 * wrapper (`npx`, `uvx`, `sh -c`), and SIGKILL on the wrapper alone would orphan a hung server.
 */
import { execFile } from "node:child_process"

/** SIGKILLs `pid` and every process below it. The tree is read first, since killing reparents children. */
export async function killTree(pid: number): Promise<void> {
  const pids = [pid, ...(await descendants(pid))]
  for (const p of pids) {
    try {
      process.kill(p, "SIGKILL")
    } catch {
      // already gone
    }
  }
}

/** Descendants of `root` from `ps` (POSIX: Linux, macOS); none where `ps` is unavailable (Windows). */
async function descendants(root: number): Promise<number[]> {
  if (process.platform === "win32") return []
  const table = await new Promise<string>((resolve) => {
    execFile("ps", ["-A", "-o", "pid=,ppid="], { timeout: 2_000 }, (error, stdout) => resolve(error ? "" : stdout))
  })
  const children = new Map<number, number[]>()
  for (const line of table.split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number)
    if (pid === undefined || ppid === undefined || !Number.isInteger(pid) || !Number.isInteger(ppid)) continue
    children.set(ppid, [...(children.get(ppid) ?? []), pid])
  }
  const tree = [root] // breadth-first: tree[i]'s children are appended as we go
  for (let i = 0; i < tree.length; i++) {
    for (const child of children.get(tree[i] ?? -1) ?? []) if (!tree.includes(child)) tree.push(child)
  }
  return tree.slice(1)
}
