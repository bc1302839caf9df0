// @name    typed arrays doubling in size up to 128 MiB each
// @family  dos-memory
// @ref     generic (backing stores outside the JS heap)
// @expect  stopped-by-memory
let size = 1 << 20;
const keep = [];
for (;;) { keep.push(new Float64Array(size)); size = Math.min(size * 2, 1 << 24); }
