import type { FrrContext } from '../../../src/frr/context.js';
import { applyConfig, deltaLines, parseReloadTestOutput, testReload } from '../../../src/frr/reload.js';
import { FrrCommandError, type CommandResult, type CommandRunner } from '../../../src/frr/run.js';

const REMAINING_BFD = '\nLines To Delete\n===============\nrouter bgp 64512\n no neighbor 192.0.2.1 bfd\n';

/** A runner that answers each call from a script and records the calls. */
function scriptedRunner(answers: CommandResult[]): { run: CommandRunner; calls: string[][] } {
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    const answer = answers.shift();
    if (answer === undefined) throw new Error(`unexpected call ${file} ${args.join(' ')}`);
    return answer;
  };
  return { run, calls };
}

const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '' });

describe('parseReloadTestOutput', () => {
  it('splits both sections into lines, keeping indentation', () => {
    const stdout = [
      '',
      'Lines To Delete',
      '===============',
      'no bfd',
      'router bgp 64512',
      ' no neighbor 192.0.2.1 bfd',
      '',
      'Lines To Add',
      '============',
      'route-map X-out permit 2',
      ' set community 65535:65282 additive',
      '',
    ].join('\n');
    expect(parseReloadTestOutput(stdout)).toEqual({
      toDelete: ['no bfd', 'router bgp 64512', ' no neighbor 192.0.2.1 bfd'],
      toAdd: ['route-map X-out permit 2', ' set community 65535:65282 additive'],
    });
  });

  it('reads no sections as no change', () => {
    expect(parseReloadTestOutput('\n')).toEqual({ toDelete: [], toAdd: [] });
  });

  it('redacts passwords', () => {
    const stdout = '\nLines To Add\n============\nrouter bgp 64512\n neighbor 192.0.2.1 password hunter2\n';
    expect(parseReloadTestOutput(stdout).toAdd).toEqual(['router bgp 64512', ' neighbor 192.0.2.1 password <redacted>']);
  });
});

describe('testReload', () => {
  it('runs frr-reload.py --test on the pathspace', async () => {
    const { run, calls } = scriptedRunner([ok(REMAINING_BFD)]);
    const frr: FrrContext = { run, pathspace: 'ns1' };
    await expect(testReload(frr, '/tmp/frr.conf')).resolves.toEqual({
      toDelete: ['router bgp 64512', ' no neighbor 192.0.2.1 bfd'],
      toAdd: [],
    });
    expect(calls).toEqual([['/usr/lib/frr/frr-reload.py', '--test', '--pathspace', 'ns1', '/tmp/frr.conf']]);
  });
});

describe('applyConfig', () => {
  it('stops after one pass when nothing is left', async () => {
    const { run, calls } = scriptedRunner([ok(), ok()]);
    await expect(applyConfig({ run }, '/etc/frr/frr.conf.new')).resolves.toEqual({
      passes: 1,
      converged: true,
      rejected: [],
      remaining: { toDelete: [], toAdd: [] },
      reloadErrors: [],
    });
    expect(calls.map((c) => c[1])).toEqual(['--reload', '--test']);
  });

  it('reloads again while --test still reports changes (FRR 8.4.4 BFD removal)', async () => {
    const { run, calls } = scriptedRunner([ok(), ok(REMAINING_BFD), ok(), ok()]);
    await expect(applyConfig({ run }, '/f')).resolves.toMatchObject({ passes: 2, converged: true });
    expect(calls.map((c) => c[1])).toEqual(['--reload', '--test', '--reload', '--test']);
  });

  it('judges only the relevant part of what is left (an operator debug switch FRR keeps does not count)', async () => {
    const debugLeft = '\nLines To Delete\n===============\nno debug bfd peer\n';
    const relevant = (d: { toDelete: readonly string[]; toAdd: readonly string[] }) => ({ toDelete: d.toDelete.filter((l) => !l.startsWith('no debug')), toAdd: d.toAdd });
    await expect(applyConfig({ run: scriptedRunner([ok(), ok(debugLeft)]).run }, '/f', { relevant })).resolves.toMatchObject({ passes: 1, converged: true });
    await expect(applyConfig({ run: scriptedRunner([ok(), ok(debugLeft), ok(), ok(debugLeft), ok(), ok(debugLeft)]).run }, '/f')).resolves.toMatchObject({ passes: 3, converged: false });
  });

  it('gives up after maxPasses and reports what is left', async () => {
    const { run } = scriptedRunner([ok(), ok(REMAINING_BFD), ok(), ok(REMAINING_BFD), ok(), ok(REMAINING_BFD)]);
    await expect(applyConfig({ run }, '/f')).resolves.toEqual({
      passes: 3,
      converged: false,
      rejected: [],
      remaining: { toDelete: ['router bgp 64512', ' no neighbor 192.0.2.1 bfd'], toAdd: [] },
      reloadErrors: [],
    });
  });

  it('checks a non-zero exit instead of trusting it: FRR already where it should be is success', async () => {
    // FRR 8.4.4: frr-reload.py's second internal pass re-sends `neighbor X graceful-restart`,
    // bgpd refuses the repeat and the script exits 1, although the running config is right.
    const refused = { exitCode: 1, stdout: '', stderr: 'line 3: % The Graceful Restart command used is not valid at this moment.' };
    const { run, calls } = scriptedRunner([refused, ok()]);
    await expect(applyConfig({ run }, '/f')).resolves.toEqual({
      passes: 1,
      converged: true,
      rejected: [],
      remaining: { toDelete: [], toAdd: [] },
      reloadErrors: ['frr-reload.py --reload failed (exit 1): line 3: % The Graceful Restart command used is not valid at this moment.'],
    });
    expect(calls.map((c) => c[1])).toEqual(['--reload', '--test']);
  });

  it('fails when frr-reload.py --reload keeps failing and FRR stays different', async () => {
    const failed = { exitCode: 1, stdout: 'vtysh failed to process new configuration', stderr: '' };
    const { run } = scriptedRunner([failed, ok(REMAINING_BFD), failed, ok(REMAINING_BFD), failed, ok(REMAINING_BFD)]);
    const error = await applyConfig({ run }, '/f').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrrCommandError);
    expect((error as Error).message).toBe(
      'frr-reload.py --reload failed (exit 1): vtysh failed to process new configuration',
    );
  });

  it('ends at once when a daemon refused a line and FRR still differs (the line would be refused again)', async () => {
    // What FRR 10.3 printed for a rendered `internet` (measured), shortened.
    const refused = {
      exitCode: 1,
      stdout: "% Malformed communities attribute 'internet 64500:10'\n",
      stderr: 'line 20: Failure to communicate[13] to bgpd, line:  set community internet 64500:10 additive\n\n',
    };
    const missing = '\nLines To Add\n============\nroute-map R permit 1\n set community internet 64500:10 additive\n';
    const { run, calls } = scriptedRunner([refused, ok(missing)]);
    await expect(applyConfig({ run }, '/f')).resolves.toMatchObject({
      passes: 1,
      converged: false,
      rejected: [{ daemon: 'bgpd', line: ' set community internet 64500:10 additive', reason: "% Malformed communities attribute 'internet 64500:10'" }],
    });
    expect(calls.map((c) => c[1])).toEqual(['--reload', '--test']);
  });

  it('reloads one file and verifies another, with --confdir when given', async () => {
    const { run, calls } = scriptedRunner([ok(), ok()]);
    await applyConfig({ run }, { reload: '/etc/frr/frr.conf', verify: '/etc/frr/frr.conf.candidate', confdir: '/etc/frr' });
    expect(calls).toEqual([
      ['/usr/lib/frr/frr-reload.py', '--reload', '--confdir', '/etc/frr', '/etc/frr/frr.conf'],
      ['/usr/lib/frr/frr-reload.py', '--test', '/etc/frr/frr.conf.candidate'],
    ]);
  });

  it('rejects a pass bound below one', async () => {
    await expect(applyConfig({ run: scriptedRunner([]).run }, '/f', { maxPasses: 0 })).rejects.toThrow(RangeError);
  });
});

describe('deltaLines', () => {
  it('prints deletions then additions, with every password redacted', () => {
    expect(deltaLines({ toDelete: ['router bgp 64500\n neighbor 192.0.2.1 password hunter2'], toAdd: ['ip nht resolve-via-default'] })).toEqual([
      '- router bgp 64500\n neighbor 192.0.2.1 password <redacted>',
      '+ ip nht resolve-via-default',
    ]);
  });
});
