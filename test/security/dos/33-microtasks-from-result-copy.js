// @name    a result getter that starts an endless microtask chain while the result is copied
// @family  dos-after-run
// @ref     generic (result serialization runs sandbox code)
// @expect  no-escape
return { get v() { (function spin() { Promise.resolve().then(spin); })(); return 1; } };
