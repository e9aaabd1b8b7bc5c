import { rename, writeFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_FRR_RELEASE, formatRelease, parseFrrRelease, TESTED_RELEASES, type FrrRelease } from '../intent/frr-release.js';
import { InvalidConfigError, UsageError } from './errors.js';
import type { CliIo } from './io.js';

export const USAGE = `usage: frr-renderer <command> [options]

commands:
  render --dir DIR --node NODE [--out FILE] [--namespace NS] [--redact-passwords]
         [--example-services] [--hostname NAME] [--frr-version X.Y]
      Render NODE's frr.conf from every *.yaml, *.yml, *.json under DIR.
  check --dir DIR [--node NODE] [--namespace NS] [--frr-version X.Y]
      Validate only; every problem is listed, one per line.
  run --source k8s|dir:PATH --node NODE [--namespace NS] [--frr-config FILE]
      [--frr-pathspace NAME] [--apply always|auto|never] [--hostname NAME]
      [--listen HOST:PORT] [--debounce MS] [--drift-check MS] [--log-level LEVEL]
      [--kubeconfig FILE] [--once] [--print] [--status auto|on|off]
      [--status-interval MS] [--frr-version X.Y]
      The sidecar: keep FRR in step with the source. Environment: NODE_NAME,
      METALLB_NAMESPACE, KUBECONFIG (see README "Operating the sidecar").
      It renders for the release FRR reports (show version), asked at start and
      after every FRR restart; --frr-version only until FRR has answered.
  status [--json] [--listen HOST:PORT] [--frr-pathspace NAME]
      Sessions, BFD, prefixes sent per peer, last reload (inside the speaker pod).
  explain NAMESPACE/SERVICE [--json] [--listen HOST:PORT] [--frr-pathspace NAME]
      Per peer and prefix: advertised by FRR or not, and why.

--frr-version X.Y: the FRR release the config is written for (default ${formatRelease(DEFAULT_FRR_RELEASE)},
      the release the image ships; tested: ${TESTED_RELEASES.map(formatRelease).join(', ')}). Lines FRR prints
      differently between releases follow it; another release gets the forms of the
      nearest tested release below it, with a warning.

exit codes: 0 ok, 1 invalid configuration, 2 usage error
`;

const COMMON = {
  dir: { type: 'string' },
  node: { type: 'string' },
  namespace: { type: 'string' },
  'frr-version': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const RENDER = {
  ...COMMON,
  out: { type: 'string' },
  'redact-passwords': { type: 'boolean' },
  'example-services': { type: 'boolean' },
  hostname: { type: 'string' },
} as const;

const RUN = {
  source: { type: 'string' },
  node: { type: 'string' },
  namespace: { type: 'string' },
  'frr-config': { type: 'string' },
  'frr-pathspace': { type: 'string' },
  apply: { type: 'string' },
  hostname: { type: 'string' },
  listen: { type: 'string' },
  debounce: { type: 'string' },
  'drift-check': { type: 'string' },
  'log-level': { type: 'string' },
  kubeconfig: { type: 'string' },
  once: { type: 'boolean' },
  print: { type: 'boolean' },
  status: { type: 'string' },
  'status-interval': { type: 'string' },
  'frr-version': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const INSPECT = {
  json: { type: 'boolean' },
  listen: { type: 'string' },
  'frr-pathspace': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs one command and returns the exit code. Only `bin/frr-renderer.js` calls `process.exit`. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await dispatch(argv, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof InvalidConfigError) {
      io.stderr(`${err.message}\n`);
      return 1;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR' || e.code === 'EACCES') {
      io.stderr(`error: ${e.message}\n`);
      return 2;
    }
    io.stderr(`internal error (please report it): ${e.stack ?? String(err)}\n`);
    return 1;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(USAGE);
    return;
  }
  switch (command) {
    case 'render': {
      const v = parse(rest, RENDER);
      if (v.help) return void io.stdout(USAGE);
      const { renderCommand } = await import('./render-command.js');
      return renderCommand(
        {
          dir: required(v.dir, '--dir'),
          node: required(v.node, '--node'),
          out: v.out,
          namespace: v.namespace,
          redactPasswords: v['redact-passwords'] ?? false,
          exampleServices: v['example-services'] ?? false,
          hostname: v.hostname,
          frrRelease: frrRelease(v['frr-version']),
        },
        io,
      );
    }
    case 'check': {
      const v = parse(rest, COMMON);
      if (v.help) return void io.stdout(USAGE);
      const { checkCommand } = await import('./check-command.js');
      return checkCommand({ dir: required(v.dir, '--dir'), node: v.node, namespace: v.namespace, frrRelease: frrRelease(v['frr-version']) }, io);
    }
    case 'run': {
      const v = parse(rest, RUN);
      if (v.help) return void io.stdout(USAGE);
      const env = io.env ?? {};
      const { runCommand } = await import('./run-command.js');
      return runCommand(
        {
          source: required(v.source, '--source'),
          node: required(v.node ?? env['NODE_NAME'], '--node (or NODE_NAME)'),
          namespace: v.namespace ?? env['METALLB_NAMESPACE'] ?? 'metallb-system',
          frrConfig: v['frr-config'],
          frrPathspace: v['frr-pathspace'],
          apply: oneOf(v.apply ?? 'always', ['always', 'auto', 'never'] as const, '--apply'),
          hostname: v.hostname,
          listen: v.listen ?? ':9120',
          debounceMs: integer(v.debounce ?? '200', '--debounce'),
          driftCheckMs: integer(v['drift-check'] ?? '15000', '--drift-check'),
          logLevel: oneOf(v['log-level'] ?? 'info', ['debug', 'info', 'warn', 'error'] as const, '--log-level'),
          kubeconfig: v.kubeconfig ?? env['KUBECONFIG'],
          once: v.once ?? false,
          print: v.print ?? false,
          status: oneOf(v.status ?? 'auto', ['auto', 'on', 'off'] as const, '--status'),
          statusIntervalMs: integer(v['status-interval'] ?? '5000', '--status-interval'),
          frrRelease: frrRelease(v['frr-version']),
        },
        io,
      );
    }
    case 'status': {
      const v = parse(rest, INSPECT);
      if (v.help) return void io.stdout(USAGE);
      const { statusCommand } = await import('./status-command.js');
      return statusCommand({ json: v.json ?? false, listen: v.listen ?? ':9120', frrPathspace: v['frr-pathspace'] }, io);
    }
    case 'explain': {
      const { values: v, positionals } = parseWithPositionals(rest, INSPECT);
      if (v.help) return void io.stdout(USAGE);
      if (positionals.length !== 1) throw new UsageError('explain needs exactly one NAMESPACE/SERVICE');
      const { explainCommand } = await import('./explain-command.js');
      return explainCommand({ service: positionals[0]!, json: v.json ?? false, listen: v.listen ?? ':9120', frrPathspace: v['frr-pathspace'] }, io);
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function parseWithPositionals<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
}

function integer(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number of milliseconds, not ${JSON.stringify(value)}`);
  return n;
}

/** `--frr-version`: a release such as `10.3` or `8.4.4`; the image's release when absent. */
function frrRelease(value: string | undefined): FrrRelease {
  if (value === undefined) return DEFAULT_FRR_RELEASE;
  const release = parseFrrRelease(value);
  if (release === undefined) throw new UsageError(`--frr-version must be a release such as 10.3 or 8.4.4, not ${JSON.stringify(value)}`);
  return release;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

export const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  writeFile: writePrivateFile,
  env: process.env,
  waitForShutdown: () =>
    new Promise<string>((resolve) => {
      for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve(sig));
    }),
};

/** Temp file + rename: readers (FRR, reviewers) never see half a file; 0600 because it holds passwords. */
async function writePrivateFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}
