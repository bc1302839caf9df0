/**
 * Source of the `util.inspect`-like formatter that runs INSIDE the sandbox (it formats sandbox values,
 * so it must live where they live). It never calls getters (shows `[Getter]`), marks cycles, caps
 * depth (2), array/map/set entries (100), string length (10,000) and total output (`budget` chars).
 * Written as plain ES2020 in a raw string: no template literals or `${` inside.
 */
export const INSPECT_SOURCE = String.raw`
const inspectLib = (function () {
  const O = Object, R = Reflect, S = String;
  const apply = R.apply, ownKeys = R.ownKeys, getProto = O.getPrototypeOf, getDesc = O.getOwnPropertyDescriptor;
  const isArray = Array.isArray, join = Array.prototype.join, sliceStr = S.prototype.slice;
  const replaceStr = S.prototype.replace, symToString = Symbol.prototype.toString, fnToString = Function.prototype.toString;
  const dateISO = Date.prototype.toISOString, dateTime = Date.prototype.getTime, reToString = RegExp.prototype.toString;
  const reSource = getDesc(RegExp.prototype, "source").get;
  const mapEntries = Map.prototype.entries, setValues = Set.prototype.values, mapSize = getDesc(Map.prototype, "size").get;
  const setSize = getDesc(Set.prototype, "size").get, iterNext = getProto([][Symbol.iterator]()).next;
  const mapIterNext = getProto(new Map().entries()).next, setIterNext = getProto(new Set().values()).next;
  const TypedArray = getProto(Uint8Array), taLength = getDesc(TypedArray.prototype, "length").get;
  const abLength = getDesc(ArrayBuffer.prototype, "byteLength").get, taName = getDesc(TypedArray.prototype, Symbol.toStringTag).get;
  const isIdent = /^[A-Za-z_$][A-Za-z0-9_$]*$/, reTest = RegExp.prototype.test;
  const MAX_ITEMS = 100, MAX_STRING = 10000, MAX_KEYS = 1000, BREAK = 72;
  void iterNext;

  function quote(s) {
    let q = apply(replaceStr, s, [/[\\'\n\r\t\u0000-\u001f]/g, function (c) {
      if (c === "'") return "\\'";
      if (c === "\\") return "\\\\";
      if (c === "\n") return "\\n";
      if (c === "\r") return "\\r";
      if (c === "\t") return "\\t";
      return "\\x" + (c.charCodeAt(0) < 16 ? "0" : "") + c.charCodeAt(0).toString(16);
    }]);
    return "'" + q + "'";
  }
  function str(s) {
    if (s.length > MAX_STRING) return quote(apply(sliceStr, s, [0, MAX_STRING])) + "... " + (s.length - MAX_STRING) + " more characters";
    return quote(s);
  }
  function key(k) {
    if (typeof k === "symbol") return "[" + apply(symToString, k, []) + "]";
    return apply(reTest, isIdent, [k]) ? k : quote(k);
  }
  function ctorName(o) {
    try {
      let p = getProto(o);
      while (p !== null) {
        const d = getDesc(p, "constructor");
        if (d && typeof d.value === "function" && typeof d.value.name === "string" && d.value.name !== "") return d.value.name;
        p = getProto(p);
      }
    } catch (e) { return "Object"; }
    return null;
  }
  function fnTag(f) {
    let src = "";
    try { src = apply(fnToString, f, []); } catch (e) { src = ""; }
    let name = "";
    try { const d = getDesc(f, "name"); name = d && typeof d.value === "string" ? d.value : ""; } catch (e) { name = ""; }
    if (apply(sliceStr, src, [0, 6]) === "class ") return "[class " + (name || "(anonymous)") + "]";
    let kind = "Function";
    if (apply(sliceStr, src, [0, 6]) === "async ") kind = "AsyncFunction";
    return "[" + kind + (name ? ": " + name : " (anonymous)") + "]";
  }
  function wrap(prefix, open, items, close, indent) {
    if (items.length === 0) return prefix + open + close;
    const flat = prefix + open + " " + apply(join, items, [", "]) + " " + close;
    let multiline = flat.length > BREAK;
    for (let i = 0; !multiline && i < items.length; i++) if (items[i].indexOf("\n") >= 0) multiline = true;
    if (!multiline) return flat;
    const pad = "\n" + indent + "  ";
    return prefix + open + pad + apply(join, items, ["," + pad]) + "\n" + indent + close;
  }
  function inspect(value, opts) {
    const seen = [];
    const st = { budget: opts.budget };
    function fmt(v, depth, indent) {
      if (st.budget <= 0) return "...";
      let out = fmtInner(v, depth, indent);
      st.budget -= out.length;
      return out;
    }
    function fmtInner(v, depth, indent) {
      switch (typeof v) {
        case "string": return str(v);
        case "number": return v === 0 && 1 / v < 0 ? "-0" : S(v);
        case "bigint": return S(v) + "n";
        case "boolean": return v ? "true" : "false";
        case "undefined": return "undefined";
        case "symbol": return apply(symToString, v, []);
        case "function": {
          const tag = fnTag(v);
          return tag;
        }
      }
      if (v === null) return "null";
      for (let i = 0; i < seen.length; i++) if (seen[i] === v) return "[Circular]";
      if (v instanceof Error) return fmtError(v, indent);
      try { return fmtDate(v); } catch (e) { void e; }
      let isRegExp = false;
      try { apply(reSource, v, []); isRegExp = true; } catch (e) { void e; }
      return isRegExp ? apply(reToString, v, []) : fmtObject(v, depth, indent);
    }
    function fmtDate(v) {
      const t = apply(dateTime, v, []);
      return t !== t ? "Invalid Date" : apply(dateISO, v, []);
    }
    function fmtError(e, indent) {
      let name = "Error", message = "", stack = "";
      try { const d = getDesc(e, "name") || getDesc(getProto(e) || {}, "name"); if (d && typeof d.value === "string") name = d.value; } catch (x) { void x; }
      try { const d = getDesc(e, "message"); if (d && typeof d.value === "string") message = d.value; } catch (x) { void x; }
      try { const d = getDesc(e, "stack"); if (d && typeof d.value === "string") stack = d.value; } catch (x) { void x; }
      let out = message ? name + ": " + message : name;
      if (out.length > MAX_STRING) out = apply(sliceStr, out, [0, MAX_STRING]) + "...";
      if (stack) out += "\n" + apply(replaceStr, apply(sliceStr, stack, [0, 4000]), [/\n$/, ""]);
      return indent ? "[" + out + "]" : out;
    }
    function entriesOf(iterator, next, isMap, depth, indent) {
      const items = [];
      let n = 0, more = 0;
      for (;;) {
        const r = apply(next, iterator, []);
        if (r.done) break;
        if (n >= MAX_ITEMS) { more++; continue; }
        n++;
        items[items.length] = isMap
          ? fmt(r.value[0], depth + 1, indent + "  ") + " => " + fmt(r.value[1], depth + 1, indent + "  ")
          : fmt(r.value, depth + 1, indent + "  ");
        if (st.budget <= 0) break;
      }
      if (more) items[items.length] = "... " + more + " more item" + (more > 1 ? "s" : "");
      return items;
    }
    function fmtObject(o, depth, indent) {
      const name = ctorName(o);
      const arr = isArray(o);
      let size = -1, kind = "";
      try { size = apply(mapSize, o, []); kind = "Map"; } catch (e) { void e; }
      if (!kind) try { size = apply(setSize, o, []); kind = "Set"; } catch (e) { void e; }
      if (!kind) try { size = apply(taLength, o, []); kind = size === undefined ? "" : "Typed"; } catch (e) { void e; }
      if (!kind) try { size = apply(abLength, o, []); kind = "Buffer"; } catch (e) { void e; }
      if (depth > opts.depth) {
        if (arr) return "[Array]";
        return "[" + (kind && kind !== "Typed" && kind !== "Buffer" ? kind : name || "Object") + "]";
      }
      seen[seen.length] = o;
      try {
        const items = [];
        let prefix = "";
        if (kind === "Buffer") return "ArrayBuffer { byteLength: " + size + " }";
        if (kind === "Map" || kind === "Set") {
          prefix = kind + "(" + size + ") ";
          const it = kind === "Map" ? apply(mapEntries, o, []) : apply(setValues, o, []);
          const got = entriesOf(it, kind === "Map" ? mapIterNext : setIterNext, kind === "Map", depth, indent);
          return wrap(prefix, "{", got, "}", indent);
        }
        let skipIndex = -1;
        if (arr || kind === "Typed") {
          const len = kind === "Typed" ? size : o.length;
          if (kind === "Typed") prefix = apply(taName, o, []) + "(" + len + ") ";
          else if (name !== "Array") prefix = (name || "[Array: null prototype]") + "(" + len + ") ";
          let holes = 0;
          const shown = len < MAX_ITEMS ? len : MAX_ITEMS;
          for (let i = 0; i < shown && st.budget > 0; i++) {
            const d = getDesc(o, S(i));
            if (!d) { holes++; continue; }
            if (holes) { items[items.length] = "<" + holes + " empty item" + (holes > 1 ? "s" : "") + ">"; holes = 0; }
            items[items.length] = "get" in d && !("value" in d) ? accessor(d) : fmt(d.value, depth + 1, indent + "  ");
          }
          if (holes) items[items.length] = "<" + holes + " empty item" + (holes > 1 ? "s" : "") + ">";
          if (len > shown) items[items.length] = "... " + (len - shown) + " more item" + (len - shown > 1 ? "s" : "");
          skipIndex = len;
        } else if (name === null) prefix = "[Object: null prototype] ";
        else if (name !== "Object") prefix = name + " ";
        const keys = ownKeys(o);
        let count = 0;
        for (let i = 0; i < keys.length && st.budget > 0; i++) {
          const k = keys[i];
          if (skipIndex >= 0 && typeof k === "string" && k !== "" && S(+k) === k && +k >= 0 && +k < 4294967295) continue;
          if (arr && k === "length") continue;
          const d = getDesc(o, k);
          if (!d || (!d.enumerable && typeof k !== "symbol")) continue;
          if (!d.enumerable) continue;
          if (++count > MAX_KEYS) { items[items.length] = "..."; break; }
          const val = "value" in d ? fmt(d.value, depth + 1, indent + "  ") : accessor(d);
          items[items.length] = key(k) + ": " + val;
        }
        if (arr || kind === "Typed") return wrap(prefix, "[", items, "]", indent);
        return wrap(prefix, "{", items, "}", indent);
      } finally {
        seen.length = seen.length - 1;
      }
    }
    function accessor(d) {
      if (d.get && d.set) return "[Getter/Setter]";
      return d.get ? "[Getter]" : "[Setter]";
    }
    return fmt(value, 0, "");
  }
  function formatLog(args, budget) {
    const parts = [];
    let i = 0;
    const opts = { depth: 2, budget: budget };
    if (typeof args[0] === "string" && args[0].indexOf("%") >= 0 && args.length > 1) {
      const f = args[0];
      let out = "", j = 1, k = 0;
      while (k < f.length) {
        const c = f[k];
        if (c === "%" && k + 1 < f.length) {
          const d = f[k + 1];
          if (d === "%") { out += "%"; k += 2; continue; }
          if ("sdifjoOc".indexOf(d) >= 0 && j < args.length) {
            const a = args[j++];
            if (d === "s") out += typeof a === "string" ? a : inspect(a, { depth: 1, budget: budget });
            else if (d === "d" || d === "i") out += typeof a === "object" || typeof a === "symbol" ? "NaN" : S(d === "i" ? parseInt(a) : Number(a));
            else if (d === "f") out += typeof a === "symbol" ? "NaN" : S(parseFloat(a));
            else if (d === "j") { try { out += JSON.stringify(a); } catch (e) { out += "[Circular]"; } }
            else if (d === "c") out += "";
            else out += inspect(a, { depth: d === "o" ? 4 : 2, budget: budget });
            k += 2;
            continue;
          }
        }
        out += c;
        k++;
        if (out.length > budget) break;
      }
      parts[parts.length] = out;
      i = j;
    }
    for (; i < args.length; i++) {
      const a = args[i];
      parts[parts.length] = typeof a === "string" ? a : inspect(a, opts);
      if (opts.budget <= 0) break;
    }
    return apply(join, parts, [" "]);
  }
  return { inspect: inspect, formatLog: formatLog };
})();
`
