#!/usr/bin/env node
// Entry point: the only place that exits the process. The code is in dist/ (built by `npm ci`).
import { main, processIo } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2), processIo);
