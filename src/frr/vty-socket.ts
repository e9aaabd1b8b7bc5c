/**
 * Asks one FRR daemon directly over its vty socket (`/var/run/frr[/PATHSPACE]/bgpd.vty`), the
 * socket vtysh itself talks to, instead of starting a vtysh process.
 *
 * Why: a vtysh process costs 25-60 ms of CPU to start (it builds the command tree of every daemon)
 * before it asks anything, and the sidecar asks FRR every few seconds while nothing changes (status
 * poll, drift check). Over the socket the same question costs the sidecar well under a millisecond;
 * the daemon answers exactly what it would have answered vtysh. Used for single-daemon questions only:
 * `show running-config` as people know it is vtysh's merge of every daemon's, and stays with vtysh.
 *
 * The protocol (FRR's lib/vty.c, the same in 8.4 and 10.x): each command is sent as text ended
 * by a NUL byte; the daemon answers with the command's output followed by three NUL bytes and
 * one byte of status (0 = success; 2 = unknown command, ...). The connection starts in the view
 * node; `enable` needs no password on this socket and is sent first, because `show running-config`
 * and, on 10.x, `show bfd peers` are enable-node commands.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_VTYSH_TIMEOUT_MS, type FrrContext } from './context.js';
import { redactPasswords } from './redact.js';

/** The daemon's socket is not there or not ours to open: FRR lives elsewhere, ask vtysh instead. */
export class VtySocketUnavailable extends Error {
  override readonly name = 'VtySocketUnavailable';
}

/** The folder of this instance's vty sockets, or undefined when the context does not use them. */
export function vtySocketDir(frr: FrrContext): string | undefined {
  if (frr.vtyDir === undefined) return undefined;
  return frr.pathspace === undefined ? frr.vtyDir : join(frr.vtyDir, frr.pathspace);
}

/** Status byte of a command that worked (FRR's CMD_SUCCESS). */
const CMD_SUCCESS = 0;
/** The end of one answer: three NUL bytes, then the status byte. */
const END_MARK_LENGTH = 4;

/**
 * Runs `commands` in order on `daemon`, in one connection (after `enable`), and resolves with each
 * one's output. Rejects when the socket cannot be opened (`VtySocketUnavailable` when it is absent
 * or not permitted; a refused connection means the daemon is down and is a plain error, as vtysh's
 * would be), when a command fails (its redacted message), or after the vtysh time limit.
 */
export async function askDaemon(frr: FrrContext, daemon: string, commands: readonly string[]): Promise<string[]> {
  const dir = vtySocketDir(frr);
  if (dir === undefined) throw new VtySocketUnavailable('this FRR context uses no vty sockets');
  if (!/^[a-z0-9_-]+$/.test(daemon)) throw new Error(`not a daemon name: ${JSON.stringify(daemon)}`);
  for (const c of commands) {
    // A NUL would end the command early and a newline start another one: never send either.
    if (/[\0\r\n]/.test(c)) throw new Error(`refusing a vty command with a control character: ${JSON.stringify(redactPasswords(c))}`);
  }
  return exchange(join(dir, `${daemon}.vty`), daemon, ['enable', ...commands], frr.vtyshTimeoutMs ?? DEFAULT_VTYSH_TIMEOUT_MS).then((answers) => answers.slice(1));
}

/** `command`'s JSON answer from `daemon`, parsed (over the socket: see `askDaemon`). */
export async function askDaemonJson(frr: FrrContext, daemon: string, command: string): Promise<unknown> {
  const [text] = await askDaemon(frr, daemon, [command]);
  return parseAnswer(daemon, command, text!);
}

/** Each command's JSON answer from `daemon`, in one connection. */
export async function askDaemonJsons(frr: FrrContext, daemon: string, commands: readonly string[]): Promise<unknown[]> {
  const texts = await askDaemon(frr, daemon, commands);
  return texts.map((text, i) => parseAnswer(daemon, commands[i]!, text));
}

function parseAnswer(daemon: string, command: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new Error(`${daemon}: "${command}" did not print JSON: ${redactPasswords(text.slice(0, 200))}`, { cause });
  }
}

/**
 * The socket way when this FRR's sockets can be used, else the vtysh way: a daemon that is down
 * fails the socket way as it would fail vtysh, so only an absent or forbidden socket falls back.
 */
export async function orVtysh<T>(viaSocket: () => Promise<T>, viaVtysh: () => Promise<T>): Promise<T> {
  try {
    return await viaSocket();
  } catch (err) {
    if (err instanceof VtySocketUnavailable) return viaVtysh();
    throw err;
  }
}

/** The daemons of the instance that have a vty socket, sorted (the folder's `*.vty`). */
export async function daemonsWithSockets(frr: FrrContext): Promise<string[]> {
  const dir = vtySocketDir(frr);
  if (dir === undefined) throw new VtySocketUnavailable('this FRR context uses no vty sockets');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new VtySocketUnavailable(`cannot list ${dir}: ${(err as Error).message}`, { cause: err });
  }
  return names.filter((n) => n.endsWith('.vty')).map((n) => n.slice(0, -'.vty'.length)).sort();
}

/**
 * Every daemon's own running config, each under a `daemon NAME` heading, in name order, passwords
 * kept (callers hash it or redact it). Not the merged view vtysh prints, but it holds every line
 * of it, so it changes when that does: enough to tell whether anything changed.
 */
export async function eachDaemonsConfig(frr: FrrContext): Promise<string> {
  const daemons = await daemonsWithSockets(frr);
  if (daemons.length === 0) throw new VtySocketUnavailable(`no vty socket in ${vtySocketDir(frr)}`);
  const answers = await Promise.allSettled(daemons.map((d) => askDaemon(frr, d, ['show running-config'])));
  // One daemon down (watchfrr restarting bgpd) is a change, as in vtysh's merged view, which then
  // leaves that daemon out; every daemon down is FRR not answering.
  if (answers.every((a) => a.status === 'rejected')) throw (answers[0] as PromiseRejectedResult).reason;
  return answers.map((a, i) => `daemon ${daemons[i]}${a.status === 'fulfilled' ? `\n${a.value[0]!}` : ' not answering'}`).join('\n');
}

/** A hash of `eachDaemonsConfig` (passwords included: it never leaves the process). */
export async function configFingerprint(frr: FrrContext): Promise<string> {
  return createHash('sha256').update(await eachDaemonsConfig(frr)).digest('hex');
}

/** How long a connection to a vty socket may take before the daemon counts as answering anyway (busy, not gone). */
const CONNECT_PROBE_MS = 1_000;

/**
 * Which of `daemons` nobody listens for on their vty socket: the socket is missing, or refuses the
 * connection (a killed daemon leaves its socket file behind; watchfrr restarting it, or FRR
 * stopped). A connection is all it takes: nothing is sent, so the daemon does no work. Only those
 * two answers count: a daemon too busy to accept within a second, or a socket we may not open
 * (vtysh may), is not said to be down. Rejects with `VtySocketUnavailable` when this FRR's socket
 * folder cannot be listed (FRR lives elsewhere: only vtysh can tell).
 */
export async function daemonsNotListening(frr: FrrContext, daemons: readonly string[]): Promise<string[]> {
  const present = new Set(await daemonsWithSockets(frr));
  const dir = vtySocketDir(frr)!;
  const down = await Promise.all(daemons.map(async (d) => (present.has(d) && (await listening(join(dir, `${d}.vty`))) ? undefined : d)));
  return down.filter((d): d is string => d !== undefined);
}

/**
 * Which incarnation of each of `daemons` owns its vty socket now: the socket file's device, inode
 * and change time in nanoseconds (a daemon unlinks and binds its socket anew when it starts, so a
 * daemon watchfrr restarted has another; the time tells it apart even where the file system hands
 * the freed inode number to the new file), `absent` when there is none. Compared before and after
 * an apply, it tells a failure caused by a daemon restarting meanwhile from FRR refusing the
 * config. Rejects with `VtySocketUnavailable` as `daemonsNotListening` does.
 */
export async function vtySocketIdentities(frr: FrrContext, daemons: readonly string[]): Promise<Map<string, string>> {
  const dir = vtySocketDir(frr);
  if (dir === undefined) throw new VtySocketUnavailable('this FRR context uses no vty sockets');
  const ids = await Promise.all(
    daemons.map((d) =>
      lstat(join(dir, `${d}.vty`), { bigint: true }).then(
        (st) => `${st.dev}:${st.ino}:${st.ctimeNs}`,
        () => 'absent',
      ),
    ),
  );
  return new Map(daemons.map((d, i) => [d, ids[i]!]));
}

function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const done = (answer: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(true), CONNECT_PROBE_MS);
    socket.on('connect', () => done(true));
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT'));
  });
}

function exchange(path: string, daemon: string, commands: readonly string[], timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const answers: string[] = [];
    let chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err === undefined) resolve(answers);
      else reject(err);
    };
    const timer = setTimeout(() => finish(new Error(`${daemon}: no answer on its vty socket within ${timeoutMs} ms`)), timeoutMs);
    const sendNext = (): void => {
      socket.write(`${commands[answers.length]}\0`);
    };
    socket.on('connect', sendNext);
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      received += data.length;
      // The daemon sends nothing after an answer's end mark until it gets the next command, so
      // the mark, when it has come, is the last four bytes received.
      if (received < END_MARK_LENGTH) return;
      const tail = lastBytes(chunks, END_MARK_LENGTH);
      if (tail[0] !== 0 || tail[1] !== 0 || tail[2] !== 0) return;
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
      const text = all.toString('utf8', 0, received - END_MARK_LENGTH);
      chunks = [];
      received = 0;
      const status = tail[3]!;
      if (status !== CMD_SUCCESS) {
        const command = commands[answers.length]!;
        const message = text.trim().split('\n')[0] ?? '';
        finish(new Error(`${daemon}: "${redactPasswords(command)}" failed (status ${status})${message === '' ? '' : `: ${redactPasswords(message)}`}`));
        return;
      }
      answers.push(text);
      if (answers.length === commands.length) finish(undefined);
      else sendNext();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const absent = err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'ENOTDIR' || err.code === 'EPERM';
      const message = `${daemon}: cannot talk on ${path}: ${err.code ?? err.message}`;
      finish(absent ? new VtySocketUnavailable(message, { cause: err }) : new Error(message, { cause: err }));
    });
    socket.on('close', () => finish(new Error(`${daemon}: closed its vty socket before answering`)));
  });
}

/** The last `n` bytes of the chunks (which together hold at least `n`). */
function lastBytes(chunks: readonly Buffer[], n: number): number[] {
  const out: number[] = [];
  for (let c = chunks.length - 1; c >= 0 && out.length < n; c--) {
    const chunk = chunks[c]!;
    for (let i = chunk.length - 1; i >= 0 && out.length < n; i--) out.unshift(chunk[i]!);
  }
  return out;
}
