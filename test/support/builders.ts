/** Builders for validated model objects, so intent tests state only what matters to them. */
import type { Advertisement, BfdProfile, EndpointSlice, Peer, Pool, Service, Snapshot } from '../../src/api/model.js';
import { parseCidr, parseIp } from '../../src/api/ip.js';

const NS = 'metallb-system';

export function peer(name: string, over: Partial<Peer> = {}): Peer {
  const address = over.interface ? undefined : (over.address ?? '192.0.2.1');
  return {
    ref: { kind: 'BGPPeer', namespace: NS, name },
    apiVersion: 'metallb.io/v1beta2',
    myASN: 64500,
    peerASN: { kind: 'number', asn: 64501 },
    localASN: undefined,
    address,
    addressFamily: address === undefined ? undefined : address.includes(':') ? 'ipv6' : 'ipv4',
    interface: undefined,
    sourceAddress: undefined,
    port: 179,
    timers: undefined,
    connectTimeSeconds: undefined,
    routerID: undefined,
    nodeSelectors: [],
    password: { kind: 'none' },
    bfdProfile: undefined,
    enableGracefulRestart: false,
    ebgpMultiHop: false,
    vrf: undefined,
    dualStackAddressFamily: false,
    ...over,
  };
}

export function pool(name: string, cidrs: string[], labels: Record<string, string> = {}): Pool {
  return {
    ref: { kind: 'IPAddressPool', namespace: NS, name },
    labels,
    ranges: cidrs.map((text) => {
      const parsed = parseCidr(text);
      if (!parsed.ok) throw new Error(parsed.error);
      const c = parsed.value;
      return { text, family: c.family, cidrs: [text], first: c.first, last: c.last };
    }),
  };
}

export function adv(name: string, over: Partial<Advertisement> = {}): Advertisement {
  return {
    ref: { kind: 'BGPAdvertisement', namespace: NS, name },
    aggregationLength: 32,
    aggregationLengthV6: 128,
    localPref: 0,
    communities: [],
    ipAddressPools: [],
    ipAddressPoolSelectors: [],
    nodeSelectors: [],
    peers: [],
    serviceSelectors: [],
    ...over,
  };
}

export function service(ns: string, name: string, ips: string[], over: Partial<Service> = {}): Service {
  return {
    ref: { kind: 'Service', namespace: ns, name },
    labels: {},
    type: 'LoadBalancer',
    loadBalancerClass: undefined,
    externalTrafficPolicy: 'Cluster',
    ingress: ips.map((ip) => {
      const parsed = parseIp(ip);
      if (!parsed.ok) throw new Error(parsed.error);
      return { ip: parsed.value.text, family: parsed.value.family, value: parsed.value.value };
    }),
    ...over,
  };
}

export function slice(ns: string, svc: string, nodes: string[], ready = true): EndpointSlice {
  return {
    ref: { kind: 'EndpointSlice', namespace: ns, name: `${svc}-x` },
    serviceName: svc,
    endpoints: nodes.map((nodeName) => ({ nodeName, hasAddresses: true, canServe: ready })),
  };
}

export function bfd(name: string, over: Partial<BfdProfile> = {}): BfdProfile {
  return {
    ref: { kind: 'BFDProfile', namespace: NS, name },
    receiveInterval: undefined,
    transmitInterval: undefined,
    detectMultiplier: undefined,
    echoInterval: undefined,
    echoMode: false,
    passiveMode: false,
    minimumTtl: undefined,
    ...over,
  };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    peers: [],
    pools: [],
    advertisements: [],
    bfdProfiles: [],
    communityAliases: [],
    services: [],
    endpointSlices: [],
    nodes: [],
    secrets: [],
    rejected: [],
    ...over,
  };
}
