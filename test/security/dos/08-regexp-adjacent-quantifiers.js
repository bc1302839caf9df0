// @name    catastrophic backtracking from adjacent quantifiers inside a repeated group
// @family  dos-regexp
// @ref     generic ReDoS
// @expect  stopped-by-time
return /^(x+x+)+y$/.test("x".repeat(50));
