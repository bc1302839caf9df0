/** A full GC of this process, when V8 lets us expose it: measurement hygiene for benchmarks and tests. */
import v8 from "node:v8"
import vm from "node:vm"

export function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString("--expose-gc")
    return vm.runInNewContext("gc") as () => void
  } catch {
    return undefined
  }
}
