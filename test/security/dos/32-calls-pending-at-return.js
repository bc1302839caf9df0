// @name    return while 500 tool calls are still pending and a rejection is unhandled
// @family  dos-after-run
// @ref     generic (work left behind when a run ends)
// @expect  no-escape
for (let i = 0; i < 500; i++) codemode.demo.echo({ i });
Promise.reject(new Error("never handled"));
return "returned early";
