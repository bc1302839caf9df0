// @name    a sort comparator that sorts again, recursing through native code
// @family  dos-stack
// @ref     generic (native frames between user frames)
// @expect  stopped-by-stack
return [2, 1].sort(function cmp(a, b) { return [b, a].sort(cmp); });
