/**
 * Worker side: collects a worker's garbage in full while it is idle. Under a steady stream of runs V8
 * lets a worker's old generation fill to two or three times what is live before collecting it, and
 * keeps the pages it grew into: in the soak benchmark (npm run bench -- soak) RSS grew 16–27 MiB
 * between runs 1,000 and 10,000 without this, ~10 MiB with it. So after every `everyRuns` runs, at
 * its next moment without a run, the worker asks V8 for a full collection: tens of ms of the idle
 * thread on a loaded 2-core VM (a run that arrives meanwhile waits for it, as for a warm-up chunk).
 *
 * Node has no GC call without `--expose-gc`, a process-wide V8 flag a library must not set for its
 * host; `vm.measureMemory` in its eager mode runs a full collection of this thread's heap.
 */
import vm from "node:vm"

export interface HeapTrimOptions {
  /** Runs between two collections (0: never). */
  everyRuns: number
  /** Whether the worker has no run in progress. */
  idle(): boolean
}

export interface HeapTrim {
  /** Call when a run ends: a collection follows (after the current event) if it is due and the worker is then idle. */
  runEnded(): void
}

export function createHeapTrim(options: HeapTrimOptions): HeapTrim {
  let runs = 0
  let disabled = options.everyRuns <= 0
  let scheduled = false
  let collecting = false
  const trim = () => {
    scheduled = false
    if (disabled || collecting || runs < options.everyRuns || !options.idle()) return
    runs = 0
    collecting = true
    fullCollection().then(
      () => {
        collecting = false
      },
      () => {
        // Not available in this Node: trimming is only an optimization, so stop trying.
        disabled = true
      },
    )
  }
  return {
    runEnded() {
      runs++
      if (scheduled || disabled || runs < options.everyRuns) return
      scheduled = true
      setImmediate(trim)
    },
  }
}

/**
 * A full collection of this thread's heap. Node flags `vm.measureMemory` as experimental and warns
 * once per thread on stderr; that warning is about this worker's internals, not the host's code, so
 * it is dropped (any other warning passes through).
 */
function fullCollection(): Promise<unknown> {
  const emit = process.emitWarning
  process.emitWarning = function emitWarning(warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message
    if (!text.startsWith("vm.measureMemory")) (emit as (...a: unknown[]) => void).call(process, warning, ...rest)
  } as typeof process.emitWarning
  try {
    return vm.measureMemory({ mode: "summary", execution: "eager" })
  } catch (err) {
    return Promise.reject(err)
  } finally {
    process.emitWarning = emit
  }
}
