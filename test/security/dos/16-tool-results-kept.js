// @name    keep tool results that grow eightfold once parsed: what comes back from the host is charged to the run
// @family  dos-memory
// @ref     generic (host-to-sandbox transfers)
// @expect  stopped-by-any
// 200 KB of JSON per result; 100,000 array slots once parsed inside the sandbox.
const chunk = new Array(100000).fill(7);
const keep = [];
for (;;) keep.push(...(await Promise.all(Array.from({ length: 8 }, () => codemode.demo.echo(chunk)))));
