// @name    constructors of every kind of intrinsic value
// @family  constructor-chain
// @ref     generic (each intrinsic's constructor leads to the same realm's Function)
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
const values = [
  () => 1, async () => 1, function* () {}, async function* () {}, class {}, function () {}.bind(null),
  ({ m() {} }).m, Object.getOwnPropertyDescriptor({ get g() { return 1; } }, "g").get,
  Symbol("s"), 1n, 0.5, "s", false, /r/g, new Date(0), new Map(), new Set(), new WeakMap(), new WeakRef({}),
  new ArrayBuffer(8), new Uint8Array(2), new Float64Array(1), new DataView(new ArrayBuffer(2)),
  [][Symbol.iterator](), new Map().entries(), "ab"[Symbol.iterator](), /a/g[Symbol.matchAll]("aa"),
  (function* () {})(), (async function* () {})(), Promise.resolve(1), new Proxy({}, {}), new Proxy(function () {}, {}),
  Math, JSON, Reflect, typeof Atomics === "object" ? Atomics : null, typeof Iterator === "function" ? Iterator.prototype : null, new Error("e"),
  new AggregateError([], "a"), Object.create(null), arguments,
];
for (const v of values) {
  if (out) break;
  out = probe(v);
  try { out = out || probe(Reflect.getPrototypeOf(v)); } catch {}
}
return out || "blocked";
