/**
 * What the rendered config must match that is FRR's and the node's, not the user's: the FRR
 * release (its forms, see intent/frr-release.ts) and the node's IP forwarding (see NodeForwarding).
 * Both are read from FRR itself, so the sidecar and FRR never disagree about them.
 */
import { parseFrrRelease, type FrrRelease } from '../intent/frr-release.js';
import type { NodeForwarding } from '../intent/model.js';
import type { FrrContext } from './context.js';
import { parseFrrVersion } from './parse-version.js';
import { show } from './vtysh.js';
import { askDaemon, orVtysh } from './vty-socket.js';

export interface FrrEnvironment {
  /** Undefined when `show version` names no release this renderer can read. */
  readonly release: FrrRelease | undefined;
  readonly forwarding: NodeForwarding;
}

/**
 * zebra's answer to `show ip forwarding` and `show ipv6 forwarding` (one vtysh call, both
 * commands): `IP forwarding is off`, `ipv6 forwarding is on` (8.4.4 and 10.3). What zebra says is
 * what its running config shows (`no ipv6 forwarding`); anything unreadable counts as on, FRR's
 * own default, which renders no line.
 */
export function parseForwarding(output: string): NodeForwarding {
  return { ipv4: !/^IP forwarding is off$/im.test(output), ipv6: !/^ipv6 forwarding is off$/im.test(output) };
}

const FORWARDING_COMMANDS = ['show ip forwarding', 'show ipv6 forwarding'];

/**
 * The node's forwarding, as zebra reports it. Asked before every apply, so asked of zebra's vty
 * socket when there is one (no vtysh start on the way to the route).
 */
export async function readForwarding(frr: FrrContext): Promise<NodeForwarding> {
  const output = await orVtysh(async () => (await askDaemon(frr, 'zebra', FORWARDING_COMMANDS)).join(''), () => show(frr, FORWARDING_COMMANDS));
  return parseForwarding(output);
}

/** Asks FRR (`show version`, forwarding); rejects when FRR does not answer. */
export async function readEnvironment(frr: FrrContext): Promise<FrrEnvironment> {
  const [version, forwarding] = await Promise.all([readVersion(frr), readForwarding(frr)]);
  return { release: parseFrrRelease(parseFrrVersion(version)), forwarding };
}

/** `show version`: zebra's over its socket (the same text as vtysh's), else vtysh's. */
export async function readVersion(frr: FrrContext): Promise<string> {
  return orVtysh(async () => (await askDaemon(frr, 'zebra', ['show version']))[0]!, () => show(frr, 'show version'));
}
