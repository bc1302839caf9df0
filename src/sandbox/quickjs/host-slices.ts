/**
 * Host work for the sandbox's tool calls (parsing arguments, encoding results) in slices: once the
 * current turn of the event loop has spent {@link HOST_SLICE_MS} on it, the rest waits for the next
 * turn. A program that sends or receives large values in a Promise.all then costs the host's other
 * work (other runs, the MCP server's sockets) a few milliseconds at a time, never all at once; small
 * calls, the common case, run at once as before.
 */

/** Host time per event-loop turn for tool-call transfers before the rest is deferred. */
export const HOST_SLICE_MS = 4

export type HostSlicer = (job: () => void) => void

export function createHostSlicer(budgetMs = HOST_SLICE_MS): HostSlicer {
  const queue: Array<() => void> = []
  let spent = 0
  let turnScheduled = false

  const nextTurn = () => {
    turnScheduled = false
    spent = 0
    while (queue.length > 0 && spent < budgetMs) run(queue.shift() as () => void)
  }
  const scheduleTurn = () => {
    if (turnScheduled) return
    turnScheduled = true
    setImmediate(nextTurn)
  }
  function run(job: () => void): void {
    const started = performance.now()
    try {
      job()
    } finally {
      spent += performance.now() - started
      scheduleTurn() // starts the next turn's budget afresh, and runs what is left then
    }
  }

  return (job) => {
    if (queue.length === 0 && spent < budgetMs) run(job)
    else {
      queue.push(job)
      scheduleTurn()
    }
  }
}
