// @name    nothing an earlier run left behind is visible: globals, prototypes, built-ins, the binding
// @family  cross-run
// @ref     generic (contexts or isolates reused between tenants)
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
if (typeof globalThis.__codemodeLeftover !== "undefined" || typeof globalThis.__codemodeLater !== "undefined") problems.push("a global survived");
if (({}).__codemodeLeftover !== undefined || [].__codemodeLeftover !== undefined) problems.push("a prototype property survived");
if (JSON.parse("[1]")[0] !== 1) problems.push("JSON.parse was replaced");
const r = await codemode.demo.echo({ fresh: true });
if (!r || r.fresh !== true) problems.push("the codemode binding was replaced");
if (typeof Promise.prototype.then !== "function" || String(Promise.prototype.then).indexOf("poisoned") >= 0) problems.push("Promise.prototype.then was replaced");
return problems.length ? problems.join("; ") : "clean";
