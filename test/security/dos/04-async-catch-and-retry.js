// @name    an async function that catches the stop after an await and starts over
// @family  dos-cpu
// @ref     generic (catchable termination errors)
// @expect  stopped-by-time
async function again(n) {
  try { await codemode.demo.echo({ n }); for (;;) {} } catch (e) { return again(n + 1); }
}
return await again(0);
