import { spawnRunner, FrrCommandError } from '../../../src/frr/run.js';
import { checkSyntax, show } from '../../../src/frr/vtysh.js';
import { makeFakePrograms, type FakePrograms } from './fake-programs.js';

let fakes: FakePrograms;

beforeAll(async () => {
  fakes = await makeFakePrograms();
});

afterAll(async () => {
  await fakes.remove();
});

describe('checkSyntax', () => {
  it('reports the lines vtysh rejected (exit 2), passwords redacted', async () => {
    const vtysh = await fakes.add('vtysh', 'echo "line 3: % Unknown command[25]: neighbor 192.0.2.1 password x1" >&2; exit 2');
    await expect(checkSyntax({ run: spawnRunner, vtysh }, '/tmp/a.conf')).resolves.toEqual({
      valid: false,
      errors: ['line 3: % Unknown command[25]: neighbor 192.0.2.1 password <redacted>'],
    });
  });

  it('throws when vtysh itself fails (e.g. missing file)', async () => {
    const vtysh = await fakes.add('vtysh', "echo \"% Can't open configuration file /x\" >&2; exit 11");
    await expect(checkSyntax({ run: spawnRunner, vtysh }, '/x')).rejects.toThrow(
      new FrrCommandError({ file: 'vtysh', args: ['-C', '-f', '/x'], reason: 'exit 11', exitCode: 11, stderr: "% Can't open configuration file /x" }).message,
    );
  });
});

describe('show', () => {
  it('passes the pathspace and redacts passwords', async () => {
    const vtysh = await fakes.add('vtysh', 'echo "args: $*"; echo " neighbor 192.0.2.1 password s3cret"');
    const output = await show({ run: spawnRunner, vtysh, pathspace: 'ns1' }, 'show running-config');
    expect(output).toBe('args: -N ns1 -c show running-config\n neighbor 192.0.2.1 password <redacted>');
  });

  it('keeps passwords only when asked', async () => {
    const vtysh = await fakes.add('vtysh', 'echo " neighbor 192.0.2.1 password s3cret"');
    await expect(show({ run: spawnRunner, vtysh }, 'show running-config', { keepPasswords: true })).resolves.toBe(
      ' neighbor 192.0.2.1 password s3cret',
    );
  });
});
