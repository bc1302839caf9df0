// @name    toString that coerces itself to a string
// @family  dos-stack
// @ref     generic
// @expect  stopped-by-stack
const o = { toString() { return "" + this; } };
return String(o);
