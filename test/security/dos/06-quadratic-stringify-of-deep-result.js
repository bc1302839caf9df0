// @name    a result 30,000 arrays deep (the engine's cycle check makes its serialization quadratic)
// @family  dos-cpu
// @ref     generic (result serialization in native code)
// @expect  stopped-by-time
let a = [];
for (let i = 0; i < 30000; i++) a = [a];
return a;
