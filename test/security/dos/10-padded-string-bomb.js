// @name    keep distinct 1 Mi-character strings made by padEnd until memory runs out
// @family  dos-memory
// @ref     generic
// @expect  stopped-by-memory
const keep = [];
for (let i = 0; ; i++) keep.push("".padEnd(1 << 20, String(i)));
