// @name    __proto__ and constructor keys nested in arrays, and copies without the __proto__ accessor
// @family  prototype-pollution
// @ref     generic (JSON __proto__ pollution in merges and copies)
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
const problems = [];
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const sent = JSON.parse('{"list":[{"__proto__":{"isAdmin":true}}],"constructor":{"prototype":{"isAdmin":true}},"nested":{"__proto__":null}}');
const r = await codemode.demo.echo(sent);
if (({}).isAdmin !== undefined || [].isAdmin !== undefined) problems.push("sandbox prototypes polluted");
const item = r.list[0];
if (Reflect.getPrototypeOf(item) !== Object.prototype) problems.push("a __proto__ key in an array item became its prototype");
if (!own(item, "__proto__") || item.isAdmin !== undefined) problems.push("the array item lost its own __proto__ key or inherits from it");
if (Reflect.getPrototypeOf(r.nested) !== Object.prototype || !own(r.nested, "__proto__")) problems.push("a null __proto__ key changed the prototype");
if (!own(r, "constructor") || typeof r.constructor !== "object") problems.push("the constructor key was not kept as data");
const accessor = Object.getOwnPropertyDescriptor(Object.prototype, "__proto__");
delete Object.prototype.__proto__;
let r2;
try { r2 = await codemode.demo.echo({ k: [1, { __proto__x: 2 }] }); } finally { Object.defineProperty(Object.prototype, "__proto__", accessor); }
if (Reflect.getPrototypeOf(r2) !== Object.prototype || !Array.isArray(r2.k) || r2.k[1].__proto__x !== 2) problems.push("copies changed without the __proto__ accessor");
return problems.length ? problems.join("; ") : "clean";
