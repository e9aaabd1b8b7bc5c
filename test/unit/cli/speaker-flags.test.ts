/**
 * MetalLB speaker's flags on `render` and `check` (issue 13, items 13-16): the rendered config
 * changes exactly as the node's would, and every flag value that could reach frr.conf is checked.
 * Each test has its control: the same input without the flag renders differently.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    writeFile: async () => undefined,
  };
  return io;
}

function folder(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'frr-renderer-speaker-'));
  writeFileSync(join(dir, 'all.yaml'), text);
  return dir;
}

const BASE = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec: { myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.1 }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: pool, namespace: metallb-system }
spec: { addresses: [198.51.100.0/24] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv, namespace: metallb-system }
spec: { ipAddressPools: [pool] }
`;

const service = (name: string, ip: string, cls?: string) => `---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: demo }
spec: { type: LoadBalancer${cls ? `, loadBalancerClass: ${cls}` : ''} }
status: { loadBalancer: { ingress: [{ ip: ${ip} }] } }
`;

async function render(text: string, ...flags: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await main(['render', '--dir', folder(text), '--node', 'worker-0', ...flags], io);
  return { code, out: io.out, err: io.err };
}

const networks = (conf: string) => [...conf.matchAll(/^ {2}network (\S+)/gm)].map((m) => m[1]);

describe('--lb-class (MetalLB: only Services of that class; without it, only Services without a class)', () => {
  const input = BASE + service('plain', '198.51.100.10') + service('internal', '198.51.100.11', 'example.com/internal') + service('other', '198.51.100.12', 'example.com/other');

  it('announces only the Services of the class', async () => {
    expect(networks((await render(input, '--lb-class', 'example.com/internal')).out)).toEqual(['198.51.100.11/32']);
  });

  it('control: without the flag only the Service without a class', async () => {
    expect(networks((await render(input)).out)).toEqual(['198.51.100.10/32']);
  });

  it('a class no Service can have is a usage error', async () => {
    const r = await render(input, '--lb-class', 'bad class\nx');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--lb-class: "bad class\\nx" is not a valid load balancer class');
  });
});

describe('--ignore-exclude-lb', () => {
  const input = `${BASE}---
apiVersion: v1
kind: Node
metadata:
  name: worker-0
  labels: { kubernetes.io/hostname: worker-0, node.kubernetes.io/exclude-from-external-load-balancers: "" }
${service('web', '198.51.100.10')}`;

  it('announces from a node labelled exclude-from-external-load-balancers', async () => {
    expect(networks((await render(input, '--ignore-exclude-lb')).out)).toEqual(['198.51.100.10/32']);
  });

  it('control: without it the label keeps the node quiet', async () => {
    expect(networks((await render(input)).out)).toEqual([]);
  });
});

describe('--log-level and --frr-log-level (MetalLB logLevelToFRR, FRR_LOGGING_LEVEL)', () => {
  const logLines = (conf: string) => conf.split('\n').filter((l) => /^(log stdout|debug )/.test(l));

  it.each([
    ['info', 'log stdout informational'],
    ['warn', 'log stdout warnings'],
    ['error', 'log stdout errors'],
    ['none', 'log stdout emergencies'],
  ])('--log-level %s gives %j', async (level, expected) => {
    expect(logLines((await render(BASE, '--log-level', level)).out)).toEqual([expected]);
  });

  it.each(['debug', 'all'])('--log-level %s: FRR at debugging (a bare "log stdout", as FRR shows it) and MetalLB\'s debug lines as FRR shows them', async (level) => {
    const lines = logLines((await render(BASE, '--log-level', level)).out);
    expect(lines[0]).toBe('log stdout');
    expect(lines).toContain('debug bgp updates in');
    expect(lines).toContain('debug bgp updates out');
    expect(lines).toHaveLength(15);
  });

  it('default: info (informational), no debug lines', async () => {
    expect(logLines((await render(BASE)).out)).toEqual(['log stdout informational']);
  });

  it('--frr-log-level sets FRR apart from --log-level', async () => {
    expect(logLines((await render(BASE, '--log-level', 'debug', '--frr-log-level', 'warnings')).out)).toEqual(['log stdout warnings']);
    expect(logLines((await render(BASE, '--frr-log-level', 'debugging')).out)).toHaveLength(15);
    expect(logLines((await render(BASE, '--frr-log-level', 'error')).out)).toEqual(['log stdout errors']);
  });

  it('only level names are taken: anything else could reach frr.conf', async () => {
    for (const flags of [['--frr-log-level', 'informational\nrouter bgp 1'], ['--frr-log-level', 'verbose'], ['--log-level', 'trace']]) {
      const r = await render(BASE, ...flags);
      expect([flags, r.code, r.out]).toEqual([flags, 2, '']);
      expect(r.err).toMatch(/^error: --(frr-)?log-level must be one of /);
    }
  });
});

describe('--bgp-extras', () => {
  const extras = `---
apiVersion: v1
kind: ConfigMap
metadata: { name: bgpextras, namespace: metallb-system }
data:
  extras: |
    ip prefix-list from-router seq 5 permit 203.0.113.0/24 le 32
`;

  it('appends the ConfigMap\'s lines at the end, and warns that nothing checked them', async () => {
    const r = await render(BASE + extras, '--bgp-extras');
    expect(r.code).toBe(0);
    expect(r.out.endsWith('ip prefix-list from-router seq 5 permit 203.0.113.0/24 le 32\n')).toBe(true);
    expect(r.err).toContain('warning: ConfigMap metallb-system/bgpextras: data.extras: 1 line appended to frr.conf as they are');
  });

  it('control: without the flag the ConfigMap is not read', async () => {
    const r = await render(BASE + extras);
    expect(r.out).not.toContain('prefix-list from-router');
    expect(r.err).not.toContain('bgpextras');
  });

  it('only MetalLB\'s name and key, in MetalLB\'s namespace', async () => {
    for (const other of [extras.replace('name: bgpextras', 'name: extras'), extras.replace('namespace: metallb-system', 'namespace: default'), extras.replace('  extras: |', '  other: |')]) {
      expect((await render(BASE + other, '--bgp-extras')).out).not.toContain('prefix-list from-router');
    }
  });

  it('check --bgp-extras reports a ConfigMap it cannot use', async () => {
    const io = capture();
    const bad = extras.replace(/\ndata:[\s\S]*$/, '\ndata:\n  extras: 42\n');
    expect(await main(['check', '--dir', folder(BASE + bad), '--bgp-extras'], io)).toBe(1);
    expect(io.err).toContain('error: ConfigMap metallb-system/bgpextras: data.extras: must be a string of FRR configuration lines');
    expect(await main(['check', '--dir', folder(BASE + bad)], capture())).toBe(0);
  });
});
