// Preloaded into the CLI's process by the hostile suite: writes the peak resident set size (KiB)
// to $FRR_RENDERER_USAGE_FILE at exit, so the suite measures the real binary's memory.
import { writeFileSync } from 'node:fs';

const file = process.env.FRR_RENDERER_USAGE_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
