// @name    keep calling tools in finally after the call limit stops the loop
// @family  dos-tools
// @ref     generic (catchable limit errors)
// @expect  stopped-by-any
try { for (;;) await codemode.demo.echo({}); } finally { for (;;) await codemode.demo.echo({ again: true }); }
