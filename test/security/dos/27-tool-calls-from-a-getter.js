// @name    2,000 tool calls made by a getter while another call copies its argument
// @family  dos-tools
// @ref     generic (calls made during a copy)
// @expect  stopped-by-limit
const arg = {};
Object.defineProperty(arg, "x", { enumerable: true, get() { for (let i = 0; i < 2000; i++) codemode.demo.echo({ i }); return 1; } });
await codemode.demo.echo(arg);
return "done";
