// @name    for await over an iterator whose next() never settles
// @family  dos-wall
// @ref     generic
// @expect  stopped-by-time
for await (const x of { [Symbol.asyncIterator]() { return { next: () => new Promise(() => {}) }; } }) return x;
