// @name    closures each holding an array, until a limit stops it
// @family  dos-memory
// @ref     generic
// @expect  stopped-by-any
const fns = [];
for (let i = 0; ; i++) { const big = new Array(10000).fill(i); fns.push(() => big); }
