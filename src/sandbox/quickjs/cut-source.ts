/**
 * Source of the result cutter that runs INSIDE the sandbox, for a result whose JSON is larger than
 * `limits.maxResultBytes`: it copies the value as JSON.stringify would see it (toJSON, own enumerable
 * keys, boxed primitives) but keeps only the first entries of long arrays and objects, the start of
 * long strings and a summary of deep nesting — with the same markers as the host's shapeValue
 * ("… N more items", "…": "N more keys", "… (+N chars)") — halving its budgets until the JSON fits.
 * Each attempt stops as soon as its output passes the limit, so one costs O(limit) at most; all of it
 * runs under the run's time and memory limits. Values that cannot cross (functions, symbols, bigints,
 * cycles) are refused as the full encoding refuses them.
 *
 * `cut(value, max)` returns "\x01" + JSON of [[path, what], …] (at most 20) + "\x01" + the JSON.
 * Written as plain ES2020 in a raw string: no template literals or `${` inside.
 */
export const CUT_SOURCE = String.raw`
const cutLib = (function () {
  const keysOf = Object.keys, isArray = Array.isArray, sliceStr = String.prototype.slice, reTest = RegExp.prototype.test;
  const isIdent = /^[A-Za-z_$][A-Za-z0-9_$]*$/, MAX_PATHS = 20, MAX_PATH = 200;
  const OVER = {};
  function bad(t, k) {
    return new T("the result contains a " + t + (k === "" ? "" : " (at key " + S(k + "") + ")") + "; " + plain);
  }
  function child(path, k, index) {
    if (index) return path + "[*]";
    return A(reTest, isIdent, [k]) ? path + "." + k : path + "[" + S(k) + "]";
  }
  function attempt(value, b, max) {
    const cuts = [], noted = {}, stack = [];
    let used = 0;
    const note = function (path, what, first) {
      if (noted[path] !== undefined && first) return;
      if (noted[path] === undefined) {
        if (cuts.length >= MAX_PATHS) return;
        noted[path] = cuts.length;
        cuts[cuts.length] = [path.length > MAX_PATH ? A(sliceStr, path, [0, MAX_PATH]) + "…" : path, what];
      } else {
        cuts[noted[path]][1] = what;
      }
    };
    const spend = function (n) {
      used += n;
      if (used > max) throw OVER;
    };
    const walk = function (x, k, path, depth) {
      if (x !== null && typeof x === "object" && typeof x.toJSON === "function") x = x.toJSON(k);
      if (x instanceof Number) x = +x;
      else if (x instanceof String) x = "" + x;
      else if (x instanceof Boolean) x = x.valueOf();
      const t = typeof x;
      if (t === "function" || t === "symbol" || t === "bigint") throw bad(t, k);
      if (t === "undefined") return x;
      if (t === "string") {
        if (x.length <= b.chars) { spend(x.length + 2); return x; }
        note(path, "strings cut to " + b.chars + " chars", true);
        spend(b.chars + 20);
        return A(sliceStr, x, [0, b.chars]) + "… (+" + (x.length - b.chars) + " chars)";
      }
      if (x === null || t !== "object") { spend(8); return x; }
      for (let i = 0; i < stack.length; i++) if (stack[i] === x) throw new T("the result contains a cycle (an object that refers to itself); " + plain);
      const arr = isArray(x);
      const names = arr ? null : keysOf(x);
      const n = arr ? x.length : names.length;
      if (depth >= b.depth) {
        note(path, "nested too deep, not shown", false);
        spend(24);
        return arr ? "[… " + n + " items]" : "{… " + n + " keys}";
      }
      stack[stack.length] = x;
      let out;
      if (arr) {
        const shown = n > b.items ? b.items : n;
        out = [];
        spend(2);
        for (let i = 0; i < shown; i++) { out[i] = walk(x[i], "" + i, child(path, "", true), depth + 1); spend(1); }
        if (n > shown) {
          note(path, "first " + shown + " of " + n + " items", true);
          out[shown] = "… " + (n - shown) + " more items";
          spend(24);
        }
      } else {
        const shown = n > b.keys ? b.keys : n;
        out = {};
        spend(2);
        for (let i = 0; i < shown; i++) {
          const key = names[i];
          const v = walk(x[key], key, child(path, key, false), depth + 1);
          if (v !== undefined) { out[key] = v; spend(key.length + 4); }
        }
        if (n > shown) {
          note(path, "first " + shown + " of " + n + " keys", true);
          out["…"] = (n - shown) + " more keys";
          spend(24);
        }
      }
      stack.length = stack.length - 1;
      return out;
    };
    const copy = walk(value, "", "$", 0);
    const json = S(copy);
    return json !== undefined && json.length <= max ? [cuts, json] : null;
  }
  function shrink(b) {
    const next = {
      items: b.items > 2 ? (b.items / 2) | 0 : 1,
      keys: b.keys > 8 ? (b.keys / 2) | 0 : 4,
      chars: b.chars > 80 ? (b.chars / 2) | 0 : 40,
      depth: b.items <= 2 ? (b.depth > 3 ? b.depth - 2 : 1) : b.depth,
    };
    return next.items === b.items && next.keys === b.keys && next.chars === b.chars && next.depth === b.depth ? null : next;
  }
  return function cut(value, max) {
    let b = { items: 10000, keys: 2000, chars: 100000, depth: 64 };
    while (b) {
      let r = null;
      try { r = attempt(value, b, max); } catch (e) { if (e !== OVER) throw e; }
      if (r) return "\x01" + S(r[0]) + "\x01" + r[1];
      b = shrink(b);
    }
    const kind = isArray(value) ? "an array of " + value.length + " items" : value !== null && typeof value === "object" ? "an object with " + keysOf(value).length + " keys" : "a " + typeof value;
    return "\x01" + S([["$", kind]]) + "\x01" + S({ "…": "result too large to show: " + kind });
  };
})();
`
