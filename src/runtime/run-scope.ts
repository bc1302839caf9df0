/**
 * The scope of one attempt of a run: tools with run-long effects (the state source's transaction)
 * join it through `ctx.run`, and the runtime ends it with the attempt — commit when the program
 * finished, rollback when it failed, paused or was stopped. Commits go participant by participant:
 * each one is atomic, several together are not (one database per run is). A durable run's commit
 * hands each participant a receipt to record with its effects (receipts.ts reads them on resume).
 */
import { codemodeError } from "../errors.js"
import type { CommitReceipt, RunParticipant, RunScope } from "../tools/tool.js"

export interface RunScopeHandle extends RunScope {
  /**
   * Commits every participant in join order; after a failure the rest are rolled back and it rejects.
   * `receipt` (durable runs): handed to every participant, listing those with effects (which record it).
   */
  commit(receipt?: Omit<CommitReceipt, "participants">): Promise<void>
  /** The keys of the participants whose commit went through (after a failed commit: those before it). */
  readonly committed: readonly string[]
  /** Drops every participant's effects. Idempotent, also after commit (then a no-op). */
  rollback(): void
}

/**
 * A scope inside `parent` (a procedure called by a run): participants are the parent's, so the
 * procedure's writes commit with the run that called it; `rollback` drops only what was done
 * through this scope (participants without savepoints keep theirs), `commit` leaves it to the parent.
 */
export function nestedScope(parent: RunScope): RunScopeHandle {
  const views = new Map<string, { participant: RunParticipant; rollback?(): void }>()
  return {
    runId: parent.runId,
    join<T extends RunParticipant>(key: string, create: () => T): T {
      let view = views.get(key)
      if (!view) {
        const participant = parent.join(key, create)
        views.set(key, (view = participant.savepoint?.() ?? { participant }))
      }
      return view.participant as T
    },
    committed: [],
    commit: async () => {},
    rollback: () => {
      for (const view of views.values()) view.rollback?.()
      views.clear()
    },
  }
}

export function createRunScope(runId: string): RunScopeHandle {
  const participants = new Map<string, RunParticipant>()
  const committed: string[] = []
  let ended = false
  const rollback = () => {
    ended = true
    const all = [...participants.values()]
    participants.clear()
    for (const participant of all) {
      try {
        participant.rollback()
      } catch {
        // must not throw; nothing left to do if it does
      }
    }
  }
  return {
    runId,
    join<T extends RunParticipant>(key: string, create: () => T): T {
      if (ended) throw codemodeError("ABORTED", "runtime", "the run has ended: its writes were committed or dropped already")
      let participant = participants.get(key)
      if (!participant) participants.set(key, (participant = create()))
      return participant as T
    },
    committed,
    async commit(receipt) {
      ended = true
      const writers = [...participants].filter(([, participant]) => participant.hasEffects?.() ?? true).map(([key]) => key)
      const full = receipt && { ...receipt, participants: writers }
      for (const [key, participant] of participants) {
        try {
          await participant.commit(full)
          participants.delete(key)
          if (writers.includes(key)) committed.push(key)
        } catch (error) {
          participants.delete(key)
          rollback()
          throw error
        }
      }
    },
    rollback,
  }
}
