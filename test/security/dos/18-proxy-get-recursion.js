// @name    a Proxy get trap that reads through its own receiver
// @family  dos-stack
// @ref     generic
// @expect  stopped-by-stack
const p = new Proxy({}, { get(t, k, r) { return r[k]; } });
return p.x;
