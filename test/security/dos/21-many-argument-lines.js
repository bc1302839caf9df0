// @name    console.error with a thousand arguments, forever
// @family  dos-output
// @ref     generic
// @expect  stopped-by-limit
const args = new Array(1000).fill("0123456789");
for (;;) console.error(...args);
