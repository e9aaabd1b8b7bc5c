import { readFile } from 'node:fs/promises';
import { spawnRunner, FrrCommandError, describeCommand, runChecked } from '../../../src/frr/run.js';
import { makeFakePrograms, type FakePrograms } from './fake-programs.js';

let fakes: FakePrograms;

/** True once `pid` is gone or a zombie (killed, waiting for init to reap it). */
async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (stat === '' || /^\d+ \(.*\) Z/.test(stat)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

beforeAll(async () => {
  fakes = await makeFakePrograms();
});

afterAll(async () => {
  await fakes.remove();
});

describe('spawnRunner', () => {
  it('removes one final newline, as execa did (callers compare output with that form)', async () => {
    const program = await fakes.add('newlines', 'printf "a\\n\\n"; printf "e\\r\\n" >&2');
    await expect(spawnRunner(program, [], { timeoutMs: 5_000 })).resolves.toEqual({ exitCode: 0, stdout: 'a\n', stderr: 'e' });
  });

  it('keeps a character whose bytes arrive in two reads whole', async () => {
    // 70,000 x "é" (2 bytes each) is several pipe reads; a read boundary inside a character must not garble it.
    const program = await fakes.add('utf8', 'for i in $(seq 1 70000); do printf "\\xc3\\xa9"; done');
    const r = await spawnRunner(program, [], { timeoutMs: 20_000 });
    expect(r.stdout).toBe('é'.repeat(70_000));
  });

  it('a program that exits without reading its input: its exit code, not a pipe error', async () => {
    // vtysh stops reading at a refused line and exits 1; the rest of the input is never read.
    const program = await fakes.add('refuses', 'exit 1');
    const input = 'network 198.18.0.1/32\n'.repeat(200_000);
    await expect(spawnRunner(program, [], { timeoutMs: 5_000, input })).resolves.toMatchObject({ exitCode: 1 });
  });

  it('reports a program killed by a signal', async () => {
    const program = await fakes.add('killed', 'kill -9 $$');
    const error = await spawnRunner(program, [], { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrrCommandError);
    expect((error as FrrCommandError).message).toBe('killed failed (killed by SIGKILL)');
  });

  it('resolves with the exit code and output of a failing program instead of throwing', async () => {
    const program = await fakes.add('fails', 'echo out; echo err >&2; exit 3');
    await expect(spawnRunner(program, [], { timeoutMs: 5_000 })).resolves.toEqual({
      exitCode: 3,
      stdout: 'out',
      stderr: 'err',
    });
  });

  it('passes input on stdin', async () => {
    const program = await fakes.add('echoes', 'cat');
    await expect(spawnRunner(program, [], { timeoutMs: 5_000, input: 'router bgp 64512' })).resolves.toMatchObject({
      exitCode: 0,
      stdout: 'router bgp 64512',
    });
  });

  it('kills a program that runs past its timeout, with its children, and says so', async () => {
    // Like frr-reload.py running vtysh: the grandchild holds stdout open after its parent dies.
    const pidFile = `${fakes.dir}/grandchild.pid`;
    const program = await fakes.add('vtysh', `sleep 30 & echo $! > ${pidFile}; wait`);
    const started = Date.now();
    const error = await spawnRunner(program, ['-c', 'show bgp summary'], { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(error).toBeInstanceOf(FrrCommandError);
    expect((error as FrrCommandError).message).toBe('vtysh -c "show bgp summary" failed (timed out after 300 ms)');
    expect((error as FrrCommandError).exitCode).toBeUndefined();
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    expect(await exitsWithin(grandchild, 2_000)).toBe(true);
  });

  it('reports a program that cannot be started', async () => {
    const error = await spawnRunner(`${fakes.dir}/missing`, [], { timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrrCommandError);
    expect((error as FrrCommandError).message).toBe('missing failed (could not start: ENOENT)');
    expect((error as FrrCommandError).cause).toBeDefined();
  });
});

describe('runChecked', () => {
  it('turns a non-zero exit into an FrrCommandError naming the first error line, passwords redacted', async () => {
    const program = await fakes.add(
      'frr-reload.py',
      [
        'echo "2024-05-01 10:00:00,123  INFO: Called via Namespace(...)" >&2',
        'echo "line 7: % Unknown command: neighbor 192.0.2.1 password s3cret" >&2',
        'exit 1',
      ].join('\n'),
    );
    const error = await runChecked(spawnRunner, program, ['--reload', '--pathspace', 'ns1', '/tmp/x.conf'], {
      timeoutMs: 5_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrrCommandError);
    const failure = error as FrrCommandError;
    expect(failure.message).toBe(
      'frr-reload.py --reload failed (exit 1): line 7: % Unknown command: neighbor 192.0.2.1 password <redacted>',
    );
    expect(failure.exitCode).toBe(1);
    expect(failure.stderr).toContain('password <redacted>');
    expect(JSON.stringify({ ...failure, message: failure.message })).not.toContain('s3cret');
  });
});

describe('describeCommand', () => {
  it.each([
    ['/usr/lib/frr/frr-reload.py', ['--test', '--pathspace', 'ns1', '/tmp/a.conf'], 'frr-reload.py --test'],
    ['vtysh', ['-N', 'ns1', '-C', '-f', '/tmp/a.conf'], 'vtysh -C -f'],
    ['vtysh', ['-c', 'show running-config'], 'vtysh -c "show running-config"'],
    ['ip', ['netns', 'add', 'frrt-1'], 'ip netns add frrt-1'],
  ])('%s %j is described as %s', (file, args, expected) => {
    expect(describeCommand(file, args)).toBe(expected);
  });
});
