// @name    error messages and stacks from engine, parser, boundary and tool errors name nothing of the host
// @family  information-leak
// @ref     generic (stack traces and messages that reveal paths, modules or the engine's host)
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
// File references other than the code's own (code.js) and the sandbox's prelude (codemode-prelude.js, sandbox-side).
const hostish = /file:|node:[a-z]|internal\/|node_modules|worker_threads|quickjs|emscripten|\.wasm|(?<!code|codemode-prelude)\.[cm]?[jt]s:\d|\/(home|root|work|usr|opt|tmp|var|srv|Users)\/|[A-Za-z]:\\/;
const texts = [];
const collect = (e) => {
  try { texts.push(String(e)); } catch {}
  try { texts.push(String(e && e.stack), String(e && e.message)); } catch {}
  try { for (const k of Reflect.ownKeys(Object(e))) texts.push(String(k) + "=" + String(e[k])); } catch {}
  try { if (e && e.errors) for (const inner of e.errors) collect(inner); } catch {}
};
const attempts = [
  () => JSON.parse("{bad json"),
  () => eval("let let = 1"),
  () => new Function("return ]")(),
  () => decodeURIComponent("%"),
  () => new Array(-1),
  () => Symbol() + "",
  () => null.x,
  () => undefinedName,
  () => (function r() { return r(); })(),
  () => codemode.demo.echo({ f() {} }),
  () => codemode.demo.echo("x".repeat(1100000)),
  () => codemode.demo.nothing(),
  () => codemode.nothing.echo(),
  () => Promise.any([Promise.reject(new Error("a")), codemode.demo.echo(Symbol.iterator)]),
  () => new Proxy({}, { get() { throw new Error("trap"); } }).x,
  async () => { await codemode.demo.echo({}); throw new RangeError("after await"); },
];
for (const attempt of attempts) {
  try { await attempt(); } catch (e) { collect(e); }
}
texts.push(String(new Error("here").stack));
const leak = texts.find((t) => hostish.test(t));
return leak === undefined ? "clean" : "host detail in an error: " + leak.slice(0, 300);
