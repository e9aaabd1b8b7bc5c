import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { writeFileAtomic } from '../../../src/ops/write-file.js';

function capture(extra: Partial<CliIo> = {}): CliIo & { out: string; err: string; files: Map<string, string> } {
  const io = {
    out: '',
    err: '',
    files: new Map<string, string>(),
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    writeFile: async (p: string, t: string) => void io.files.set(p, t),
    ...extra,
  };
  return io;
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'frr-renderer-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const PEER = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: p1, namespace: metallb-system }
spec: { myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.1, password: "hunter2hunter2" }
`;

describe('frr-renderer CLI', () => {
  it('render prints the config on stdout and exits 0', async () => {
    const io = capture();
    expect(await main(['render', '--dir', folder({ 'p.yaml': PEER }), '--node', 'n1'], io)).toBe(0);
    expect(io.out).toContain(' neighbor 192.0.2.1 remote-as 64501\n');
    expect(io.out).toContain(' neighbor 192.0.2.1 password hunter2hunter2\n');
  });

  it('render --redact-passwords hides the password', async () => {
    const io = capture();
    expect(await main(['render', '--dir', folder({ 'p.yaml': PEER }), '--node', 'n1', '--redact-passwords'], io)).toBe(0);
    expect(io.out).toContain(' neighbor 192.0.2.1 password <redacted>\n');
    expect(io.out).not.toContain('hunter2');
  });

  it('render --out writes the file through the io seam', async () => {
    const io = capture();
    expect(await main(['render', '--dir', folder({ 'p.yaml': PEER }), '--node', 'n1', '--out', '/x/frr.conf'], io)).toBe(0);
    expect(io.files.get('/x/frr.conf')).toContain('router bgp 64500\n');
    expect(io.out).toBe('');
  });

  it('exits 1 on invalid configuration, one error per line naming kind, object and field, and writes nothing', async () => {
    const bad = PEER.replace('peerASN: 64501', 'peerASN: 64501, vrf: "red\\n neighbor 6.6.6.6 remote-as 1"');
    const io = capture();
    expect(await main(['render', '--dir', folder({ 'p.yaml': bad }), '--node', 'n1', '--out', '/x/frr.conf'], io)).toBe(1);
    expect(io.files.size).toBe(0);
    expect(io.out).toBe('');
    const lines = io.err.trim().split('\n');
    expect(lines[0]).toMatch(/^error: BGPPeer metallb-system\/p1: spec\.vrf: /);
    expect(io.err).not.toContain('hunter2');
  });

  it('exits 2 on usage errors', async () => {
    for (const argv of [['render', '--dir', 'x'], ['render', '--node', 'n'], ['bogus'], ['render', '--dir', 'x', '--node', 'n', '--nope']]) {
      const io = capture();
      expect(await main(argv, io)).toBe(2);
      expect(io.err).toContain('usage: frr-renderer');
    }
  });

  it('exits 2 when the folder does not exist', async () => {
    const io = capture();
    expect(await main(['render', '--dir', '/nonexistent/dir', '--node', 'n'], io)).toBe(2);
    expect(io.err).toMatch(/ENOENT/);
  });

  it('check lists every problem and exits 1, or exits 0 when valid', async () => {
    const io = capture();
    const bad = PEER.replace('myASN: 64500', 'myASN: 0').replace('192.0.2.1', '192.0.2.999');
    expect(await main(['check', '--dir', folder({ 'p.yaml': bad })], io)).toBe(1);
    expect(io.err.split('\n').filter((l) => l.startsWith('error: ')).length).toBeGreaterThanOrEqual(2);
    const ok = capture();
    expect(await main(['check', '--dir', folder({ 'p.yaml': PEER })], ok)).toBe(0);
  });
});

describe('the real binary', () => {
  it('writes --out with mode 0600 (frr.conf holds passwords)', async () => {
    const { processIo } = await import('../../../src/cli/main.js');
    const out = join(mkdtempSync(join(tmpdir(), 'frr-renderer-out-')), 'frr.conf');
    expect(await main(['render', '--dir', folder({ 'p.yaml': PEER }), '--node', 'n1', '--out', out], { ...processIo, stderr: () => undefined })).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toContain('router bgp 64500');
  });

});

describe('--frr-version', () => {
  const MULTIHOP = PEER.replace('password: "hunter2hunter2"', 'ebgpMultiHop: true');

  it('renders for the release asked: FRR 8.4 forms', async () => {
    const io = capture();
    expect(await main(['render', '--dir', folder({ 'p.yaml': MULTIHOP }), '--node', 'n1', '--frr-version', '8.4.4'], io)).toBe(0);
    expect(io.out).toContain('rendered by frr-renderer for FRR 8.4 from');
    expect(io.out).toContain('ip nht resolve-via-default\n');
    expect(io.out).toContain(' neighbor 192.0.2.1 ebgp-multihop 255\n');
  });

  it('defaults to the release the image ships (10.3), and says so in --help', async () => {
    const io = capture();
    expect(await main(['render', '--dir', folder({ 'p.yaml': MULTIHOP }), '--node', 'n1'], io)).toBe(0);
    expect(io.out).toContain('rendered by frr-renderer for FRR 10.3 from');
    expect(io.out).not.toContain('nht resolve-via-default');
    expect(io.out).toContain(' neighbor 192.0.2.1 ebgp-multihop\n');
    const help = capture();
    expect(await main(['render', '--help'], help)).toBe(0);
    expect(help.out).toContain('--frr-version X.Y: the FRR release the config is written for (default 10.3');
  });

  it('renders an untested release with the nearest tested forms and a warning, exit 0', async () => {
    const io = capture();
    expect(await main(['check', '--dir', folder({ 'p.yaml': MULTIHOP }), '--node', 'n1', '--frr-version', '10.5'], io)).toBe(0);
    expect(io.err).toContain('warning: FRR 10.5: FRR 10.5 is not a tested release (tested: 8.4, 10.3); rendering with the forms of FRR 10.3\n');
  });

  it.each(['ten', '10', '10.3\nrouter bgp 1'])('refuses %j as a usage error', async (value) => {
    const io = capture();
    expect(await main(['render', '--dir', folder({ 'p.yaml': PEER }), '--node', 'n1', '--frr-version', value], io)).toBe(2);
    expect(io.err.split('\n')[0]).toBe(`error: --frr-version must be a release such as 10.3 or 8.4.4, not ${JSON.stringify(value)}`);
    expect(io.out).toBe('');
  });
});

describe('--out replaces only a regular file or creates a new one', () => {
  const render = (out: string) => {
    const io = capture({ writeFile: writeFileAtomic });
    return main(['render', '--dir', folder({ 'p.yaml': PEER }), '--node', 'n1', '--out', out], io).then((code) => ({ code, io }));
  };

  it('refuses a symlink, a folder, a FIFO and a device with exit 2, leaving them and their targets untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frr-renderer-unsafe-'));
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(dir, 'link.conf'));
    mkdirSync(join(dir, 'folder.conf'));
    execFileSync('mkfifo', [join(dir, 'fifo.conf')]);
    for (const [out, what] of [[join(dir, 'link.conf'), 'a symbolic link'], [join(dir, 'folder.conf'), 'a folder'], [join(dir, 'fifo.conf'), 'a FIFO'], ['/dev/null', 'a device'], ['/proc/self/fd/1', 'a symbolic link']] as const) {
      const { code, io } = await render(out);
      expect(code).toBe(2);
      expect(io.err).toMatch(new RegExp(`^error: "${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" is ${what}`));
      expect(io.out).toBe('');
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(join(dir, 'link.conf')).isSymbolicLink()).toBe(true);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['fifo.conf', 'folder.conf', 'link.conf', 'victim']); // no temp file left
  });

  it('never follows a link planted at the old temporary name, and leaves no temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frr-renderer-plant-'));
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    const out = join(dir, 'frr.conf');
    symlinkSync(victim, `${out}.tmp-${process.pid}`);
    const { code } = await render(out);
    expect(code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(out).isFile()).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['frr.conf', 'frr.conf.tmp-' + process.pid, 'victim']);
  });

  it('a folder that does not exist is a write error (exit 2), with nothing left behind', async () => {
    const { code, io } = await render('/nonexistent-frr-renderer/frr.conf');
    expect(code).toBe(2);
    expect(io.err).toBe('error: cannot write "/nonexistent-frr-renderer/frr.conf": the folder does not exist (ENOENT); the previous file is unchanged\n');
  });
});

describe('arguments are validated like fields', () => {
  it.each([
    ['--node', 'vm\nneighbor 6.6.6.6 remote-as 1'],
    ['--hostname', 'vm\nneighbor 6.6.6.6 remote-as 1'],
    ['--hostname', 'a b'],
    ['--hostname', 'a!b'],
    ['--namespace', 'Bad_NS'],
  ])('render %s %j is a usage error, escaped, and nothing is written', async (flag, value) => {
    const io = capture();
    const argv = ['render', '--dir', folder({ 'p.yaml': PEER }), '--node', 'n1', '--out', '/x/frr.conf', flag, value];
    expect(await main(argv, io)).toBe(2);
    expect(io.files.size).toBe(0);
    expect(io.out).toBe('');
    expect(io.err.split('\n')[0]).toMatch(new RegExp(`^error: ${flag}: ".*" is not a valid`));
    expect(io.err).not.toContain('\nneighbor');
  });

  it('run takes NODE_NAME and the host name from the environment, checked the same way', async () => {
    const io = capture({ env: { NODE_NAME: 'vm\nneighbor 6.6.6.6 remote-as 1' } });
    expect(await main(['run', '--source', 'dir:/nonexistent', '--once'], io)).toBe(2);
    expect(io.err.split('\n')[0]).toBe('error: NODE_NAME: "vm\\nneighbor 6.6.6.6 remote-as 1" is not a valid node name: Kubernetes node names are lowercase DNS-1123 (a-z, 0-9, \'-\', \'.\', starting and ending with a letter or digit, at most 253)');
  });

  it.each([['--debounce', '0x10'], ['--debounce', ''], ['--drift-check', '1e3'], ['--listen', 'a b:1'], ['--frr-pathspace', '../../etc']])('run %s %j is a usage error', async (flag, value) => {
    const io = capture({ env: { NODE_NAME: 'n1' } });
    expect(await main(['run', '--source', 'dir:/nonexistent', '--once', flag, value], io)).toBe(2);
    expect(io.err).toMatch(/^error: /);
  });
});
