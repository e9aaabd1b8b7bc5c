/**
 * The daemons' vty sockets on real FRR, on each release: what the sidecar's polls read there is
 * what vtysh reads, a context without usable sockets falls back to vtysh, and the config
 * fingerprints built from them see a hand edit (password included); the drift check's ignores a
 * debug switch set by hand.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrrContext } from '../../src/frr/context.js';
import { readEnvironment } from '../../src/frr/environment.js';
import { gatherFrrState } from '../../src/frr/frr-state.js';
import { createFrrTarget } from '../../src/frr/frr-target.js';
import type { CommandRunner } from '../../src/frr/run.js';
import { realConfigFiles } from '../../src/frr/write-file.js';
import { askDaemon, configFingerprint, daemonsNotListening, daemonsWithSockets, eachDaemonsConfig, vtySocketIdentities, VtySocketUnavailable } from '../../src/frr/vty-socket.js';
import { cleanupStale, describeWithFrr, FrrInstance } from '../harness/index.js';

const FRR_TIMEOUT_MS = 60_000;

const SPEAKER = [
  'frr defaults traditional',
  'router bgp 64512',
  ' bgp router-id 192.0.2.10',
  ' no bgp ebgp-requires-policy',
  ' neighbor 192.0.2.1 remote-as 64513',
  ' neighbor 192.0.2.1 password s0cket-test-pw',
  ' neighbor 192.0.2.1 bfd',
  ' neighbor 2001:db8::1 remote-as 64513',
  'exit',
  'bfd',
  ' profile slow',
  '  detect-multiplier 5',
  ' exit',
  'exit',
  '',
].join('\n');

function configLines(text: string): string[] {
  const framing = /^(!|end|Building configuration\.\.\.|Current configuration:)?$/;
  return text.split('\n').filter((l) => !framing.test(l.trim()));
}

/** The same context with its vtysh calls counted: the socket path must make none. */
function counting(frr: FrrContext): { frr: FrrContext; calls: string[] } {
  const calls: string[] = [];
  const run: CommandRunner = (file, args, opts) => {
    calls.push(args.join(' '));
    return frr.run(file, args, opts);
  };
  return { frr: { ...frr, run }, calls };
}

describeWithFrr('vty sockets on real FRR', () => {
  let speaker: FrrInstance;
  let workDir = '';

  beforeAll(async () => {
    await cleanupStale();
    workDir = await mkdtemp(join(tmpdir(), 'frrt-vty-'));
    speaker = await FrrInstance.start('vty');
    await speaker.configure(SPEAKER.split('\n').filter((l) => l !== ''));
  }, FRR_TIMEOUT_MS * 2);

  afterAll(async () => {
    await speaker?.destroy();
    if (workDir !== '') await rm(workDir, { recursive: true, force: true });
  }, FRR_TIMEOUT_MS);

  it('lists the daemons that have a socket', async () => {
    const daemons = await daemonsWithSockets(speaker.frr);
    expect(daemons).toEqual(expect.arrayContaining(['bfdd', 'bgpd', 'staticd', 'zebra']));
    expect([...daemons].sort()).toEqual(daemons);
  });

  it("answers each daemon's commands as vtysh -d does", async () => {
    const [viaSocket] = await askDaemon(speaker.frr, 'bgpd', ['show running-config']);
    const viaVtysh = await speaker.show('show running-config', { daemon: 'bgpd', keepPasswords: true });
    expect(viaSocket).toContain('neighbor 192.0.2.1 password s0cket-test-pw');
    // vtysh adds its headers, its own `service integrated-vtysh-config` and `end`, and folds the
    // daemon's `!` separators; every configuration line is the same, in the same order.
    expect(configLines(viaSocket!)).toEqual(configLines(viaVtysh).filter((l) => l !== 'service integrated-vtysh-config'));
    expect(configLines(viaSocket!)).toContain(' neighbor 2001:db8::1 remote-as 64513');
    const [bfd] = await askDaemon(speaker.frr, 'bfdd', ['show bfd peers json']);
    const peers = (JSON.parse(bfd!) as { peer: string }[]).map((p) => p.peer);
    expect(peers).toEqual([(JSON.parse(await speaker.show('show bfd peers json')) as { peer: string }[])[0]!.peer]);
    expect(peers).toEqual(['192.0.2.1']);
  }, FRR_TIMEOUT_MS);

  it('reads the sessions over the sockets without starting vtysh, and with vtysh when there are none', async () => {
    const sockets = counting(speaker.frr);
    const viaSockets = await gatherFrrState(sockets.frr);
    expect(sockets.calls).toEqual([]);
    expect(viaSockets.errors).toEqual([]);
    expect(viaSockets.version).toMatch(/^\d+\.\d+/);

    const empty = counting({ ...speaker.frr, vtyDir: workDir });
    const viaVtysh = await gatherFrrState(empty.frr);
    expect(empty.calls.length).toBeGreaterThan(0);
    expect(viaVtysh.errors).toEqual([]);

    const summary = (s: typeof viaSockets) => ({
      version: s.version,
      neighbors: s.neighbors.map((n) => [n.vrf, n.id, n.established, n.bfdStatus]),
      bfd: s.bfdPeers.map((p) => [p.vrf, p.peer]),
    });
    expect(summary(viaSockets)).toEqual(summary(viaVtysh));
    // The release and forwarding, asked before every apply: zebra's socket, the same answers.
    expect(await readEnvironment(sockets.frr)).toEqual(await readEnvironment(empty.frr));
    // The harness turns forwarding on in its namespaces (test/harness/namespaces.ts).
    expect(await readEnvironment(sockets.frr)).toMatchObject({ forwarding: { ipv4: true, ipv6: true } });
    expect(sockets.calls).toEqual([]);
    expect(summary(viaSockets).neighbors.map((n) => n[1])).toEqual(expect.arrayContaining(['192.0.2.1', '2001:db8::1']));
  }, FRR_TIMEOUT_MS);

  it('says why a command failed, and never sends a line break', async () => {
    await expect(askDaemon(speaker.frr, 'bgpd', ['show no-such-thing'])).rejects.toThrow(/bgpd: "show no-such-thing" failed \(status \d+\)/);
    await expect(askDaemon(speaker.frr, 'bgpd', ['show version\nconfigure terminal'])).rejects.toThrow(/control character/);
    await expect(askDaemon({ ...speaker.frr, vtyDir: workDir }, 'bgpd', ['show version'])).rejects.toBeInstanceOf(VtySocketUnavailable);
  }, FRR_TIMEOUT_MS);

  it("the drift check's fingerprint ignores a debug switch set by hand, over the sockets too", async () => {
    const sockets = counting(speaker.frr);
    const target = createFrrTarget({ frr: sockets.frr, configPath: join(workDir, 'frr.conf'), files: realConfigFiles });
    const before = await target.fingerprint();
    const statusBefore = await configFingerprint(speaker.frr);
    await speaker.configure(['debug bgp updates']);
    try {
      expect(await target.fingerprint()).toBe(before);
      // The status view shows the running config as it is, debug lines included: it is read again.
      expect(await configFingerprint(speaker.frr)).not.toBe(statusBefore);
    } finally {
      await speaker.configure(['no debug bgp updates']);
    }
    expect(sockets.calls).toEqual([]);
    await speaker.configure(['router bgp 64512', ' neighbor 192.0.2.1 description drift']);
    expect(await target.fingerprint()).not.toBe(before);
    await speaker.configure(['router bgp 64512', ' no neighbor 192.0.2.1 description drift']);
  }, FRR_TIMEOUT_MS);

  it('fingerprints a hand edit and a password change', async () => {
    const before = await configFingerprint(speaker.frr);
    expect(await configFingerprint(speaker.frr)).toBe(before);
    expect(await eachDaemonsConfig(speaker.frr)).toMatch(/^daemon bfdd\n/);

    await speaker.configure(['router bgp 64512', ' neighbor 192.0.2.1 password other-test-pw']);
    const afterPassword = await configFingerprint(speaker.frr);
    expect(afterPassword).not.toBe(before);

    await speaker.configure(['router bgp 64512', ' neighbor 192.0.2.1 description edited-by-hand']);
    expect(await configFingerprint(speaker.frr)).not.toBe(afterPassword);
  }, FRR_TIMEOUT_MS);

  // Last: bgpd comes back empty. watchfrr is held (SIGSTOP) so bgpd stays down while it is looked at.
  it('tells a killed daemon from a live one by its socket, until watchfrr brought it back', async () => {
    const pid = (daemon: string) => Number(readFileSync(join(speaker.runDir, `${daemon}.pid`), 'utf8').trim());
    const watchfrr = pid('watchfrr');
    const bgpd = pid('bgpd');
    expect(await daemonsNotListening(speaker.frr, ['bfdd', 'bgpd', 'zebra'])).toEqual([]);
    const before = await vtySocketIdentities(speaker.frr, ['bgpd', 'zebra']);
    expect(await vtySocketIdentities(speaker.frr, ['bgpd', 'zebra'])).toEqual(before); // stable while nothing restarts
    process.kill(watchfrr, 'SIGSTOP');
    try {
      process.kill(bgpd, 'SIGKILL');
      // Its socket is closed once the kernel has torn down all its threads (a moment after the kill).
      await waitFor(async () => (await daemonsNotListening(speaker.frr, ['bgpd'])).length === 1, 10_000);
      // The socket file is still there; nobody listens on it. The other daemons do.
      expect(existsSync(join(speaker.runDir, 'bgpd.vty'))).toBe(true);
      expect(await daemonsNotListening(speaker.frr, ['bfdd', 'bgpd', 'zebra'])).toEqual(['bgpd']);
    } finally {
      process.kill(watchfrr, 'SIGCONT');
    }
    await waitFor(async () => (await daemonsNotListening(speaker.frr, ['bgpd'])).length === 0, 30_000);
    expect(pid('bgpd')).not.toBe(bgpd);
    // The restarted bgpd bound its socket anew: an apply failing meanwhile is told to be FRR away.
    const after = await vtySocketIdentities(speaker.frr, ['bgpd', 'zebra']);
    expect(after.get('bgpd')).not.toBe(before.get('bgpd'));
    expect(after.get('zebra')).toBe(before.get('zebra'));
  }, FRR_TIMEOUT_MS);
});

async function waitFor(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
