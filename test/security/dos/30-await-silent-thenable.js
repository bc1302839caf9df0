// @name    await a thenable that never calls back
// @family  dos-wall
// @ref     generic (wall-time limits)
// @expect  stopped-by-time
await { then() {} };
return "unreachable";
