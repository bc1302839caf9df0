// @name    parse the same 6 MB JSON text again and again, keeping every copy
// @family  dos-memory
// @ref     generic
// @expect  stopped-by-any
const text = "[" + new Array(200000).fill('{"a":[1,2,3],"b":"xxxxxxxx"}').join(",") + "]";
const keep = [];
for (;;) keep.push(JSON.parse(text));
