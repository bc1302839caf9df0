// @name    a Proxy as the global object's prototype watches every name the runtime looks up
// @family  proxy
// @ref     generic (unqualified lookups in injected code fall through to the global's prototype)
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
let out = null, busy = false;
const watch = (...xs) => {
  if (busy || out) return;
  busy = true;
  try { for (const x of xs) out = out || probe(x); } finally { busy = false; }
};
const original = Reflect.getPrototypeOf(globalThis);
const spy = new Proxy(original || {}, {
  get(t, k, r) { watch(r); return Reflect.get(t, k, r); },
  has(t, k) { watch(t); return Reflect.has(t, k); },
  set(t, k, v, r) { watch(v, r); return Reflect.set(t, k, v, r); },
  getOwnPropertyDescriptor(t, k) { return Reflect.getOwnPropertyDescriptor(t, k); },
});
try { Reflect.setPrototypeOf(globalThis, spy); } catch {}
try { watch(await codemode.demo.echo({ a: 1 })); } catch (e) { watch(e); }
console.log("looked up", { y: [1] }, new Error("logged"));
try { undefinedName; } catch (e) { watch(e); }
try { await codemode.demo.echo(() => 1); } catch (e) { watch(e); }
try { await codemode.demo.missing({}); } catch (e) { watch(e); }
try { Reflect.setPrototypeOf(globalThis, original); } catch {}
return out || "blocked";
