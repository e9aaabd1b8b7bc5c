/** Network namespaces and veth links between them, for FRR instances under test. */
import { interfaceName } from './names.js';
import { sh, shAllowFailure } from './system.js';
import type { CommandResult } from '../../src/frr/run.js';

/** Creates a namespace with loopback up and forwarding on. */
export async function createNamespace(name: string): Promise<void> {
  await sh('ip', ['netns', 'add', name]);
  await sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  // FRR prints `no ip forwarding` / `no ipv6 forwarding` while forwarding is off, and
  // frr-reload.py would then want to change it: turn it on before FRR starts, as on a node.
  await execIn(name, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
}

/** Deletes a namespace; a namespace that is already gone is fine. */
export async function deleteNamespace(name: string): Promise<void> {
  const result = await shAllowFailure('ip', ['netns', 'delete', name]);
  if (result.exitCode !== 0 && (await listNamespaces()).includes(name)) {
    throw new Error(`ip netns delete ${name} failed: ${result.stderr.trim()}`);
  }
}

/** Names of all network namespaces on the machine. */
export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await sh('ip', ['netns', 'list']);
  // Lines look like `name (id: 3)` or just `name`.
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

/** Runs a command inside a namespace (`ip netns exec`); it must exit 0. */
export function execIn(ns: string, file: string, args: readonly string[], timeoutMs?: number): Promise<CommandResult> {
  return sh('ip', ['netns', 'exec', ns, file, ...args], timeoutMs);
}

/** Live tests only use the documentation ranges, so nothing can leak to a real network. */
const DOCUMENTATION_PREFIXES = ['192.0.2.', '198.51.100.', '203.0.113.', '2001:db8:'];

function assertDocumentationAddress(cidr: string): void {
  const address = cidr.toLowerCase().split('/')[0] ?? '';
  if (!cidr.includes('/') || !DOCUMENTATION_PREFIXES.some((prefix) => address.startsWith(prefix))) {
    throw new Error(
      `test address ${cidr} must be address/length inside 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32`,
    );
  }
}

export interface LinkEnd {
  readonly namespace: string;
  /** Addresses with length, e.g. `192.0.2.1/24`, `2001:db8::1/64` (documentation ranges only). */
  readonly addresses: readonly string[];
}

export interface Link {
  /** The interface name, the same at both ends (each end lives in its own namespace). */
  readonly interface: string;
}

/**
 * Joins two namespaces with a veth pair, addresses both ends and brings them up.
 * The pair is created straight inside the namespaces (never in the root namespace) and
 * disappears with them.
 */
export async function linkNamespaces(a: LinkEnd, b: LinkEnd): Promise<Link> {
  [...a.addresses, ...b.addresses].forEach(assertDocumentationAddress);
  const ifname = interfaceName();
  await sh('ip', ['link', 'add', ifname, 'netns', a.namespace, 'type', 'veth', 'peer', 'name', ifname, 'netns', b.namespace]);
  for (const end of [a, b]) {
    for (const address of end.addresses) {
      // nodad: IPv6 addresses are usable at once instead of after duplicate address detection.
      const extra = address.includes(':') ? ['nodad'] : [];
      await sh('ip', ['-n', end.namespace, 'address', 'add', address, 'dev', ifname, ...extra]);
    }
    await sh('ip', ['-n', end.namespace, 'link', 'set', ifname, 'up']);
  }
  return { interface: ifname };
}
