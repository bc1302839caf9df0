// @name    two getters that read each other
// @family  dos-stack
// @ref     generic
// @expect  stopped-by-stack
const o = { get a() { return this.b; }, get b() { return this.a; } };
return o.a;
