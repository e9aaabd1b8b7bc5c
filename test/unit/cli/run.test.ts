import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';

const PEER = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: p1, namespace: metallb-system }
spec: { myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.1 }
`;

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('frr-renderer run (folder source, --apply never)', () => {
  it('writes the config, follows changes, and stops cleanly on a shutdown signal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frr-renderer-run-'));
    const out = join(mkdtempSync(join(tmpdir(), 'frr-renderer-run-out-')), 'frr.conf');
    writeFileSync(join(dir, 'peer.yaml'), PEER);
    let err = '';
    let stop: (s: string) => void = () => undefined;
    const io = {
      stdout: () => undefined,
      stderr: (t: string) => void (err += t),
      writeFile: async () => undefined,
      env: { NODE_NAME: 'worker-0' },
      waitForShutdown: () => new Promise<string>((resolve) => (stop = resolve)),
    };
    const running = main(['run', '--source', `dir:${dir}`, '--apply', 'never', '--frr-config', out, '--listen', '127.0.0.1:0', '--debounce', '20'], io);

    await until(() => existsSync(out), 'the first config');
    expect(readFileSync(out, 'utf8')).toContain(' neighbor 192.0.2.1 remote-as 64501\n');
    writeFileSync(join(dir, 'peer.yaml'), PEER.replace('192.0.2.1', '192.0.2.7'));
    await until(() => readFileSync(out, 'utf8').includes('192.0.2.7'), 'the changed config');

    stop('SIGTERM');
    expect(await running).toBe(0);
    const lines = err.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: string });
    expect(lines[0]!.msg).toBe('frr-renderer started');
    expect(lines.some((l) => l.msg.startsWith(`written to ${out} without applying`))).toBe(true);
    expect(lines.at(-1)!.msg).toBe('shutting down; FRR keeps running its current config');
  }, 20_000);

  it('rejects a bad --source or --apply with exit 2', async () => {
    for (const argv of [['run', '--source', 'nope', '--node', 'n'], ['run', '--source', 'dir:/tmp', '--node', 'n', '--apply', 'sometimes'], ['run', '--source', 'k8s']]) {
      let err = '';
      expect(await main(argv, { stdout: () => undefined, stderr: (t) => void (err += t), writeFile: async () => undefined, env: {} })).toBe(2);
      expect(err).toContain('usage: frr-renderer');
    }
  });
});
