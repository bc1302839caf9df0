// @name    setters planted on Object.prototype and Array.prototype never fire while results are built
// @family  prototype-pollution
// @ref     generic ([[Set]] instead of CreateDataProperty in a copy)
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
const fired = [];
const keys = ["a", "list", "value", "result", "ok", "error", "message", "0", "1", "length2"];
for (const k of keys) {
  for (const [name, proto] of [["Object", Object.prototype], ["Array", Array.prototype]]) {
    if (k === "length2" && name === "Array") continue;
    try {
      Object.defineProperty(proto, k, { configurable: true, get() { return undefined; }, set(v) { fired.push(name + "." + k); } });
    } catch {}
  }
}
const r = await codemode.demo.echo({ a: 1, list: [10, 11], value: { result: "r", ok: true }, message: "m" });
const problems = [];
if (fired.length) problems.push("setters fired: " + fired.join(", "));
if (!Object.prototype.hasOwnProperty.call(r, "a") || r.a !== 1) problems.push("a was not an own data property");
if (!Array.isArray(r.list) || !Object.prototype.hasOwnProperty.call(r.list, "0") || r.list[1] !== 11) problems.push("array items were not own data");
if (!Object.prototype.hasOwnProperty.call(r.value, "result")) problems.push("nested keys were not own data");
for (const k of keys) { delete Object.prototype[k]; delete Array.prototype[k]; }
return problems.length ? problems.join("; ") : "clean";
