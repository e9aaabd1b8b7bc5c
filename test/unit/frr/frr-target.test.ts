/**
 * Issue 14, item 4: every apply failure is thrown as the stage it is, with what FRR runs afterwards
 * (left as it was, rolled back and verified, rollback failed, or nothing to roll back to). FRR is a
 * small model here (what it runs, which loads fail); the real-FRR cases are in
 * test/frr/apply-verification.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { ApplyError } from '../../../src/frr/apply-error.js';
import type { FrrContext } from '../../../src/frr/context.js';
import { createFrrTarget } from '../../../src/frr/frr-target.js';
import { spawnRunner, type CommandRunner } from '../../../src/frr/run.js';
import { realConfigFiles, type ConfigFiles } from '../../../src/frr/write-file.js';
import { ensureBuilt, ROOT } from '../../hostile/run.js';

const GOOD = 'router bgp 64500\n neighbor 192.0.2.1 remote-as 64501\n';
const NEW = 'router bgp 64500\n neighbor 192.0.2.1 remote-as 64502\n';

/** FRR as far as the target sees it: the config it runs; `--reload` of a file `failsFor` names fails half-way. */
function modelFrr(failsFor: (text: string) => boolean): { run: CommandRunner; running: () => string } {
  let running = GOOD;
  const run: CommandRunner = async (_file, args) => {
    const path = args[args.length - 1]!;
    if (args.includes('-C')) return { exitCode: 0, stdout: '', stderr: '' };
    if (args.includes('-c')) return { exitCode: 0, stdout: running, stderr: '' };
    if (args.includes('--reload')) {
      const text = readFileSync(path, 'utf8');
      if (failsFor(text)) {
        running = `${GOOD}! half-way\n`;
        return { exitCode: 1, stdout: '', stderr: 'vtysh failed to process new configuration' };
      }
      running = text;
      return { exitCode: 0, stdout: '', stderr: '' };
    }
    if (args.includes('--test')) {
      const same = readFileSync(path, 'utf8') === running;
      return { exitCode: 0, stdout: same ? '' : 'Lines To Add\n============\n! something\n', stderr: '' };
    }
    throw new Error(`unexpected ${args.join(' ')}`);
  };
  return { run, running: () => running };
}

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'frr-target-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function failure(p: Promise<unknown>): Promise<ApplyError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApplyError);
  return e as ApplyError;
}

describe('createFrrTarget: a failed apply says its stage and what FRR runs after it', () => {
  it('reload failure: rolled back to the last good config, verified', async () => {
    const frr = modelFrr((t) => t === NEW);
    const target = createFrrTarget({ frr: { run: frr.run, pathspace: 'p' }, configPath: join(dir, 'frr.conf'), files: realConfigFiles });
    const e = await failure(target.apply(NEW, GOOD));
    expect(e).toMatchObject({ stage: 'reload', frr: 'rolledBack' });
    expect(frr.running()).toBe(GOOD);
  });

  it('rollback failure: recorded with its reason, FRR is not known to run anything', async () => {
    const frr = modelFrr(() => true);
    const target = createFrrTarget({ frr: { run: frr.run, pathspace: 'p' }, configPath: join(dir, 'frr.conf'), files: realConfigFiles });
    const e = await failure(target.apply(NEW, GOOD));
    expect(e).toMatchObject({ stage: 'reload', frr: 'rollbackFailed', rollbackError: expect.stringContaining('vtysh failed to process new configuration') });
  });

  it('a first apply that fails has nothing to roll back to', async () => {
    const frr = modelFrr(() => true);
    const target = createFrrTarget({ frr: { run: frr.run, pathspace: 'p' }, configPath: join(dir, 'frr.conf'), files: realConfigFiles });
    expect(await failure(target.apply(NEW, undefined))).toMatchObject({ stage: 'reload', frr: 'noRollback' });
  });

  it('a write that fails is the write stage, before FRR is touched', async () => {
    const frr = modelFrr(() => false);
    const full: ConfigFiles = {
      write: async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
    };
    const target = createFrrTarget({ frr: { run: frr.run, pathspace: 'p' }, configPath: join(dir, 'frr.conf'), files: full });
    const e = await failure(target.apply(NEW, GOOD));
    expect(e).toMatchObject({ stage: 'write', frr: 'untouched' });
    expect(e.message).toContain('no space left on device');
    expect(frr.running()).toBe(GOOD);
  });

  it('vtysh missing: the reload stage (a program that cannot run), FRR untouched', async () => {
    const frr: FrrContext = { run: spawnRunner, pathspace: 'p', vtysh: join(dir, 'no-such-vtysh'), reloadScript: join(dir, 'no-such-frr-reload.py') };
    const target = createFrrTarget({ frr, configPath: join(dir, 'frr.conf'), files: realConfigFiles });
    const e = await failure(target.apply(NEW, GOOD));
    expect(e).toMatchObject({ stage: 'reload', frr: 'untouched' });
    expect(e.message).toContain('no-such-vtysh');
  });
});

describe('createFrrTarget: both loads overlap their reads with their checks', () => {
  /**
   * FRR running `initial`, each program taking 40 ms and logged at its start and end; `vtysh -f`
   * (cold load) and `frr-reload.py --reload` make it run the file.
   */
  function timedFrr(initial: string): { run: CommandRunner; log: string[]; running: () => string } {
    let running = initial;
    const log: string[] = [];
    const run: CommandRunner = async (_file, args) => {
      const what = args.includes('-C')
        ? 'syntax'
        : args.includes('-f')
          ? 'load'
          : args.includes('--reload')
            ? 'reload'
            : args.includes('--test')
              ? 'test'
              : args.includes('-d')
                ? 'bgpd config'
                : args.includes('-c')
                  ? 'show'
                  : args.join(' ');
      log.push(`start ${what}`);
      await new Promise((r) => setTimeout(r, 40));
      log.push(`end ${what}`);
      if (what === 'load' || what === 'reload') running = readFileSync(args[args.length - 1]!, 'utf8');
      if (what === 'test') {
        const same = readFileSync(args[args.length - 1]!, 'utf8') === running;
        return { exitCode: 0, stdout: same ? '' : 'Lines To Add\n============\n! something\n', stderr: '' };
      }
      return { exitCode: 0, stdout: what === 'show' || what === 'bgpd config' ? running : '', stderr: '' };
    };
    return { run, log, running: () => running };
  }

  it('cold load (an FRR without router bgp): reads the running config while vtysh -C runs, and reads back beside frr-reload.py --test', async () => {
    const frr = timedFrr('frr version 8.4.4\n!\nend\n');
    const target = createFrrTarget({ frr: { run: frr.run, pathspace: 'p' }, configPath: join(dir, 'frr.conf'), files: realConfigFiles });
    const outcome = await target.apply(GOOD, undefined);
    expect(outcome.path).toBe('cold');
    expect(frr.running()).toBe(GOOD);
    const at = (line: string) => frr.log.indexOf(line);
    // Before the load: the running config is read while the syntax check runs.
    expect(at('start show')).toBeLessThan(at('end syntax'));
    expect(at('end syntax')).toBeLessThan(at('start load'));
    // After it: bgpd's own config and the running config are read while frr-reload.py --test runs.
    const afterLoad = frr.log.slice(at('end load'));
    expect(afterLoad.indexOf('start bgpd config')).toBeLessThan(afterLoad.indexOf('end test'));
    expect(afterLoad.indexOf('start show')).toBeLessThan(afterLoad.indexOf('end test'));
    expect(afterLoad.indexOf('start test')).toBeGreaterThanOrEqual(0);
  });

  it("full reload: reads bgpd's config and the running config while frr-reload.py --test runs after the --reload", async () => {
    const frr = timedFrr(GOOD);
    const target = createFrrTarget({ frr: { run: frr.run, pathspace: 'p' }, configPath: join(dir, 'frr.conf'), files: realConfigFiles, fastPath: false });
    const withRouteMap = `${NEW}route-map rm permit 10\nexit\n`;
    const outcome = await target.apply(withRouteMap, GOOD);
    expect(outcome.path).toBe('reload');
    expect(frr.running()).toBe(withRouteMap);
    const afterReload = frr.log.slice(frr.log.indexOf('end reload'));
    expect(afterReload.indexOf('start test')).toBeGreaterThanOrEqual(0);
    expect(afterReload.indexOf('start bgpd config')).toBeLessThan(afterReload.indexOf('end test'));
    expect(afterReload.indexOf('start show')).toBeLessThan(afterReload.indexOf('end test'));
  });
});

describe('createFrrTarget: a read beside the verification that fails (bgpd killed under it)', () => {
  // Found by the soak: the read rejected while frr-reload.py --test still ran, nobody awaited it
  // yet, and Node ended the sidecar for an unhandled rejection. Jest keeps a test alive through
  // one, so the apply runs in a Node process of its own, from the build, as the sidecar does.
  it('fails the apply with it, after the verification, and the process lives on', async () => {
    await ensureBuilt();
    const script = join(dir, 'apply.mjs');
    const dist = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, 'dist', path)).href);
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
import { createFrrTarget } from ${dist('frr/frr-target.js')};
import { realConfigFiles } from ${dist('frr/write-file.js')};
let running = ${JSON.stringify(GOOD)};
const run = async (_file, args) => {
  if (args.includes('-d')) throw new Error('bgpd: connection refused');
  if (args.includes('--test')) await new Promise((r) => setTimeout(r, 200)); // the read fails meanwhile
  if (args.includes('--reload')) running = readFileSync(args[args.length - 1], 'utf8');
  if (args.includes('--test')) {
    const same = readFileSync(args[args.length - 1], 'utf8') === running;
    return { exitCode: 0, stdout: same ? '' : 'Lines To Add\\n============\\n! something\\n', stderr: '' };
  }
  return { exitCode: 0, stdout: args.includes('-c') ? running : '', stderr: '' };
};
const target = createFrrTarget({ frr: { run, pathspace: 'p' }, configPath: ${JSON.stringify(join(dir, 'frr.conf'))}, files: realConfigFiles, fastPath: false });
await target.apply(${JSON.stringify(`${NEW}route-map rm permit 10
exit
`)}, undefined).then(
  () => console.log('applied'),
  (e) => console.log('failed: ' + e.message),
);
await new Promise((r) => setTimeout(r, 100));
console.log('alive');
`,
    );
    const r = await execa('node', [script], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('failed: bgpd: connection refused\nalive');
  }, 120_000);
});

describe('createFrrTarget.difference: what FRR would have to change to run a config (adoption at start, drift check)', () => {
  /** FRR running `running`; records every program call. */
  function recording(running: string): { frr: FrrContext; calls: string[] } {
    const calls: string[] = [];
    const run: CommandRunner = async (file, args) => {
      calls.push([file, ...args].join(' '));
      if (args.includes('-c')) return { exitCode: 0, stdout: running, stderr: '' };
      if (args.includes('--test')) {
        const same = readFileSync(args[args.length - 1]!, 'utf8') === running;
        return { exitCode: 0, stdout: same ? '' : 'Lines To Add\n============\n! something\n', stderr: '' };
      }
      throw new Error(`unexpected ${args.join(' ')}`);
    };
    return { frr: { run, pathspace: 'p' }, calls };
  }

  it('an FRR that runs no BGP (just started) runs none of it: every line to add, known from show running-config without frr-reload.py (issue 12, item 5)', async () => {
    const { frr, calls } = recording('frr version 8.4.4\nfrr defaults traditional\n!\nend\n');
    const target = createFrrTarget({ frr, configPath: join(dir, 'frr.conf'), files: realConfigFiles });
    // Every line of the config is to add; no frr-reload.py run to find that out.
    expect(await target.difference(GOOD)).toEqual(['+ router bgp 64500', '+  neighbor 192.0.2.1 remote-as 64501']);
    expect(calls.some((c) => c.includes('--test'))).toBe(false);
    expect(calls.some((c) => c.includes('show running-config'))).toBe(true);
  });

  it('an FRR that runs BGP: frr-reload.py --test decides, both ways', async () => {
    const same = recording(GOOD);
    expect(await createFrrTarget({ frr: same.frr, configPath: join(dir, 'frr.conf'), files: realConfigFiles }).difference(GOOD)).toEqual([]);
    expect(same.calls.some((c) => c.includes('--test'))).toBe(true);
    const other = recording(GOOD);
    expect(await createFrrTarget({ frr: other.frr, configPath: join(dir, 'frr.conf'), files: realConfigFiles }).difference(NEW)).toEqual(['+ ! something']);
    expect(other.calls.some((c) => c.includes('--test'))).toBe(true);
  });

  it('when show running-config fails, frr-reload.py --test still decides', async () => {
    const calls: string[] = [];
    const run: CommandRunner = async (_file, args) => {
      calls.push(args.join(' '));
      if (args.includes('-c')) return { exitCode: 1, stdout: '', stderr: 'bgpd is not running' };
      if (args.includes('--test')) return { exitCode: 0, stdout: '', stderr: '' };
      throw new Error(`unexpected ${args.join(' ')}`);
    };
    expect(await createFrrTarget({ frr: { run, pathspace: 'p' }, configPath: join(dir, 'frr.conf'), files: realConfigFiles }).difference(GOOD)).toEqual([]);
    expect(calls.some((c) => c.includes('--test'))).toBe(true);
  });
});

// Found by the soak: with bgpd killed, each apply ran frr-reload.py and its rollback for seconds,
// failing; the one running when watchfrr brought bgpd back delayed the config past 5 s.
describe('createFrrTarget: a daemon the config needs does not answer on its vty socket', () => {
  /** A socket file nobody listens on, as a killed daemon leaves it (Node would unlink its own). */
  function staleSocket(path: string): void {
    execFileSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);
  }

  async function listen(path: string): Promise<Server> {
    const server = createServer((c) => c.destroy());
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return server;
  }

  it('fails at once naming it, touching neither FRR nor a file; daemonsDown says which, until it answers', async () => {
    const vtyDir = join(dir, 'run');
    mkdirSync(vtyDir);
    const servers = [await listen(join(vtyDir, 'zebra.vty'))];
    staleSocket(join(vtyDir, 'bgpd.vty'));
    const calls: string[] = [];
    const run: CommandRunner = async (file, args) => {
      calls.push([file, ...args].join(' '));
      throw new Error('FRR must not be asked');
    };
    const target = createFrrTarget({ frr: { run, vtyDir }, configPath: join(dir, 'frr.conf'), files: realConfigFiles });
    try {
      expect(await target.daemonsDown(GOOD)).toEqual(['bgpd']);
      // BFD in the config: bfdd is needed too, and has no socket at all.
      expect(await target.daemonsDown(`${GOOD}bfd\n profile fast\n exit\nexit\n`)).toEqual(['bfdd', 'bgpd']);
      const e = await failure(target.apply(NEW, GOOD));
      expect(e).toMatchObject({ stage: 'reload', frr: 'untouched' });
      expect(e.message).toMatch(/^FRR's bgpd does not answer on its vty socket .*nothing was applied; retried as soon as FRR answers$/);
      expect(calls).toEqual([]);
      expect(existsSync(join(dir, 'frr.conf'))).toBe(false);
      expect(existsSync(join(dir, 'frr.conf.candidate'))).toBe(false);

      rmSync(join(vtyDir, 'bgpd.vty'));
      servers.push(await listen(join(vtyDir, 'bgpd.vty'))); // watchfrr brought it back
      expect(await target.daemonsDown(GOOD)).toEqual([]);
    } finally {
      for (const s of servers) s.close();
    }
  });

  it('a refusal says FRR was away (frrAway): the reconciler retries when it answers, not after a backoff', async () => {
    const vtyDir = join(dir, 'run');
    mkdirSync(vtyDir);
    const server = await listen(join(vtyDir, 'zebra.vty'));
    staleSocket(join(vtyDir, 'bgpd.vty'));
    const target = createFrrTarget({ frr: { run: modelFrr(() => false).run, vtyDir }, configPath: join(dir, 'frr.conf'), files: realConfigFiles });
    try {
      expect((await failure(target.apply(NEW, GOOD))).frrAway).toEqual(['bgpd']);
    } finally {
      server.close();
    }
  });

  // Found by the soak (CI, 2026-12-02): bgpd killed while a reload ran; the reload and its rollback
  // failed after seconds, by which time watchfrr had bgpd back, so the recovery probe never saw it
  // down and the retry waited for its backoff: FRR ran the config 5.6 s after the fault cleared.
  it('a failure while a daemon the config needs restarted says so (frrAway); one with the same daemons does not', async () => {
    const vtyDir = join(dir, 'run');
    mkdirSync(vtyDir);
    const servers = [await listen(join(vtyDir, 'zebra.vty')), await listen(join(vtyDir, 'bgpd.vty'))];
    let restartBgpd = false;
    const model = modelFrr((t) => t === NEW);
    const run: CommandRunner = async (file, args, opts) => {
      if (restartBgpd && args.includes('--reload')) {
        // watchfrr's restart: the killed bgpd's socket is unlinked and bound anew by the new one.
        restartBgpd = false;
        servers[1]!.close();
        rmSync(join(vtyDir, 'bgpd.vty'), { force: true });
        servers[1] = await listen(join(vtyDir, 'bgpd.vty'));
      }
      return model.run(file, args, opts);
    };
    const target = createFrrTarget({ frr: { run, vtyDir }, configPath: join(dir, 'frr.conf'), files: realConfigFiles });
    try {
      const refused = await failure(target.apply(NEW, GOOD));
      expect(refused).toMatchObject({ stage: 'reload', frr: 'rolledBack' });
      expect(refused.frrAway).toBeUndefined();
      restartBgpd = true;
      const away = await failure(target.apply(NEW, GOOD));
      expect(away).toMatchObject({ stage: 'reload', frr: 'rolledBack', frrAway: ['bgpd'] });
      expect(restartBgpd).toBe(false);
    } finally {
      for (const s of servers) s.close();
    }
  });

  it('cannot tell without vty sockets (only vtysh could): undefined, and the apply goes on as before', async () => {
    const frr = modelFrr(() => false);
    const target = createFrrTarget({ frr: { run: frr.run, pathspace: 'p' }, configPath: join(dir, 'frr.conf'), files: realConfigFiles });
    expect(await target.daemonsDown(GOOD)).toBeUndefined();
    const missing = createFrrTarget({ frr: { run: frr.run, vtyDir: join(dir, 'no-such-folder') }, configPath: join(dir, 'frr.conf'), files: realConfigFiles });
    expect(await missing.daemonsDown(GOOD)).toBeUndefined();
    await expect(target.apply(NEW, GOOD)).resolves.toMatchObject({ path: 'reload' });
    expect(frr.running()).toBe(NEW);
  });
});
