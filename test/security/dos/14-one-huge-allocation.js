// @name    one allocation of 512 Mi characters
// @family  dos-memory
// @ref     generic
// @expect  stopped-by-memory
return "".padStart(2 ** 29, "ab").length;
