/**
 * The prelude that runs INSIDE each fresh sandbox before the model's code, in two parts. The core
 * (prelude-core.ts, minified into prelude-core.generated.ts at build time) is compiled in every
 * sandbox: it installs `codemode.<ns>.<tool>` and `console` and returns its API to the worker by name.
 * The library below (formatter, error describer, result cutter; readable) is compiled only when a
 * run first logs an object, fails, or returns a result too large to copy whole.
 */
import { BOUNDARY_MESSAGE } from "./boundary.js"
import { CUT_SOURCE } from "./cut-source.js"
import { INSPECT_SOURCE } from "./inspect-source.js"

export { PRELUDE_CORE } from "./prelude-core.generated.js"

/** File name the prelude is compiled under (shows in stack traces of errors it creates). */
export const PRELUDE_FILE = "codemode-prelude.js"

/**
 * The lazily compiled part: `Function("S","Pa","A","X","Y","E","T", LIB_SOURCE)` returns
 * `{ inspect, formatLog, describe, why, cut }`.
 */
export const LIB_SOURCE = (
  INSPECT_SOURCE +
  String.raw`
const plain = "BOUNDARY";
` +
  CUT_SOURCE +
  String.raw`
function describe(e) {
  let name = "Error", message = "", stack = "";
  try {
    if (e instanceof E) {
      name = String(e.name);
      message = String(e.message);
      const st = e.stack;
      stack = typeof st === "string" ? st : "";
    } else if (typeof e === "string") {
      name = "Uncaught";
      message = e;
    } else {
      name = "Uncaught";
      message = inspectLib.inspect(e, { depth: 2, budget: 2000 });
    }
  } catch (x) {
    message = "a thrown value could not be described";
  }
  if (message.length > 4000) message = A(Y, message, [0, 4000]) + "... (" + (message.length - 4000) + " more characters)";
  if (name.length > 200) name = A(Y, name, [0, 200]);
  if (stack.length > 4000) stack = A(Y, stack, [0, 4000]);
  return S({ name: name, message: message, stack: stack });
}
function why(e, what) {
  let m = "";
  try { m = e instanceof E ? String(e.message) : ""; } catch (x) { m = ""; }
  if (A(X, m, ["circular"]) >= 0) return new T(what + " contains a cycle (an object that refers to itself); " + plain);
  if (A(X, m, ["stack overflow"]) >= 0 || A(X, m, ["call stack"]) >= 0) return new T(what + " is nested too deeply to copy");
  return e;
}
return { inspect: inspectLib.inspect, formatLog: inspectLib.formatLog, describe: describe, why: why, cut: cutLib };`
).replace("BOUNDARY", BOUNDARY_MESSAGE)
