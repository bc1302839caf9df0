// @name    an endless loop inside a JSON.stringify replacer
// @family  dos-cpu
// @ref     generic (interrupts inside native callbacks)
// @expect  stopped-by-time
return JSON.stringify({ a: 1 }, () => { for (;;) {} });
