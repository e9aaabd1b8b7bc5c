import { describe, expect, test } from '@jest/globals';
import { build, doc, errors, NS, warnings } from './helpers.js';

describe('Service', () => {
  test('fields, ingress IPs canonical, bad IPs dropped with a warning', () => {
    const { snapshot, problems } = build(
      doc({
        apiVersion: 'v1', kind: 'Service', metadata: { name: 's1', namespace: 'test', labels: { app: 'web' } },
        spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerClass: 'metallb' },
        status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }, { ip: '2001:DB8::1' }, { ip: 'nope' }, { hostname: 'x.example' }] } },
      }),
    );
    expect(errors(problems)).toEqual([]);
    expect(warnings(problems)).toEqual([
      'Service test/s1: status.loadBalancer.ingress[2].ip: "nope" is not a valid IP address: use an IPv4 or IPv6 address such as "10.0.0.1" or "2001:db8::1"; this entry is ignored',
    ]);
    expect(snapshot.services[0]).toEqual({
      ref: { kind: 'Service', namespace: 'test', name: 's1', source: 'test.yaml' },
      labels: { app: 'web' }, type: 'LoadBalancer', loadBalancerClass: 'metallb', externalTrafficPolicy: 'Local',
      ingress: [{ ip: '10.0.0.1', family: 'ipv4', value: 0x0a000001n }, { ip: '2001:db8::1', family: 'ipv6', value: 0x20010db8000000000000000000000001n }],
    });
  });

  test('defaults: namespace default, Cluster policy', () => {
    const { snapshot } = build(doc({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's1' }, spec: { type: 'LoadBalancer' } }));
    expect(snapshot.services[0]).toMatchObject({ ref: { namespace: 'default' }, externalTrafficPolicy: 'Cluster', loadBalancerClass: undefined, ingress: [] });
  });
});

describe('EndpointSlice', () => {
  test('endpoints and EndpointCanServe', () => {
    const { snapshot, problems } = build(
      doc({
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
        metadata: { name: 's1-abc', namespace: 'test', labels: { 'kubernetes.io/service-name': 's1' } },
        endpoints: [
          { addresses: ['10.1.0.1'], nodeName: 'n1' },
          { addresses: ['10.1.0.2'], nodeName: 'n2', conditions: { ready: false, serving: true } },
          { addresses: ['10.1.0.3'], nodeName: 'n3', conditions: { ready: false } },
          { addresses: [] },
        ],
      }),
    );
    expect(problems).toEqual([]);
    expect(snapshot.endpointSlices[0]).toEqual({
      ref: { kind: 'EndpointSlice', namespace: 'test', name: 's1-abc', source: 'test.yaml' },
      serviceName: 's1',
      endpoints: [
        { nodeName: 'n1', hasAddresses: true, canServe: true },
        { nodeName: 'n2', hasAddresses: true, canServe: true },
        { nodeName: 'n3', hasAddresses: true, canServe: false },
        { nodeName: undefined, hasAddresses: false, canServe: true },
      ],
    });
  });
});

describe('Node', () => {
  test('labels and NetworkUnavailable', () => {
    const { snapshot } = build(
      doc({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { zone: 'a' } }, status: { conditions: [{ type: 'NetworkUnavailable', status: 'True' }] } }) +
        doc({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } }),
    );
    expect(snapshot.nodes).toEqual([
      { ref: { kind: 'Node', namespace: '', name: 'n1', source: 'test.yaml' }, labels: { zone: 'a' }, networkUnavailable: true },
      { ref: { kind: 'Node', namespace: '', name: 'n2', source: 'test.yaml' }, labels: {}, networkUnavailable: false },
    ]);
  });
});

describe('Secret', () => {
  test('data is base64-decoded and stringData wins; only the MetalLB namespace is read', () => {
    const { snapshot, problems } = build(
      doc({
        apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/basic-auth', metadata: { name: 's1', namespace: NS },
        data: { password: Buffer.from('p4ss').toString('base64'), other: Buffer.from('x').toString('base64') },
        stringData: { other: 'y' },
      }) + doc({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's2', namespace: 'default' }, data: { password: '!!!' } }),
    );
    expect(problems).toEqual([]);
    expect(snapshot.secrets).toEqual([
      { ref: { kind: 'Secret', namespace: NS, name: 's1', source: 'test.yaml' }, type: 'kubernetes.io/basic-auth', data: { password: 'p4ss', other: 'y' } },
    ]);
  });

  test('bad base64 is an error that does not quote the value', () => {
    const { problems } = build(doc({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: NS }, data: { password: 'not base64!' } }));
    expect(errors(problems)).toEqual([
      'Secret metallb-system/s1: data.password: is not valid base64: encode the value with `base64 -w0`, or put the plain text under stringData',
    ]);
  });
});
