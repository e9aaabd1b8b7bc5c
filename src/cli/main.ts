import { hostname as osHostname } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { DEFAULT_FRR_RELEASE, formatRelease, parseFrrRelease, TESTED_RELEASES, type FrrRelease } from '../intent/frr-release.js';
import { checkHostname, checkLoadBalancerClass, checkNamespaceName, checkNodeName, checkPathspace } from '../api/host-names.js';
import { DEFAULT_SPEAKER_LOG_LEVEL, FRR_LOG_LEVELS, parseFrrLogLevel, SPEAKER_LOG_LEVELS } from '../intent/frr-log-level.js';
import { escapeText, q } from '../api/problems.js';
import type { FrrLocation } from '../frr/context.js';
import { DEFAULT_HEAP_MODE, HEAP_MODES } from '../ops/heap-mode.js';
import { OutputWriteError, UnsafeOutputError, writeFileAtomic } from '../ops/write-file.js';
import { InvalidConfigError, NotAppliedError, UsageError } from './errors.js';
import { DEFAULT_LISTEN, TUNABLES, tunables, tunablesHelp, type TunableFlag } from './sidecar-tunables.js';
import type { CliIo } from './io.js';
import type { SpeakerArgs } from './speaker-args.js';

export const USAGE = `usage: frr-renderer <command> [options]

commands:
  render --dir DIR --node NODE [--out FILE] [--namespace NS] [--redact-passwords]
         [--example-services] [--hostname NAME] [--frr-version X.Y] [SPEAKER OPTIONS]
      Render NODE's frr.conf from every *.yaml, *.yml, *.json under DIR.
  check --dir DIR [--node NODE] [--namespace NS] [--frr-version X.Y] [--bgp-extras]
      Validate only; every problem is listed, one per line.
  run --source k8s|dir:PATH --node NODE [--namespace NS] [--frr-config FILE]
      [--frr-pathspace NAME] [--apply always|auto|never] [--hostname NAME]
      [--listen HOST:PORT] [--kubeconfig FILE] [--once] [--print]
      [--status auto|on|off] [--frr-version X.Y] [--heap small|balanced|fast]
      [TUNABLES] [SPEAKER OPTIONS]
      The sidecar: keep FRR in step with the source. Environment: NODE_NAME,
      METALLB_NAMESPACE, KUBECONFIG (see README "Operating the sidecar").
      It renders for the release FRR reports (show version), asked at start and
      after every FRR restart; --frr-version only until FRR has answered.
      --heap: V8's heap growth; balanced (the default) peaks ~40 % below fast
      (V8's own heuristics) at the same speed; small lower still, slower changes.
  status [--json] [--listen HOST:PORT] [--frr-pathspace NAME]
      Sessions, BFD, prefixes sent per peer, last reload (inside the speaker pod).
  explain NAMESPACE/SERVICE [--json] [--listen HOST:PORT] [--frr-pathspace NAME]
      Per peer and prefix: advertised by FRR or not, and why.
  run, status and explain also take --vtysh PATH and --frr-reload PATH, for an FRR
      installed elsewhere than Debian's vtysh and /usr/lib/frr/frr-reload.py, and
      --frr-vty-dir DIR, the folder of FRR's vty sockets (default /var/run/frr; with
      --vtysh, none unless given): the sidecar's polls ask the daemons there directly.

tunables of run (whole milliseconds):
${tunablesHelp()}
  --listen HOST:PORT is ${DEFAULT_LISTEN} by default, for run, status and explain.

speaker options (MetalLB speaker's, same names and meaning; render takes them so that a
review renders what the node runs):
  --lb-class NAME        announce only Services with spec.loadBalancerClass NAME
                         (default: only Services without a class)
  --ignore-exclude-lb    also announce from nodes labelled
                         node.kubernetes.io/exclude-from-external-load-balancers
  --log-level LEVEL      all, debug, info (default), warn, error, none: the sidecar's logs
                         and FRR's (log stdout; debug lines at all/debug), as MetalLB maps it
  --frr-log-level LEVEL  FRR's level apart from --log-level: emergencies, alerts, critical,
                         errors, warnings, notifications, informational, debugging
  --bgp-extras           append the lines of MetalLB's bgpextras ConfigMap (key "extras") to
                         frr.conf; they bypass every check of frr-renderer (run: FRR checks
                         their syntax first and leaves them out if it refuses them)

--frr-version X.Y: the FRR release the config is written for (default ${formatRelease(DEFAULT_FRR_RELEASE)},
      the release the image ships; tested: ${TESTED_RELEASES.map(formatRelease).join(', ')}). Lines FRR prints
      differently between releases follow it; another release gets the forms of the
      nearest tested release below it, with a warning.

exit codes: 0 ok, 1 invalid configuration (run --once: or FRR does not run the config),
2 usage error (or a file or port that cannot be used)
`;

const COMMON = {
  dir: { type: 'string' },
  node: { type: 'string' },
  namespace: { type: 'string' },
  'frr-version': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const CHECK = {
  ...COMMON,
  'bgp-extras': { type: 'boolean' },
} as const;

/** MetalLB speaker's flags that change what a node's frr.conf says: `run` and `render`. */
const SPEAKER = {
  'lb-class': { type: 'string' },
  'ignore-exclude-lb': { type: 'boolean' },
  'log-level': { type: 'string' },
  'frr-log-level': { type: 'string' },
  'bgp-extras': { type: 'boolean' },
} as const;

const RENDER = {
  ...COMMON,
  ...SPEAKER,
  out: { type: 'string' },
  'redact-passwords': { type: 'boolean' },
  'example-services': { type: 'boolean' },
  hostname: { type: 'string' },
} as const;

/** One string option per tunable (`sidecar-tunables.ts`). */
const TUNABLE_OPTIONS = Object.fromEntries(TUNABLES.map((t) => [t.flag, { type: 'string' }])) as Record<TunableFlag, { readonly type: 'string' }>;

const RUN = {
  source: { type: 'string' },
  node: { type: 'string' },
  namespace: { type: 'string' },
  'frr-config': { type: 'string' },
  'frr-pathspace': { type: 'string' },
  apply: { type: 'string' },
  hostname: { type: 'string' },
  listen: { type: 'string' },
  ...TUNABLE_OPTIONS,
  ...SPEAKER,
  kubeconfig: { type: 'string' },
  once: { type: 'boolean' },
  print: { type: 'boolean' },
  status: { type: 'string' },
  'frr-version': { type: 'string' },
  vtysh: { type: 'string' },
  'frr-reload': { type: 'string' },
  'frr-vty-dir': { type: 'string' },
  heap: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const INSPECT = {
  json: { type: 'boolean' },
  listen: { type: 'string' },
  'frr-pathspace': { type: 'string' },
  vtysh: { type: 'string' },
  'frr-reload': { type: 'string' },
  'frr-vty-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs one command and returns the exit code. Only `bin/frr-renderer.js` calls `process.exit`. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await dispatch(argv, io);
    return 0;
  } catch (err) {
    // Every line printed here may hold user text (paths, values): escaped, so it stays one line.
    if (err instanceof UsageError) {
      io.stderr(`error: ${escapeText(err.message)}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof NotAppliedError) {
      io.stderr(`error: ${escapeText(err.message)}\n`);
      return 1;
    }
    if (err instanceof InvalidConfigError) {
      // The problems are already printed, one per line; a message adds one more `error:` line.
      if (err.message) io.stderr(`${err.message.startsWith('error: ') ? '' : 'error: '}${escapeText(err.message)}\n`);
      return 1;
    }
    if (err instanceof UnsafeOutputError || err instanceof OutputWriteError) {
      io.stderr(`error: ${escapeText(err.message)}\n`);
      return 2;
    }
    const environment = environmentError(err as NodeJS.ErrnoException);
    if (environment) {
      io.stderr(`error: ${escapeText(environment)}\n`);
      return 2;
    }
    io.stderr(`internal error (please report it): ${escapeText((err as Error)?.stack ?? String(err))}\n`);
    return 1;
  }
}

/** Errors of the machine rather than of the configuration: a folder, file or port that cannot be used. */
function environmentError(e: NodeJS.ErrnoException & { address?: string; port?: number }): string | undefined {
  if (e?.syscall === 'listen' || e?.code === 'EADDRINUSE' || e?.code === 'EADDRNOTAVAIL') {
    const where = e.address !== undefined ? `${e.address}:${e.port ?? ''}` : 'the --listen address';
    const why = e.code === 'EADDRINUSE'
      ? 'the address is already in use (another frr-renderer or program listens there): stop it or choose another port with --listen'
      : e.code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges): choose a port above 1024 with --listen'
        : `${e.code ?? 'error'}: check the address given to --listen`;
    return `cannot listen on ${where}: ${why}`;
  }
  const code = e?.code;
  if (code === undefined || !ENVIRONMENT_CODES.has(code)) return undefined;
  return e.message;
}

const ENVIRONMENT_CODES: ReadonlySet<string> = new Set([
  'ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP', 'EISDIR', 'ENAMETOOLONG', 'EMFILE', 'ENFILE', 'EIO', 'ENOSPC', 'EROFS',
]);

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
          node: checked(required(v.node, '--node'), '--node', checkNodeName),
          out: v.out === undefined ? undefined : required(v.out, '--out'),
          namespace: optionalChecked(v.namespace, '--namespace', checkNamespaceName),
          redactPasswords: v['redact-passwords'] ?? false,
          exampleServices: v['example-services'] ?? false,
          hostname: optionalChecked(v.hostname, '--hostname', checkHostname),
          frrRelease: frrRelease(v['frr-version']),
          speaker: speakerArgs(v),
        },
        io,
      );
    }
    case 'check': {
      const v = parse(rest, CHECK);
      if (v.help) return void io.stdout(USAGE);
      const { checkCommand } = await import('./check-command.js');
      return checkCommand(
        {
          dir: required(v.dir, '--dir'),
          node: optionalChecked(v.node, '--node', checkNodeName),
          namespace: optionalChecked(v.namespace, '--namespace', checkNamespaceName),
          frrRelease: frrRelease(v['frr-version']),
          bgpExtras: v['bgp-extras'] ?? false,
        },
        io,
      );
    }
    case 'run': {
      const v = parse(rest, RUN);
      if (v.help) return void io.stdout(USAGE);
      const env = io.env ?? {};
      const { runCommand } = await import('./run-command.js');
      return runCommand(
        {
          source: required(v.source, '--source'),
          // The environment is input too: NODE_NAME and the host name reach frr.conf like --node.
          node: v.node !== undefined
            ? checked(required(v.node, '--node'), '--node', checkNodeName)
            : checked(required(env['NODE_NAME'], '--node (or NODE_NAME)'), 'NODE_NAME', checkNodeName),
          namespace: v.namespace !== undefined
            ? checked(v.namespace, '--namespace', checkNamespaceName)
            : checked(env['METALLB_NAMESPACE'] ?? 'metallb-system', 'METALLB_NAMESPACE', checkNamespaceName),
          frrConfig: v['frr-config'] === undefined ? undefined : required(v['frr-config'], '--frr-config'),
          frr: frrLocation(v),
          apply: oneOf(v.apply ?? 'always', ['always', 'auto', 'never'] as const, '--apply'),
          hostname: v.hostname !== undefined
            ? checked(v.hostname, '--hostname', checkHostname)
            : checked(osHostname(), 'the host name of this machine (pass --hostname to set another)', checkHostname),
          listen: checkListen(v.listen ?? DEFAULT_LISTEN),
          tunables: tunables((t) => (v[t.flag] === undefined ? undefined : integer(v[t.flag]!, `--${t.flag}`))),
          speaker: speakerArgs(v),
          kubeconfig: v.kubeconfig ?? env['KUBECONFIG'],
          once: v.once ?? false,
          print: v.print ?? false,
          status: oneOf(v.status ?? 'auto', ['auto', 'on', 'off'] as const, '--status'),
          frrRelease: frrRelease(v['frr-version']),
          heap: oneOf(v.heap ?? DEFAULT_HEAP_MODE, HEAP_MODES, '--heap'),
        },
        io,
      );
    }
    case 'status': {
      const v = parse(rest, INSPECT);
      if (v.help) return void io.stdout(USAGE);
      const { statusCommand } = await import('./status-command.js');
      return statusCommand(
        { json: v.json ?? false, listen: checkListen(v.listen ?? DEFAULT_LISTEN), frr: frrLocation(v) },
        io,
      );
    }
    case 'explain': {
      const { values: v, positionals } = parseWithPositionals(rest, INSPECT);
      if (v.help) return void io.stdout(USAGE);
      if (positionals.length !== 1) throw new UsageError('explain needs exactly one NAMESPACE/SERVICE');
      const { explainCommand } = await import('./explain-command.js');
      return explainCommand(
        {
          service: positionals[0]!,
          json: v.json ?? false,
          listen: checkListen(v.listen ?? DEFAULT_LISTEN),
          frr: frrLocation(v),
        },
        io,
      );
    }
    default:
      throw new UsageError(`unknown command ${q(command)}`);
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
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not ${q(value)}`);
}

/** Milliseconds: digits only (`Number` would take "", "0x10", "1e3" and " 5 "), at most ~11 days. */
function integer(value: string, flag: string): number {
  if (!/^[0-9]{1,9}$/.test(value)) throw new UsageError(`${flag} must be a whole number of milliseconds (at most 9 digits), not ${q(value)}`);
  return Number(value);
}

/** A value checked like a field: the check's message, which quotes the value, becomes the usage error. */
function checked(value: string, what: string, check: (s: string) => string | undefined): string {
  const problem = check(value);
  if (problem) throw new UsageError(`${what}: ${problem}`);
  return value;
}

function optionalChecked(value: string | undefined, flag: string, check: (s: string) => string | undefined): string | undefined {
  return value === undefined ? undefined : checked(value, flag, check);
}

/** `HOST:PORT`, `:PORT` or `[IPv6]:PORT`, port 0-65535; the host is an address or a host name. */
function checkListen(value: string): string {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]*)):([0-9]{1,5})$/.exec(value);
  if (!m || Number(m[3]) > 65535) throw new UsageError(`--listen must be HOST:PORT, :PORT or [IPv6]:PORT with a port from 0 to 65535, not ${q(value)}`);
  return value;
}

/** The MetalLB speaker flags (`SPEAKER`), checked like fields: `--lb-class` and the levels can reach frr.conf or the announce decision. */
function speakerArgs(v: {
  'lb-class'?: string | undefined;
  'ignore-exclude-lb'?: boolean | undefined;
  'log-level'?: string | undefined;
  'frr-log-level'?: string | undefined;
  'bgp-extras'?: boolean | undefined;
}): SpeakerArgs {
  const frrLogLevel = v['frr-log-level'] === undefined ? undefined : parseFrrLogLevel(v['frr-log-level']);
  if (v['frr-log-level'] !== undefined && frrLogLevel === undefined) {
    throw new UsageError(`--frr-log-level must be one of ${FRR_LOG_LEVELS.join(', ')}, not ${q(v['frr-log-level'])}`);
  }
  return {
    loadBalancerClass: optionalChecked(v['lb-class'], '--lb-class', checkLoadBalancerClass),
    ignoreExcludeLb: v['ignore-exclude-lb'] ?? false,
    logLevel: oneOf(v['log-level'] ?? DEFAULT_SPEAKER_LOG_LEVEL, SPEAKER_LOG_LEVELS, '--log-level'),
    frrLogLevel,
    bgpExtras: v['bgp-extras'] ?? false,
  };
}

/** `--frr-pathspace`, `--vtysh`, `--frr-reload`, `--frr-vty-dir`: which FRR the command talks to. */
function frrLocation(v: { 'frr-pathspace'?: string | undefined; vtysh?: string | undefined; 'frr-reload'?: string | undefined; 'frr-vty-dir'?: string | undefined }): FrrLocation {
  return {
    vtyDir: v['frr-vty-dir'] === undefined ? undefined : required(v['frr-vty-dir'], '--frr-vty-dir'),
    pathspace: optionalChecked(v['frr-pathspace'], '--frr-pathspace', checkPathspace),
    vtysh: v.vtysh === undefined ? undefined : required(v.vtysh, '--vtysh'),
    reloadScript: v['frr-reload'] === undefined ? undefined : required(v['frr-reload'], '--frr-reload'),
  };
}

/** `--frr-version`: a release such as `10.3` or `8.4.4`; the image's release when absent. */
function frrRelease(value: string | undefined): FrrRelease {
  if (value === undefined) return DEFAULT_FRR_RELEASE;
  const release = parseFrrRelease(value);
  if (release === undefined) throw new UsageError(`--frr-version must be a release such as 10.3 or 8.4.4, not ${q(value)}`);
  return release;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  if (value.includes('\u0000')) throw new UsageError(`${flag} must not contain a NUL character`);
  return value;
}

export const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  writeFile: writeFileAtomic,
  env: process.env,
  setV8Flags: setFlagsFromString,
  waitForShutdown: () =>
    new Promise<string>((resolve) => {
      for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve(sig));
    }),
};
