/**
 * `show bfd [vrf X] peers json`: a JSON array of sessions. Status is lower-case here (`up`,
 * `down`, `init`, `adminDown`/`shutdown` depending on the release), unlike the capitalised
 * `peerBfdInfo.status` of the BGP neighbors JSON.
 */
import { UNKNOWN, type Unknown, arr, bool, num, obj, str } from './parse-json.js';

export interface BfdPeer {
  readonly peer: string | Unknown;
  readonly local: string | Unknown;
  readonly vrf: string;
  readonly interface: string | Unknown;
  readonly multihop: boolean | Unknown;
  /** Lower-case as FRR prints it: `up`, `down`, `init`, `adminDown`... */
  readonly status: string;
  readonly up: boolean;
  readonly uptimeS: number | Unknown;
  readonly downtimeS: number | Unknown;
  readonly diagnostic: string | Unknown;
  readonly remoteDiagnostic: string | Unknown;
  readonly receiveIntervalMs: number | Unknown;
  readonly transmitIntervalMs: number | Unknown;
  readonly detectMultiplier: number | Unknown;
}

export function parseBfdPeers(raw: unknown, vrf = 'default'): BfdPeer[] {
  return arr(raw)
    .map((entry) => {
      const p = obj(entry) ?? {};
      const status = (str(p.status) ?? UNKNOWN).toLowerCase() === 'up' ? 'up' : (str(p.status) ?? UNKNOWN);
      return {
        peer: str(p.peer) ?? UNKNOWN,
        local: str(p.local) ?? UNKNOWN,
        vrf: str(p.vrf) ?? vrf,
        interface: str(p.interface) ?? UNKNOWN,
        multihop: bool(p.multihop) ?? UNKNOWN,
        status,
        up: status === 'up',
        uptimeS: num(p.uptime) ?? UNKNOWN,
        downtimeS: num(p.downtime) ?? UNKNOWN,
        diagnostic: str(p.diagnostic) ?? UNKNOWN,
        remoteDiagnostic: str(p['remote-diagnostic']) ?? UNKNOWN,
        receiveIntervalMs: num(p['receive-interval']) ?? UNKNOWN,
        transmitIntervalMs: num(p['transmit-interval']) ?? UNKNOWN,
        detectMultiplier: num(p['detect-multiplier']) ?? UNKNOWN,
      } satisfies BfdPeer;
    })
    .sort((a, b) => (a.vrf + ' ' + a.peer < b.vrf + ' ' + b.peer ? -1 : a.vrf + ' ' + a.peer > b.vrf + ' ' + b.peer ? 1 : 0));
}
