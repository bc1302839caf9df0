// @name    revoked proxies, proxies that break invariants, and callable proxies as arguments
// @family  proxy
// @ref     generic (proxy invariants inside a bridge's copy)
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
const { proxy: revoked, revoke } = Proxy.revocable({ a: 1 }, {});
revoke();
const duplicateKeys = new Proxy({}, {
  ownKeys() { return ["a", "a", "b"]; },
  getOwnPropertyDescriptor(t, k) { return { value: k, enumerable: true, configurable: true }; },
});
let turn = 0;
const shifting = new Proxy({}, {
  ownKeys() { turn++; return ["k" + turn]; },
  getOwnPropertyDescriptor(t, k) { return { value: k, enumerable: true, configurable: true, writable: true }; },
  get(t, k) { return typeof k === "string" ? { again: shifting } : undefined; },
});
const callable = new Proxy(function () {}, {
  apply(t, thiz, args) { out = out || probe(thiz) || probe(args); return 1; },
  construct(t, args, nt) { out = out || probe(args) || probe(nt); return {}; },
});
for (const arg of [revoked, duplicateKeys, shifting, callable, { nested: revoked }, [duplicateKeys], { toJSON: callable }]) {
  try { out = out || probe(await codemode.demo.echo(arg)); } catch (e) { out = out || probe(e); }
}
try { console.log(revoked, duplicateKeys, shifting, callable); } catch (e) { out = out || probe(e); }
try { out = out || probe(await codemode.demo.echo.call(callable, { x: 1 })); } catch (e) { out = out || probe(e); }
return out || "blocked";
