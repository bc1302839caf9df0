// @name    tool calls made from an endless microtask chain that never yields to the runtime
// @family  dos-tools
// @ref     generic (call queues drained only when the code yields)
// @expect  stopped-by-limit
(function spin() { Promise.resolve().then(() => { codemode.demo.echo({}); spin(); }); })();
await new Promise(() => {});
