/**
 * Issue 13, item 4: in folder mode with several Node objects, an error that concerns only another
 * node must not block this node's config. MetalLB's speaker validates only the BGPPeers and
 * BGPAdvertisements that select its node (internal/k8s/controllers/config_controller.go
 * `filterBGPPeersByNode` / `filterBGPAdvertisementsByNode`, before `config.For`).
 *
 * One test per kind of error: rendered for worker-0 (where the culprit does not apply) it is a
 * warning and the config renders; rendered for worker-1 (where it applies) it is the same error.
 */
import { describe, expect, test } from '@jest/globals';
import { decodeDocuments } from '../../../src/api/decode.js';
import { formatProblem } from '../../../src/api/problems.js';
import { loadRenderer, renderObjects } from '../../../src/pipeline.js';
import { adv, doc, NS, peer, pool } from './helpers.js';

const render = await loadRenderer();

const NODES =
  doc({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-0', labels: { 'kubernetes.io/hostname': 'worker-0', rack: 'a' } } }) +
  doc({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', labels: { 'kubernetes.io/hostname': 'worker-1', rack: 'b' } } });
const ON_A = [{ matchLabels: { rack: 'a' } }];
const ON_B = [{ matchLabels: { rack: 'b' } }];
const BASE = NODES + peer('tor-a', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', nodeSelectors: ON_A }) + pool('pool', ['198.51.100.0/24']);

function renderFor(yaml: string, node: string) {
  const { objects, problems } = decodeDocuments(yaml, 'test.yaml');
  const result = renderObjects(objects, { node, redactPasswords: true }, problems, render);
  const lines = (severity: string) => result.problems.filter((p) => p.severity === severity).map(formatProblem);
  return { config: result.config, errors: lines('error'), warnings: lines('warning') };
}

/** The culprit's error for worker-1, and the same words as a warning for worker-0, which renders. */
function expectOnlyOnWorker1(yaml: string, expected: RegExp): void {
  const there = renderFor(yaml, 'worker-1');
  expect(there.config).toBeUndefined();
  expect(there.errors).toEqual([expect.stringMatching(expected)]);
  const here = renderFor(yaml, 'worker-0');
  expect(here.errors).toEqual([]);
  expect(here.config).toContain(' neighbor 192.0.2.1 remote-as 64501\n');
  expect(here.warnings).toContainEqual(expect.stringMatching(new RegExp(`${expected.source}.*\\(ignored on node worker-0: its nodeSelectors do not select it\\)$`)));
}

describe('an error that concerns only another node does not block this one', () => {
  test('a broken BGPPeer selected only there', () => {
    expectOnlyOnWorker1(BASE + peer('broken-b', { myASN: 64500, peerASN: 64502, peerAddress: '192.0.2.300', nodeSelectors: ON_B }), /^BGPPeer metallb-system\/broken-b: spec\.peerAddress: /);
  });

  test('a broken BGPAdvertisement selected only there', () => {
    expectOnlyOnWorker1(BASE + adv('broken-b', { ipAddressPools: ['pool'], aggregationLength: 40, nodeSelectors: ON_B }), /^BGPAdvertisement metallb-system\/broken-b: spec\.aggregationLength: 40 is out of range/);
  });

  test('a localPref conflict between advertisements that meet only there', () => {
    const yaml = BASE + adv('everywhere', { ipAddressPools: ['pool'], localPref: 100 }) + adv('localpref-b', { ipAddressPools: ['pool'], localPref: 200, nodeSelectors: ON_B });
    expectOnlyOnWorker1(yaml, /^BGPAdvertisement metallb-system\/localpref-b: spec\.localPref: localPref 200 conflicts with localPref 100/);
  });

  test('an aggregation length too short for the pool, on an advertisement selected only there', () => {
    expectOnlyOnWorker1(BASE + adv('short-b', { ipAddressPools: ['pool'], aggregationLength: 16, nodeSelectors: ON_B }), /^BGPAdvertisement metallb-system\/short-b: spec\.aggregationLength: 16 is shorter than prefix/);
  });

  test('a community alias that does not exist, on an advertisement selected only there', () => {
    expectOnlyOnWorker1(BASE + adv('alias-b', { ipAddressPools: ['pool'], communities: ['no-such-alias'], nodeSelectors: ON_B }), /^BGPAdvertisement metallb-system\/alias-b: spec\.communities\[0\]: "no-such-alias" is not a community value/);
  });

  test('a BFD profile that does not exist, on a peer selected only there', () => {
    const yaml = BASE + peer('bfd-b', { myASN: 64500, peerASN: 64503, peerAddress: '192.0.2.3', bfdProfile: 'nowhere', nodeSelectors: ON_B });
    expectOnlyOnWorker1(yaml, /^BGPPeer metallb-system\/bfd-b: spec\.bfdProfile: "nowhere" names no BFDProfile/);
  });

  test('BFD echo with an IPv6 pool, towards a peer selected only there', () => {
    const yaml =
      BASE +
      doc({ apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: 'echo', namespace: NS }, spec: { echoMode: true } }) +
      peer('echo-b', { myASN: 64500, peerASN: 64504, peerAddress: '192.0.2.4', bfdProfile: 'echo', nodeSelectors: ON_B }) +
      pool('pool-v6', ['2001:db8:100::/64']) +
      adv('v6', { ipAddressPools: ['pool-v6'] });
    const there = renderFor(yaml, 'worker-1');
    expect(there.errors).toEqual([expect.stringMatching(/^BGPAdvertisement metallb-system\/v6: spec: advertises IPv6 pool pool-v6 to BGPPeer echo-b/)]);
    // The advertisement applies on worker-0 too, but the peer does not: the pair never meets there.
    const here = renderFor(yaml, 'worker-0');
    expect(here.errors).toEqual([]);
    expect(here.config).toBeDefined();
    expect(here.warnings).toContainEqual(expect.stringMatching(/^BGPAdvertisement metallb-system\/v6: spec: advertises IPv6 pool pool-v6 to BGPPeer echo-b.*\(ignored on node worker-0/));
  });

  test('peers that disagree on the router ID, both only there', () => {
    const yaml =
      BASE +
      peer('r1-b', { myASN: 64500, peerASN: 64505, peerAddress: '192.0.2.5', routerID: '192.0.2.250', nodeSelectors: ON_B }) +
      peer('r2-b', { myASN: 64500, peerASN: 64506, peerAddress: '192.0.2.6', routerID: '192.0.2.251', nodeSelectors: ON_B });
    expect(renderFor(yaml, 'worker-1').errors).toEqual([expect.stringMatching(/^BGPPeer metallb-system\/r2-b: spec\.routerID: /)]);
    expect(renderFor(yaml, 'worker-0')).toMatchObject({ errors: [] });
  });

  test('control: the same conflict on this node is an error here', () => {
    const yaml = BASE + adv('everywhere', { ipAddressPools: ['pool'], localPref: 100 }) + adv('localpref-a', { ipAddressPools: ['pool'], localPref: 200, nodeSelectors: ON_A });
    expect(renderFor(yaml, 'worker-0').errors).toEqual([expect.stringMatching(/^BGPAdvertisement metallb-system\/localpref-a: spec\.localPref: localPref 200 conflicts/)]);
  });
});
