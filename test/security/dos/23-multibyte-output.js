// @name    350,000 three-byte characters on one line: under 1 Mi characters but over 1 MiB of UTF-8
// @family  dos-output
// @ref     generic (limits counted in characters instead of bytes)
// @expect  stopped-by-limit
console.log("\u20ac".repeat(350000));
return "logged";
