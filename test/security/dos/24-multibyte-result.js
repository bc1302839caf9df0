// @name    a result of 350,000 three-byte characters: over 1 MiB as UTF-8 JSON
// @family  dos-output
// @ref     generic (limits counted in characters instead of bytes)
// @expect  stopped-by-limit
return "\u20ac".repeat(350000);
