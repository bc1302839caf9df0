// @name    an argument whose ownKeys trap never returns while the call copies it
// @family  dos-cpu
// @ref     generic (argument copy runs sandbox code)
// @expect  stopped-by-time
return await codemode.demo.echo(new Proxy({}, { ownKeys() { for (;;) {} } }));
