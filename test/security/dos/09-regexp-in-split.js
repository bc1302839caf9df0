// @name    catastrophic backtracking inside String.prototype.split
// @family  dos-regexp
// @ref     generic ReDoS (nested star of a star)
// @expect  stopped-by-time
return ("a".repeat(45) + "!").split(/(a*)*b/).length;
