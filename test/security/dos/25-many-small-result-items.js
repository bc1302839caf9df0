// @name    a result of 300,000 numbers (small items, large JSON)
// @family  dos-output
// @ref     generic
// @expect  stopped-by-limit
return Array.from({ length: 300000 }, (_, i) => i);
