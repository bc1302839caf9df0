// @name    arguments are copied when the call is made, as plain JSON data, and no two results share objects
// @family  boundary
// @ref     design rule (copy in, copy out); SharedArrayBuffer must never be shared with the host
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
const shared = new Int32Array(new SharedArrayBuffer(8));
const sent = { when: new Date(0), map: new Map([["k", 1]]), nan: NaN, inf: -Infinity, negZero: -0, holes: [1, , 3],
  undef: undefined, typed: new Uint8Array([7]), shared, buffer: shared.buffer };
const pending = codemode.demo.echo(sent);
shared[0] = 42;
sent.nan = "changed after the call";
sent.holes.push(4);
const got = await pending;
const expected = '{"when":"1970-01-01T00:00:00.000Z","map":{},"nan":null,"inf":null,"negZero":0,"holes":[1,null,3],"typed":{"0":7},"shared":{"0":0,"1":0},"buffer":{}}';
if (JSON.stringify(got) !== expected) problems.push("not a JSON copy made at call time: " + JSON.stringify(got));
const walk = (v, path) => {
  if (v === null || typeof v !== "object") return;
  const proto = Reflect.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== Array.prototype) problems.push(path + " is not a plain sandbox object");
  for (const k of Object.keys(v)) walk(v[k], path + "." + k);
};
walk(got, "result");
const again = await codemode.demo.echo({ holes: [1, 2, 3] });
const third = await codemode.demo.echo({ holes: [1, 2, 3] });
if (again === third || again.holes === third.holes) problems.push("two results share objects");
again.holes.push(4);
if (third.holes.length !== 3) problems.push("changing one result changed another");
return problems.length ? problems.join("; ") : "clean";
