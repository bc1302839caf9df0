// @name    catastrophic backtracking from overlapping alternatives
// @family  dos-regexp
// @ref     generic ReDoS (overlapping alternation)
// @expect  stopped-by-time
return /^(a|aa)+$/.test("a".repeat(60) + "b");
