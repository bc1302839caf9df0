// @name    long native work with no user callback: sorting 200,000 strings over and over
// @family  dos-cpu
// @ref     generic (interrupt polls only at bytecode boundaries; the host watchdog)
// @expect  stopped-by-time
const words = Array.from({ length: 200000 }, (_, i) => String((i * 7919) % 200000));
for (;;) words.slice().sort();
