// @name    no worker, engine or network handles: postMessage, parentPort, std/os, gc, print, WebAssembly, import()
// @family  ambient-authority
// @ref     generic (worker globals and engine shell functions left in a context)
// @expect  clean
// ---- prelude (the same in every escape payload of this corpus): what to do with the host once reached ----
const MARKER = "/tmp/codemode-escape-marker";
// pwn(p): p is the host's `process`. Take the canary and leave the marker file; the canary in the
// outcome (or the marker on disk) is what the runner reports as an escape.
function pwn(p) {
  let canary = "?";
  try { canary = String(p.env.CODEMODE_CANARY); } catch {}
  try {
    const fs = typeof p.getBuiltinModule === "function" ? p.getBuiltinModule("node:fs") : p.mainModule.require("node:fs");
    fs.writeFileSync(MARKER, "escaped " + canary);
  } catch {}
  return "ESCAPED " + canary;
}
// hostProcess(v): v when it looks like a host process object.
function hostProcess(v) {
  try { if (v !== null && typeof v === "object" && typeof v.pid === "number" && v.env) return v; } catch {}
  return null;
}
// viaCtor(F): F used as the Function constructor of another realm, asked for that realm's process.
function viaCtor(F) {
  if (typeof F !== "function") return null;
  const bodies = ["return process", "return globalThis.process", "return this && this.process",
    "return typeof require === 'function' ? require('node:process') : null"];
  for (const body of bodies) {
    try { const p = hostProcess(F(body)()); if (p) return pwn(p); } catch {}
  }
  return null;
}
// probe(x): x itself, then the constructors one and two steps up from x and from its prototype.
function probe(x) {
  if (x === null || x === undefined) return null;
  const direct = hostProcess(x);
  if (direct) return pwn(direct);
  const fns = [];
  const take = (f) => { if (typeof f === "function" && fns.indexOf(f) < 0) fns.push(f); };
  try { take(x.constructor); take(x.constructor && x.constructor.constructor); } catch {}
  try {
    const proto = Reflect.getPrototypeOf(Object(x));
    take(proto && proto.constructor);
    take(proto && proto.constructor && proto.constructor.constructor);
  } catch {}
  for (const f of fns) { const r = viaCtor(f); if (r) return r; }
  return null;
}
// ---- payload ----
const found = [];
const names = ["postMessage", "onmessage", "parentPort", "workerData", "self", "close", "MessageChannel", "MessagePort",
  "BroadcastChannel", "Worker", "importScripts", "std", "os", "bjson", "gc", "print", "load", "read", "readline", "quit",
  "scriptArgs", "WebAssembly", "fetch", "XMLHttpRequest", "WebSocket", "EventSource", "process", "require", "module",
  "global", "__filename", "__dirname", "Buffer", "Deno", "Bun", "setTimeout", "setInterval", "setImmediate"];
for (const n of names) {
  try { if (typeof globalThis[n] !== "undefined" || n in globalThis) found.push(n); } catch {}
}
for (const spec of ["data:text/javascript,export default 1", "./index.js", "node:worker_threads", "file:///etc/passwd", "qjs:std", "std"]) {
  try { await import(spec); found.push("import(" + spec + ")"); } catch {}
}
try { Function("return import.meta")(); found.push("import.meta"); } catch {}
return found.length ? "reachable: " + found.join(", ") : "clean";
