// Preloaded by bench/proc.ts (`NODE_OPTIONS=--require .../peak-rss.cjs`) into a process the
// benchmark times from start to exit: at exit, writes the process's peak resident set size
// (VmHWM, KiB) to the file named by FRRT_BENCH_PEAK_RSS_FILE. Plain CommonJS: tsc does not build it.
'use strict';
const fs = require('node:fs');

const file = process.env.FRRT_BENCH_PEAK_RSS_FILE;
if (file) {
  // Children of the timed process must not overwrite its figure.
  delete process.env.FRRT_BENCH_PEAK_RSS_FILE;
  process.on('exit', () => {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) fs.writeFileSync(file, m[1]);
  });
}
