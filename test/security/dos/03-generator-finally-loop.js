// @name    an endless loop in a generator's finally, run when for-of closes it
// @family  dos-cpu
// @ref     generic (cleanup code the engine runs)
// @expect  stopped-by-time
function* g() { try { yield 1; } finally { for (;;) {} } }
for (const x of g()) break;
return "unreachable";
