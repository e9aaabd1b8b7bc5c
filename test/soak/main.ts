/**
 * `npm run soak -- --minutes N [--seed S] [--frr 10.3|8.4] [--json FILE] [--logs DIR]`: the fault-and-churn
 * soak outside Jest, for long runs. Prints progress and the report; exits 0 when every invariant
 * held (and was checked, and its control caught), 1 otherwise, 130 when interrupted. Ctrl-C ends
 * the run and removes everything it made; a second Ctrl-C leaves at once (the next run removes
 * the rest).
 */
import { writeFileSync } from 'node:fs';
import { frrUnavailableReason } from '../harness/preconditions.js';
import { INVARIANTS, type InvariantName } from './invariants.js';
import { formatReport, invariantStatus } from './report.js';
import { runSoak } from './soak.js';

const USAGE = 'usage: npm run soak -- [--minutes N] [--seed S] [--frr 10.3|8.4] [--json FILE] [--logs DIR]';
const INSTALLATIONS: Record<string, string> = { '10.3': 'trixie', '8.4': 'host' };

function parseArgs(argv: readonly string[]): { minutes: number; seed: number; frr: string; json: string | undefined; logs: string | undefined } {
  const out = { minutes: 3, seed: Math.floor(Math.random() * 2 ** 31), frr: '10.3', json: undefined as string | undefined, logs: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    i++;
    if (flag === '--minutes' && Number(value) > 0) out.minutes = Number(value);
    else if (flag === '--seed' && Number.isInteger(Number(value))) out.seed = Number(value);
    else if (flag === '--frr' && value in INSTALLATIONS) out.frr = value;
    else if (flag === '--json') out.json = value;
    else if (flag === '--logs') out.logs = value;
    else throw new Error(`unknown or invalid argument ${flag} ${value}\n${USAGE}`);
  }
  return out;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  process.env['FRR_UNDER_TEST'] = INSTALLATIONS[args.frr];
  const missing = frrUnavailableReason();
  if (missing !== undefined) {
    process.stderr.write(`cannot run the soak: ${missing}\n`);
    return 2;
  }
  const abort = new AbortController();
  process.on('SIGINT', () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\ninterrupted: stopping and removing everything (Ctrl-C again to leave at once)\n');
    abort.abort();
  });
  process.on('SIGTERM', () => abort.abort());
  const result = await runSoak({
    minutes: args.minutes,
    seed: args.seed,
    log: (line) => process.stderr.write(line),
    signal: abort.signal,
    ...(args.logs === undefined ? {} : { logDir: args.logs }),
  });
  process.stdout.write(formatReport(result));
  if (args.json !== undefined) writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  if (result.aborted) return 130;
  const failed = (Object.keys(INVARIANTS) as InvariantName[]).filter((n) => !invariantStatus(result, n).ok);
  return failed.length === 0 && result.missedFaults.length === 0 ? 0 : 1;
}

process.exitCode = await main();
