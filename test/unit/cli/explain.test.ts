/**
 * `explain NAMESPACE/SERVICE` (issue 13, item 17): a Service the sidecar does not know exits 1,
 * like `kubectl get` of a missing object; a known one exits 0, announced or not. The sidecar's
 * intent comes from the real pipeline; FRR's state is a fake (no vtysh here).
 */
import { decodeDocuments } from '../../../src/api/decode.js';
import { explainCommand, type ExplainSources } from '../../../src/cli/explain-command.js';
import type { CliIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import type { FrrState } from '../../../src/frr/frr-state.js';
import { loadRenderer, renderObjects } from '../../../src/pipeline.js';
import type { IntentSnapshot } from '../../../src/status/intent-view.js';
import { toIntentView } from '../../../src/status/intent-view.js';

const YAML = `apiVersion: metallb.io/v1beta2
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
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: 198.51.100.10 }] } }
---
apiVersion: v1
kind: Service
metadata: { name: classy, namespace: shop }
spec: { type: LoadBalancer, loadBalancerClass: example.com/other }
status: { loadBalancer: { ingress: [{ ip: 198.51.100.11 }] } }
`;

async function snapshot(): Promise<IntentSnapshot> {
  const { objects, problems } = decodeDocuments(YAML, 'all.yaml');
  const result = renderObjects(objects, { node: 'worker-0' }, problems, await loadRenderer());
  const view = toIntentView(result.intent);
  const status = { synced: true, conversion: { at: 1, valid: true, errors: [], warnings: [] }, apply: undefined, appliedAt: undefined, frr: { release: '10.3', from: 'flag', formsOf: '10.3', tested: true } } as const;
  return { version: 1, node: 'worker-0', namespace: 'metallb-system', status, latest: view, applied: view };
}

const UNREACHABLE: FrrState = { at: 1, version: 'unknown', reachable: false, neighbors: [], bfdPeers: [], advertised: {}, errors: ['vtysh: no FRR here'] };

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t), writeFile: async () => undefined };
  return io;
}

async function explain(service: string, json = false): Promise<{ thrown: unknown; out: string }> {
  const snap = await snapshot();
  const sources: ExplainSources = { readSidecar: async () => ({ snapshot: snap }), gatherFrrState: async () => UNREACHABLE };
  const io = capture();
  const thrown = await explainCommand({ service, json, listen: ':9120', frr: { pathspace: undefined, vtysh: undefined, reloadScript: undefined } }, io, sources).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { thrown, out: io.out };
}

describe('explain exit codes', () => {
  it('a Service the sidecar does not know: the answer is printed, then exit 1 (InvalidConfigError)', async () => {
    const { thrown, out } = await explain('shop/missing', true);
    expect(JSON.parse(out)).toMatchObject({ found: false, reason: 'serviceNotFound' });
    expect((thrown as Error)?.name).toBe('InvalidConfigError');
    expect((thrown as Error).message).toMatch(/^error: Service shop\/missing not found: no Service shop\/missing is known to the sidecar/);
  });

  it('control: a known Service exits 0, announced or not', async () => {
    expect(await explain('shop/web')).toMatchObject({ thrown: undefined });
    const other = await explain('shop/classy', true);
    expect(other.thrown).toBeUndefined();
    expect(JSON.parse(other.out)).toMatchObject({ found: true, announced: false, reason: 'otherLoadBalancerClass' });
  });

  it('main turns that error into exit 1 with one error line', async () => {
    // Through the real command line: no sidecar listens on port 1, which is the same exit path.
    const io = capture();
    expect(await main(['explain', 'shop/web', '--listen', '127.0.0.1:1', '--frr-pathspace', 'no-such-pathspace'], io)).toBe(1);
    expect(io.err.trim().split('\n')).toEqual([expect.stringMatching(/^error: cannot explain without the sidecar's intent/)]);
  });
});
