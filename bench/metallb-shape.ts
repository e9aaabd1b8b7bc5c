/**
 * A reference generator of the incumbent config shape: MetalLB's FRR mode as described in
 * /work/shared/reference/metallb-frr-mode.md §3.3-3.6 (written here from that description, not
 * copied), for the benchmark's simple case: IPv4 peers in the default VRF, one advertisement with
 * no communities or local-pref. Per peer: `route-map N-in deny 20`, one prefix-list entry per
 * announced prefix (`N-allowed-ipv4`, sequence numbers counted in prefix order, as MetalLB's
 * template counter does), the `deny any` IPv6 list and two outbound route-map entries; then the
 * router block with one `network` line per prefix, sorted as strings.
 */

export interface MetallbPeer {
  readonly address: string;
  readonly asn: number;
  readonly keepalive?: number;
  readonly hold?: number;
  readonly connect?: number;
}

export interface MetallbShapeInput {
  readonly myAsn: number;
  readonly peers: readonly MetallbPeer[];
  /** IPv4 prefixes announced to every peer (`a.b.c.d/32`). */
  readonly prefixes: readonly string[];
  /** `hostname` line (MetalLB writes the node's host name, so frr-reload.py sees no change). */
  readonly hostname?: string;
}

export function metallbShapeConfig(input: MetallbShapeInput): string {
  const prefixes = [...new Set(input.prefixes)].sort();
  const peers = [...input.peers].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const out: string[] = [
    'frr defaults traditional',
    ...(input.hostname !== undefined ? [`hostname ${input.hostname}`] : []),
    'log stdout informational',
    'log timestamp precision 3',
    'ip nht resolve-via-default',
    'ipv6 nht resolve-via-default',
    '!',
  ];
  for (const peer of peers) {
    const id = peer.address;
    out.push(`route-map ${id}-in deny 20`, 'exit', '!');
    if (prefixes.length === 0) out.push(`ip prefix-list ${id}-allowed-ipv4 seq 1 deny any`);
    prefixes.forEach((p, i) => out.push(`ip prefix-list ${id}-allowed-ipv4 seq ${i + 1} permit ${p}`));
    out.push('!', `ipv6 prefix-list ${id}-allowed-ipv6 seq 1 deny any`, '!');
    out.push(`route-map ${id}-out permit 1`, ` match ip address prefix-list ${id}-allowed-ipv4`, 'exit', '!');
    out.push(`route-map ${id}-out permit 2`, ` match ipv6 address prefix-list ${id}-allowed-ipv6`, 'exit', '!');
  }
  out.push(
    `router bgp ${input.myAsn}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp network import-check',
    ' no bgp default ipv4-unicast',
    ' bgp graceful-restart preserve-fw-state',
  );
  for (const peer of peers) {
    out.push(` neighbor ${peer.address} remote-as ${peer.asn}`);
    if (peer.keepalive !== undefined && peer.hold !== undefined) out.push(` neighbor ${peer.address} timers ${peer.keepalive} ${peer.hold}`);
    if (peer.connect !== undefined) out.push(` neighbor ${peer.address} timers connect ${peer.connect}`);
  }
  out.push(' !', ' address-family ipv4 unicast');
  for (const p of prefixes) out.push(`  network ${p}`);
  for (const peer of peers) {
    out.push(
      `  neighbor ${peer.address} activate`,
      `  neighbor ${peer.address} route-map ${peer.address}-in in`,
      `  neighbor ${peer.address} route-map ${peer.address}-out out`,
    );
  }
  out.push(' exit-address-family', 'exit', '!', '');
  return out.join('\n');
}
