/**
 * Worker side: QuickJS WASM modules with a hard memory cap, shared by many runs.
 *
 * quickjs-emscripten 0.32's `setMemoryLimit` does not cap (the build lacks malloc_usable_size), but
 * a `WebAssembly.Memory` with a `maximum` does: the module cannot grow past it. A module costs a few
 * ms to create, so one module hosts many fresh runtimes (one per run). Per-run usage is sampled with
 * `computeMemoryUsage` only when the module's heap grows (see sandbox-run.ts); the cap is the
 * backstop. A module that hit a limit, failed, or grew large is retired: no new runs, dropped when
 * its last run ends, so its memory goes back to the system. Every path where an allocation fails
 * (a run's limit, the cap) retires the module: QuickJS can leak objects after out-of-memory, so such
 * a module must be dropped whole rather than have its runtimes freed one by one (see prepared.ts).
 */
import { createRequire } from "node:module"
import { readFileSync } from "node:fs"
import type { QuickJSWASMModule } from "quickjs-emscripten"

/** The two WebAssembly classes used here (lib ES2023 has no WebAssembly typings). */
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory
  Module: new (bytes: Uint8Array) => object
}
const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

const PAGE = 65536
/** Pages the compiled module declares as its minimum memory (emscripten INITIAL_MEMORY = 16 MiB). */
const MIN_PAGES = 256

export interface CappedModule {
  readonly qjs: QuickJSWASMModule
  readonly memory: WasmMemory
  /** Maximum bytes of the module's linear memory. */
  readonly capBytes: number
  /** Heap size at the last growth check. */
  heapBytes: number
  /** Runs currently using the module. */
  live: number
  /** Takes no new runs; dropped when `live` reaches 0. */
  retired: boolean
  /**
   * The message of an emscripten abort (a failed QuickJS assertion) in this module, if one happened.
   * Such a module is retired at once; the message is kept here instead of being printed.
   */
  abortMessage?: string
  /**
   * Asked before the heap grows by `bytes` (synchronously, inside malloc: must not call into the
   * module). Returning false makes the allocation fail, which QuickJS reports as out of memory.
   */
  allowGrowth?: (bytes: number) => boolean
}

export interface ModulePoolOptions {
  /** Bytes above a run's memory limit the module may hold (other runs, fixed QuickJS data). */
  slackBytes: number
  /** Retire a module whose heap grew beyond this many bytes. */
  retireBytes: number
}

/** Modules of one worker thread, keyed by their cap. */
export interface ModulePool {
  acquire(memoryLimitBytes: number): Promise<CappedModule>
  release(m: CappedModule): void
  /** Records heap growth; returns true when the heap grew since the last check. */
  grew(m: CappedModule): boolean
  retire(m: CappedModule): void
}

export function capFor(memoryLimitBytes: number, slackBytes: number): number {
  const pages = Math.ceil((memoryLimitBytes + slackBytes) / PAGE)
  return Math.max(pages, MIN_PAGES) * PAGE
}

export function createModulePool(options: ModulePoolOptions): ModulePool {
  let compiled: Promise<{ wasm: object; load: typeof import("quickjs-emscripten") }> | undefined
  const current = new Map<number, Promise<CappedModule>>()
  const ready = new Map<number, CappedModule>()

  const compile = () =>
    (compiled ??= (async () => {
      const load = await import("quickjs-emscripten")
      const require = createRequire(createRequire(import.meta.url).resolve("quickjs-emscripten"))
      const bytes = readFileSync(require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm"))
      return { wasm: new WASM.Module(bytes), load }
    })())

  async function create(capBytes: number): Promise<CappedModule> {
    const { wasm, load } = await compile()
    const memory = new WASM.Memory({ initial: MIN_PAGES, maximum: capBytes / PAGE })
    let self: CappedModule | undefined
    // An emscripten abort (a failed assertion inside QuickJS) leaves the module unfit for new runs:
    // retire it and keep the message, rather than letting emscripten print it to the process's stderr.
    const onAbort = (what: unknown) => {
      if (!self) return
      self.abortMessage ??= String(what)
      pool.retire(self)
    }
    // Emscripten Module options the loader passes through (absent from its typings). Only emscripten
    // itself writes to printErr here (its abort messages), and those are kept in abortMessage.
    const emscriptenModule: object = { onAbort, printErr: () => {} }
    const variant = load.newVariant(load.RELEASE_SYNC, { wasmModule: wasm, wasmMemory: memory, emscriptenModule })
    const qjs = await load.newQuickJSWASMModuleFromVariant(variant)
    const m: CappedModule = { qjs, memory, capBytes, heapBytes: memory.buffer.byteLength, live: 0, retired: false }
    self = m
    // Emscripten grows the heap by calling memory.grow() from JS; a throw here makes malloc fail.
    const grow = memory.grow.bind(memory)
    Object.defineProperty(memory, "grow", {
      value: (pages: number) => {
        if (m.allowGrowth && !m.allowGrowth(pages * PAGE)) throw new RangeError("the run's memory limit is reached")
        try {
          return grow(pages)
        } catch (err) {
          // The module is at its cap: some run is about to see out-of-memory (see disposeSandbox).
          pool.retire(m)
          throw err
        }
      },
    })
    return m
  }

  const pool: ModulePool = {
    async acquire(memoryLimitBytes) {
      const cap = capFor(memoryLimitBytes, options.slackBytes)
      for (;;) {
        let pending = current.get(cap)
        if (!pending) {
          pending = create(cap)
          current.set(cap, pending)
          pending.then(
            (m) => void ready.set(cap, m),
            () => void current.delete(cap),
          )
        }
        const m = await pending
        if (m.retired) {
          if (current.get(cap) === pending) current.delete(cap)
          continue
        }
        m.live++
        return m
      }
    },
    release(m) {
      m.live--
      if (!m.retired && m.heapBytes > options.retireBytes) pool.retire(m)
    },
    grew(m) {
      const size = m.memory.buffer.byteLength
      if (size === m.heapBytes) return false
      m.heapBytes = size
      return true
    },
    retire(m) {
      m.retired = true
      // Forget it now so the next run gets a fresh module and the old one is freed with its last run.
      if (ready.get(m.capBytes) === m) {
        ready.delete(m.capBytes)
        current.delete(m.capBytes)
      }
    },
  }
  return pool
}
