/**
 * Shapes of networks beyond one veth pair: a LAN (a bridge in its own namespace, so several
 * speakers and routers share one subnet, as nodes and a top-of-rack router do), a routed hop
 * (a namespace that forwards between two links, for ebgpMultiHop) and static routes.
 */
import { interfaceName } from './names.js';
import { execIn } from './namespaces.js';
import type { LinkEnd } from './namespaces.js';
import { linkNamespaces } from './namespaces.js';
import { sh } from './system.js';

/** Bridges `members` into one L2 segment through `switchNamespace` (which must exist, empty). */
export async function createLan(switchNamespace: string, members: readonly LinkEnd[]): Promise<{ interfaces: string[] }> {
  const bridge = interfaceName();
  await sh('ip', ['-n', switchNamespace, 'link', 'add', bridge, 'type', 'bridge']);
  await sh('ip', ['-n', switchNamespace, 'link', 'set', bridge, 'up']);
  const interfaces: string[] = [];
  for (const member of members) {
    // The member's end goes into its namespace with addresses; the other end joins the bridge.
    const link = await linkNamespaces(member, { namespace: switchNamespace, addresses: [] });
    await sh('ip', ['-n', switchNamespace, 'link', 'set', link.interface, 'master', bridge]);
    interfaces.push(link.interface);
  }
  return { interfaces };
}

/** `ip route add PREFIX via GATEWAY` inside a namespace (documentation addresses only). */
export async function addRoute(namespace: string, prefix: string, via: string): Promise<void> {
  const family = prefix.includes(':') ? '-6' : '-4';
  await sh('ip', [family, '-n', namespace, 'route', 'add', prefix, 'via', via]);
}

/** Turns off IPv6 duplicate address detection for interfaces created later in the namespace (link-locals usable at once). */
export async function disableDad(namespace: string): Promise<void> {
  await execIn(namespace, 'sysctl', ['-q', '-w', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']);
}

/** Adds an address to an interface (default `lo`) in a namespace, e.g. a node's IPv4 address for its router ID on an unnumbered link. */
export async function addAddress(namespace: string, cidr: string, dev = 'lo'): Promise<void> {
  if (!/^(192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|2001:db8:)/i.test(cidr)) throw new Error(`test address ${cidr} must be in a documentation range`);
  await sh('ip', ['-n', namespace, 'address', 'add', cidr, 'dev', dev]);
}
