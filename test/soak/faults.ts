/**
 * The faults the soak injects while it changes the input. Each is real except where a fake is the
 * fault itself (the hanging vtysh): FRR's daemons are killed with SIGKILL and brought back by
 * FRR's own watchfrr, FRR is stopped and started with frrinit.sh, frr.conf is made immutable and
 * its disk filled on the soak's own tmpfs, and the fake API server drops, expires, fails and stalls
 * the sidecar's requests.
 *
 * `clear` returns when the fault is over as the world sees it (the daemon runs again, the file is
 * writable again): the convergence clock starts then.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeApiServer } from '../integration/fake-apiserver.js';
import type { FrrInstance } from '../harness/frr-instance.js';
import { runFrrinit, startPathspace, TEST_DAEMONS } from '../harness/pathspace.js';
import { sh } from '../harness/system.js';
import type { SmallDisk } from './disk.js';

export interface FaultEnv {
  readonly speaker: FrrInstance;
  /** The tmpfs holding the sidecar's frr.conf (`--frr-config`). */
  readonly disk: SmallDisk;
  readonly configFile: string;
  /** While this file exists, the `--vtysh` wrapper hangs (`hangingVtysh`). */
  readonly hangFlag: string;
  /** The fake API server, from the Kubernetes phase on. */
  server: FakeApiServer | undefined;
  /** When FRR and each daemon last (re)started: watchfrr delays a restart that comes too soon after the last. */
  readonly history: FrrHistory;
}

export interface FrrHistory {
  frrStartedAt: number;
  readonly restartedAt: Map<string, number>;
}

export interface Fault {
  readonly name: string;
  /**
   * FRR resets sessions in answer to it (a daemon gone, FRR restarted): the session-reset
   * invariant does not look at episodes with such a fault.
   */
  readonly disruptive: boolean;
  /** `k8s`: only with the Kubernetes source. */
  readonly source: 'any' | 'k8s';
  /** False while watchfrr would delay the restart (its minimum restart interval, 60 s). */
  eligible(env: FaultEnv, now: number): boolean;
  inject(env: FaultEnv): Promise<void>;
  clear(env: FaultEnv): Promise<void>;
}

/**
 * watchfrr restarts a daemon at once the first time, but not again within its minimum restart
 * interval (60 s); a dead zebra makes it restart every daemon, not before 60 s after FRR started
 * (measured on 10.3: ~65 s). A little margin on top.
 */
const WATCHFRR_INTERVAL_MS = 70_000;
/** How long FRR may take to bring a killed daemon back (zebra: every daemon, after the interval). */
const DAEMON_BACK_TIMEOUT_MS = 120_000;

/** `/bin/sh` program given to the sidecar as `--vtysh`: hangs while `flag` exists, then runs the real vtysh. */
export function hangingVtysh(realVtysh: string, flag: string): string {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    '# frr-renderer soak: a vtysh that hangs while the fault is on (the flag file exists).',
    `while [ -e ${quote(flag)} ]; do sleep 0.1; done`,
    `exec ${quote(realVtysh)} "$@"`,
    '',
  ].join('\n');
}

function daemonPid(env: FaultEnv, daemon: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(env.speaker.runDir, `${daemon}.pid`), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Every daemon `Up` in `show watchfrr` (asked with the real vtysh, never the hanging one). */
async function daemonsUp(env: FaultEnv): Promise<boolean> {
  const s = env.speaker;
  const args = s.hasPathspace ? ['-N', s.name] : [];
  const out = await sh(s.installation.vtysh, [...args, '-c', 'show watchfrr'], 10_000).then(
    (r) => r.stdout,
    () => '',
  );
  return TEST_DAEMONS.every((d) => new RegExp(`^\\s*${d}\\s+Up\\b`, 'm').test(out));
}

async function until(what: string, timeoutMs: number, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`fault did not clear: ${what} not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function killDaemon(daemon: 'bgpd' | 'zebra' | 'bfdd'): Fault {
  let killed: number | undefined;
  return {
    name: `${daemon} killed`,
    disruptive: true,
    source: 'any',
    eligible(env, now) {
      const last = Math.max(env.history.restartedAt.get(daemon) ?? 0, daemon === 'zebra' ? env.history.frrStartedAt : 0);
      return now - last >= WATCHFRR_INTERVAL_MS;
    },
    async inject(env) {
      killed = daemonPid(env, daemon);
      if (killed === undefined) throw new Error(`no pid file for ${daemon}`);
      process.kill(killed, 'SIGKILL');
    },
    async clear(env) {
      await until(`watchfrr to bring ${daemon} back`, DAEMON_BACK_TIMEOUT_MS, async () => {
        const pid = daemonPid(env, daemon);
        return pid !== undefined && pid !== killed && (await daemonsUp(env));
      });
      const now = Date.now();
      // A dead zebra takes every daemon down and up again.
      for (const d of daemon === 'zebra' ? TEST_DAEMONS : [daemon]) env.history.restartedAt.set(d, now);
    },
  };
}

const frrRestart: Fault = {
  name: 'FRR stopped and started',
  disruptive: true,
  source: 'any',
  eligible: () => true,
  async inject(env) {
    const s = env.speaker;
    await runFrrinit([s.installation.frrinit, 'stop', s.name], s.name);
  },
  async clear(env) {
    const s = env.speaker;
    await startPathspace(s.name, s.installation, 60_000);
    env.history.frrStartedAt = Date.now();
    env.history.restartedAt.clear();
  },
};

const vtyshHang: Fault = {
  name: 'vtysh hangs',
  disruptive: false,
  source: 'any',
  eligible: () => true,
  async inject(env) {
    writeFileSync(env.hangFlag, '');
  },
  async clear(env) {
    rmSync(env.hangFlag, { force: true });
  },
};

const unwritable: Fault = {
  name: 'frr.conf unwritable',
  disruptive: false,
  source: 'any',
  eligible: () => true,
  async inject(env) {
    env.disk.setImmutable(env.configFile, true);
  },
  async clear(env) {
    env.disk.setImmutable(env.configFile, false);
  },
};

const diskFull: Fault = {
  name: 'disk full',
  disruptive: false,
  source: 'any',
  eligible: () => true,
  async inject(env) {
    env.disk.fill();
  },
  async clear(env) {
    env.disk.unfill();
  },
};

function server(env: FaultEnv): FakeApiServer {
  if (env.server === undefined) throw new Error('a Kubernetes fault without the fake API server');
  return env.server;
}

/** Removes the fake API server faults a Kubernetes fault added, by fault name. */
const undo = new Map<string, () => void>();

function undoFault(name: string): void {
  undo.get(name)?.();
  undo.delete(name);
}

const DROP = 'Kubernetes connections dropped';
const k8sDrop: Fault = {
  name: DROP,
  disruptive: false,
  source: 'k8s',
  eligible: () => true,
  async inject(env) {
    const s = server(env);
    s.dropWatches();
    // The reconnects fail too for a while.
    undo.set(DROP, s.fault({ action: { drop: true }, times: 6 }));
  },
  async clear() {
    undoFault(DROP);
  },
};

const k8sGone: Fault = {
  name: 'Kubernetes 410 Gone (history compacted)',
  disruptive: false,
  source: 'k8s',
  eligible: () => true,
  async inject(env) {
    const s = server(env);
    s.compact();
    s.expireWatches();
  },
  async clear() {
    // Instantaneous: the next list succeeds.
  },
};

const E500 = 'Kubernetes 500s';
const k8s500: Fault = {
  name: E500,
  disruptive: false,
  source: 'k8s',
  eligible: () => true,
  async inject(env) {
    const s = server(env);
    undo.set(E500, s.fault({ action: { status: 500, message: 'injected by the soak' } }));
    s.dropWatches();
  },
  async clear() {
    undoFault(E500);
  },
};

const STALL = 'Kubernetes API stalls';
const k8sStall: Fault = {
  name: STALL,
  disruptive: false,
  source: 'k8s',
  eligible: () => true,
  async inject(env) {
    const s = server(env);
    // Open watches deliver nothing, new requests get no answer: a hung API server.
    s.silence(undefined, true);
    undo.set(STALL, s.fault({ match: (r) => !r.watch, action: { hang: true } }));
  },
  async clear(env) {
    const s = server(env);
    undoFault(STALL);
    s.unsilence();
    // It comes back as a restarted server: every connection it held is gone.
    s.dropConnections();
  },
};

export function allFaults(): Fault[] {
  return [killDaemon('bgpd'), killDaemon('zebra'), killDaemon('bfdd'), frrRestart, vtyshHang, unwritable, diskFull, k8sDrop, k8sGone, k8s500, k8sStall];
}

/** Puts everything back whatever state a fault was left in (the end of the run, or an error). */
export async function clearAll(env: FaultEnv): Promise<void> {
  rmSync(env.hangFlag, { force: true });
  try {
    env.disk.setImmutable(env.configFile, false);
  } catch {
    // No frr.conf yet.
  }
  env.disk.unfill();
  for (const f of undo.values()) f();
  undo.clear();
  if (env.server) {
    env.server.unsilence();
    env.server.clearFaults();
  }
}
