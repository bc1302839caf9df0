// @name    log an object with 5,000 keys again and again (the output or the time limit ends it)
// @family  dos-output
// @ref     generic (formatting cost and size)
// @expect  stopped-by-any
const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => ["key" + i, [i, { i }]]));
for (;;) console.log(wide);
