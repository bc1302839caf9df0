/**
 * Spin-then-park for the host⇄worker channel. On a VM whose idle CPUs halt, waking a sleeping
 * thread is slow for both sides — the woken thread sees the message late and the sender's own
 * `postMessage` stalls, each for longer than a tool call's whole work (figures in
 * docs/sandbox.md#measurements-behind-the-design). A side
 * that expects an answer soon polls its port for a short, bounded time before it goes back to its
 * event loop, so a quick answer finds it awake and costs neither.
 *
 * A gate decides whether a wait spins. Spins that go unanswered in a row make the next waits skip
 * spinning (exponential back-off), so slow tools and long computations cost at most one budget now
 * and then; an answer seen while spinning, within the budget, ends the back-off.
 */

/** Longest back-off, in skipped waits. */
const MAX_SKIP = 64

export class SpinGate {
  private skip = 0
  private misses = 0
  private sentAt: number | undefined

  /** @param budgetMs how long one wait may spin; 0 turns spinning off. */
  constructor(readonly budgetMs: number) {}

  /** Something that expects an answer was just sent at `now`: true if this wait should spin. */
  sent(now: number): boolean {
    this.sentAt = now
    if (this.budgetMs <= 0) return false
    if (this.skip > 0) {
      this.skip--
      return false
    }
    return true
  }

  /**
   * The answer arrived at `now`; `spinning` tells whether this thread was polling for it. Only a
   * quick answer seen while spinning ends the back-off: one that comes quickly while this thread
   * sleeps is no reason to spin again (when both threads share a core, the other side runs only
   * once this one sleeps, so a quick answer then and a missed spin next alternate).
   */
  answered(now: number, spinning: boolean): void {
    if (spinning && this.sentAt !== undefined && now - this.sentAt <= this.budgetMs) this.misses = this.skip = 0
    this.sentAt = undefined
  }

  /**
   * A spin ran out. One miss among hits is a slow step (a GC, a longer computation): keep
   * spinning. From the second in a row on, skip the next 1, 3, 7, … waits.
   */
  missed(): void {
    this.misses = Math.min(this.misses + 1, 7)
    this.skip = Math.min(MAX_SKIP, 2 ** (this.misses - 1) - 1)
  }
}

/**
 * Bounds how long a thread keeps spinning and handling messages without a turn of its event loop
 * (timers, I/O, other events): at most `maxMs` in a row, then it parks once.
 */
export class TurnBudget {
  private since: number | undefined

  /**
   * @param maxMs the longest stretch
   * @param afterPark when a new stretch starts: at the next turn of the event loop ("turn"), or
   *   already after parking once ("park"). A worker needs "park": it handles every message of a
   *   burst inside one drain of its port, so its event loop may not turn for a long time, and
   *   with "turn" it parked before many waits once the budget ran out, each costing a wake-up on
   *   both sides (docs/sandbox.md#measurements-behind-the-design).
   */
  constructor(
    private readonly maxMs: number,
    private readonly afterPark: "turn" | "park" = "turn",
  ) {}

  /** True while this stretch without an event-loop turn is still within the budget. */
  allows(now: number): boolean {
    if (this.since === undefined) {
      this.since = now
      // Runs only once the thread is back in its event loop: a new stretch starts then.
      setImmediate(() => (this.since = undefined))
      return true
    }
    if (now - this.since < this.maxMs) return true
    if (this.afterPark === "park") this.since = undefined
    return false
  }
}
