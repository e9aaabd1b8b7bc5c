import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeIntent } from '../../../src/intent/model.js';
import { loadRenderer } from '../../../src/pipeline.js';
import { createRenderer } from '../../../src/render/renderer.js';
import { loadTemplates } from '../../../src/render/templates.js';

const neighbor = {
  id: '192.0.2.1',
  target: '192.0.2.1',
  isInterface: false,
  peers: ['metallb-system/p'],
  remoteAs: '64501',
  localAs: null,
  port: null,
  bfdProfile: null,
  password: `a&b=c"d'e<f>`,
  ebgpMultihop: false,
  ebgpMultihopTtl: null,
  updateSource: null,
  timers: { keepalive: 3, hold: 10 },
  connectTime: null,
  gracefulRestart: false,
  disableConnectedCheck: false,
  ipv4: true,
  ipv6: false,
  routeMapIn: '192.0.2.1-in',
  routeMapInDenySeq: 20,
  routeMapOut: '192.0.2.1-out',
  routeMapOutDenySeq: 65535,
  outEntries: [{ seq: 42, tag: 42, communities: 'no-advertise', largeCommunities: null, localPref: 100 }],
  announced: [],
};

const intent: NodeIntent = {
  node: 'worker-0',
  hostname: null,
  logLevel: 'informational',
  debugLines: [],
  frrRelease: '10.3',
  nhtResolveViaDefault: false,
  forwarding: { ipv4: true, ipv6: true },
  tags: [{ id: 42, routeMap: 'metallb-tag-42', seq: 10, advertisements: ['metallb-system/a'] }],
  routers: [
    {
      asn: 64500,
      vrf: null,
      routerId: null,
      neighbors: [neighbor],
      ipv4: { networks: [{ prefix: '198.51.100.1/32', routeMap: 'metallb-tag-42' }], neighbors: [{ target: '192.0.2.1', routeMapIn: '192.0.2.1-in', routeMapOut: '192.0.2.1-out' }] },
      ipv6: null,
    },
  ],
  bfdProfiles: [],
  extras: null,
};

describe('renderer', () => {
  it('prints the intent without HTML escaping (passwords keep & = " \' < >)', async () => {
    const text = createRenderer(await loadTemplates())(intent);
    expect(text).toContain(` neighbor 192.0.2.1 password a&b=c"d'e<f>\n`);
    expect(text).toContain(' neighbor 192.0.2.1 timers 3 10\n');
    expect(text).toContain('route-map metallb-tag-42 permit 10\n set tag 42\nexit\n');
    expect(text).toContain('route-map 192.0.2.1-out permit 42\n match tag 42\n set community no-advertise additive\n set local-preference 100\nexit\n');
    expect(text).toContain('  network 198.51.100.1/32 route-map metallb-tag-42\n');
    expect(text).not.toContain('address-family ipv6');
    expect(text).not.toContain('hostname');
    expect(text).not.toMatch(/^\s+$/m);
  });

  it('prints every route-map sequence number the intent decides; no template holds one (issue 14, item 8)', async () => {
    const other = {
      ...intent,
      tags: [{ ...intent.tags[0]!, seq: 11 }],
      routers: intent.routers.map((r) => ({ ...r, neighbors: r.neighbors.map((n) => ({ ...n, routeMapInDenySeq: 21, routeMapOutDenySeq: 65534, outEntries: n.outEntries.map((e) => ({ ...e, seq: 43 })) })) })),
    };
    const text = createRenderer(await loadTemplates())(other);
    expect(text).toContain('route-map metallb-tag-42 permit 11\n');
    expect(text).toContain('route-map 192.0.2.1-in deny 21\n');
    expect(text).toContain('route-map 192.0.2.1-out permit 43\n match tag 42\n');
    expect(text).toContain('route-map 192.0.2.1-out deny 65534\n');
    const { main, partials } = await loadTemplates();
    for (const source of [main, ...Object.values(partials)]) expect(source).not.toMatch(/route-map \S+ (permit|deny) \d/);
  });

  it('fails loudly on a field the intent does not have (strict mode)', async () => {
    const render = createRenderer({ main: '{{missing}}', partials: {} });
    expect(() => render(intent)).toThrow(/"missing" not defined/);
  });

  it('is deterministic', async () => {
    const render = createRenderer(await loadTemplates());
    expect(render(intent)).toBe(render(structuredClone(intent)));
  });
});

describe('loadRenderer (issue 14, item 7)', () => {
  it('keeps no module state: a failed load does not stick, and each call compiles anew', async () => {
    await expect(loadRenderer(mkdtempSync(join(tmpdir(), 'no-templates-')))).rejects.toThrow(/frr\.conf\.hbs/);
    const [a, b] = await Promise.all([loadRenderer(), loadRenderer()]);
    expect(a).not.toBe(b);
  });
});
