// @name    double a string until the engine's length cap (ropes keep it cheap; a clear error ends it)
// @family  dos-memory
// @ref     generic
// @expect  error
let s = "ab";
for (;;) s = s + s + s.length;
