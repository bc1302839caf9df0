// @name    throw a 16 MiB string (not an Error)
// @family  dos-output
// @ref     generic
// @expect  error
throw "x".repeat(16 << 20);
