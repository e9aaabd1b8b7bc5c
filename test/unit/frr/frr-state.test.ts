/**
 * gatherFrrState asks FRR for little: sessions and BFD in one vtysh process, the version only when
 * asked, and for `explain` only the prefixes of one service. A fake vtysh answers with the JSON
 * captured from FRR 8.4.4 (`fixtures/vtysh/8.4.4/`) and logs every call.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../support/fixtures.js';
import { gatherFrrState, joinBfd, splitJsonValues } from '../../../src/frr/frr-state.js';
import { parseBfdPeers } from '../../../src/frr/parse-bfd.js';
import { parseAllNeighbors } from '../../../src/frr/parse-neighbors.js';
import { spawnRunner } from '../../../src/frr/run.js';
import { makeFakePrograms, type FakePrograms } from './fake-programs.js';

const DIR = join(FIXTURES_DIR, 'vtysh', '8.4.4');
const NEIGHBORS = join(DIR, 'bgp-vrf-all-neighbors-up.json');
const BFD = join(DIR, 'bfd-peers-up.json');

let fakes: FakePrograms;
let calls: string;

/**
 * A vtysh that prints the fixture of each `-c` command in turn; `show bgp ipv4 unicast P json`
 * answers that P was advertised to 192.0.2.1 only when P is 198.51.100.10/32. With `failTwo`, a
 * call with more than one command fails (an older vtysh, or a daemon missing).
 */
async function fakeVtysh(opts: { failTwo?: boolean; sessionsWaitForPrefixes?: boolean } = {}): Promise<string> {
  const marker = join(fakes.dir, `prefix-query-${Math.random().toString(36).slice(2)}`);
  return fakes.add(
    `vtysh-${Math.random().toString(36).slice(2)}`,
    `echo "$*" >> ${calls}
n=0; for a in "$@"; do [ "$a" = -c ] && n=$((n+1)); done
${opts.failTwo ? '[ $n -gt 1 ] && { echo "% failed" >&2; exit 1; }' : ''}
${
  // The sessions query answers only once a prefix query runs: it fails unless both run at once.
  opts.sessionsWaitForPrefixes
    ? `case "$*" in *unicast*) touch ${marker} ;; *neighbors*) for i in $(seq 1 100); do [ -f ${marker} ] && break; sleep 0.02; done; [ -f ${marker} ] || { echo "% no prefix query beside" >&2; exit 1; } ;; esac`
    : ''
}
while [ $# -gt 0 ]; do
  if [ "$1" = -c ]; then
    case "$2" in
      'show version') echo 'FRRouting 8.4.4 (vm) on Linux(6.1.0).' ;;
      'show bgp vrf all neighbors json') cat ${NEIGHBORS} ;;
      'show bfd peers json') cat ${BFD} ;;
      'show bgp ipv4 unicast 198.51.100.10/32 json') echo '{"prefix":"198.51.100.10/32","advertisedTo":{"192.0.2.1":{"hostname":"r1"}},"paths":[]}' ;;
      'show bgp '*' json') echo '{}' ;;
      *) echo "% Unknown command: $2" >&2; exit 1 ;;
    esac
    shift
  fi
  shift
done`,
  );
}

const loggedCalls = async (): Promise<string[]> => (await readFile(calls, 'utf8')).split('\n').filter((l) => l !== '');

beforeAll(async () => {
  fakes = await makeFakePrograms();
  calls = join(fakes.dir, 'calls.log');
});

beforeEach(async () => {
  await writeFile(calls, '');
});

afterAll(async () => {
  await fakes.remove();
});

describe('gatherFrrState', () => {
  it('reads sessions and BFD in one vtysh call, and the version only when asked', async () => {
    const vtysh = await fakeVtysh();
    const state = await gatherFrrState({ run: spawnRunner, vtysh, pathspace: 'ps1' }, { version: false });
    expect(await loggedCalls()).toEqual(['-N ps1 -c show bgp vrf all neighbors json -c show bfd peers json']);
    expect(state.bfdPeers).toEqual(parseBfdPeers(JSON.parse(readFileSync(BFD, 'utf8'))));
    expect(state.neighbors).toEqual(joinBfd(parseAllNeighbors(JSON.parse(readFileSync(NEIGHBORS, 'utf8'))), state.bfdPeers));
    expect(state.neighbors.length).toBeGreaterThan(0);
    expect(state.bfdPeers.length).toBeGreaterThan(0);
    expect(state).toMatchObject({ version: 'not read', reachable: true, errors: [] });

    await writeFile(calls, '');
    expect((await gatherFrrState({ run: spawnRunner, vtysh })).version).toBe('8.4.4');
    expect(await loggedCalls()).toEqual(['-c show version', '-c show bgp vrf all neighbors json -c show bfd peers json']);
  });

  it('falls back to one call per command when the combined call fails', async () => {
    const vtysh = await fakeVtysh({ failTwo: true });
    const state = await gatherFrrState({ run: spawnRunner, vtysh }, { version: false });
    expect(await loggedCalls()).toEqual([
      '-c show bgp vrf all neighbors json -c show bfd peers json',
      '-c show bgp vrf all neighbors json',
      '-c show bfd peers json',
    ]);
    expect(state.bfdPeers.length).toBeGreaterThan(0);
    expect(state.neighbors).toEqual(joinBfd(parseAllNeighbors(JSON.parse(readFileSync(NEIGHBORS, 'utf8'))), state.bfdPeers));
    expect(state.errors).toEqual([]);
  });

  it('for given prefixes, asks FRR about those prefixes only, in one call, and says which neighbors got them', async () => {
    const vtysh = await fakeVtysh();
    const prefixes = new Map([
      ['198.51.100.10/32', 'ipv4' as const],
      ['198.51.100.11/32', 'ipv4' as const],
    ]);
    const state = await gatherFrrState({ run: spawnRunner, vtysh }, { version: false, advertised: true, advertisedPrefixes: prefixes });
    const log = await loggedCalls();
    expect(log).toHaveLength(2);
    // Every VRF with an Established neighbor, every prefix; never a whole advertised-routes table.
    expect(log[1]).toBe(
      [
        '-c show bgp ipv4 unicast 198.51.100.10/32 json',
        '-c show bgp ipv4 unicast 198.51.100.11/32 json',
        '-c show bgp vrf frrt-22820-red5 ipv4 unicast 198.51.100.10/32 json',
        '-c show bgp vrf frrt-22820-red5 ipv4 unicast 198.51.100.11/32 json',
      ].join(' '),
    );
    expect(state.advertised['default|192.0.2.1|ipv4']).toEqual({ kind: 'routes', prefixes: ['198.51.100.10/32'], total: 'unknown' });
    expect(state.advertised['frrt-22820-red5|203.0.113.1|ipv4']).toEqual({ kind: 'routes', prefixes: [], total: 'unknown' });
    // Not Established: not asked, as with whole tables.
    expect(state.advertised['default|192.0.2.99|ipv4']).toBeUndefined();
  });

  it('with the VRFs known beforehand, asks about the prefixes beside the sessions query, with the same answer', async () => {
    const vtysh = await fakeVtysh();
    const prefixes = new Map([
      ['198.51.100.10/32', 'ipv4' as const],
      ['198.51.100.11/32', 'ipv4' as const],
    ]);
    const after = await gatherFrrState({ run: spawnRunner, vtysh }, { version: false, advertised: true, advertisedPrefixes: prefixes });
    await writeFile(calls, '');
    const besideVtysh = await fakeVtysh({ sessionsWaitForPrefixes: true });
    const beside = await gatherFrrState({ run: spawnRunner, vtysh: besideVtysh }, { version: false, advertised: true, advertisedPrefixes: prefixes, advertisedPrefixVrfs: ['default', 'frrt-22820-red5'] });
    expect({ ...beside, at: 0 }).toEqual({ ...after, at: 0 });
    // Two calls, as before, but the prefix query did not wait for the sessions (its VRFs were given):
    // this fake answers the sessions only while a prefix query runs.
    expect((await loggedCalls()).sort()).toEqual([
      '-c show bgp ipv4 unicast 198.51.100.10/32 json -c show bgp ipv4 unicast 198.51.100.11/32 json -c show bgp vrf frrt-22820-red5 ipv4 unicast 198.51.100.10/32 json -c show bgp vrf frrt-22820-red5 ipv4 unicast 198.51.100.11/32 json',
      '-c show bgp vrf all neighbors json -c show bfd peers json',
    ]);

    // A VRF with an Established neighbor that was not given is still asked, afterwards.
    await writeFile(calls, '');
    const partial = await gatherFrrState({ run: spawnRunner, vtysh }, { version: false, advertised: true, advertisedPrefixes: prefixes, advertisedPrefixVrfs: ['default'] });
    expect({ ...partial, at: 0 }).toEqual({ ...after, at: 0 });
    expect(await loggedCalls()).toHaveLength(3);
  });

  it('a failed prefix query makes the advertised state unknown, not empty', async () => {
    const vtysh = await fakes.add(
      'vtysh-prefix-fails',
      `case "$*" in *'198.51.100.10/32'*) echo "% no" >&2; exit 1 ;; esac
cat ${NEIGHBORS}; echo; cat ${BFD}`,
    );
    const state = await gatherFrrState({ run: spawnRunner, vtysh }, { version: false, advertised: true, advertisedPrefixes: new Map([['198.51.100.10/32', 'ipv4']]) });
    expect(state.advertised['default|192.0.2.1|ipv4']?.kind).toBe('unknown');
    expect(state.errors.length).toBe(1);
  });
});

describe('splitJsonValues', () => {
  it('splits values printed one after another, whatever their strings hold', () => {
    const a = { d: 'a } b { "c" \\ ]', n: [1, { x: [] }] };
    const b = [{ peer: '192.0.2.1' }];
    expect(splitJsonValues(`${JSON.stringify(a, null, 2)}\n${JSON.stringify(b)}\n`).map((t) => JSON.parse(t) as unknown)).toEqual([a, b]);
    expect(splitJsonValues('{}\n[]\n{}')).toEqual(['{}', '[]', '{}']);
  });

  it('stops at anything that is not a JSON value, and at a value cut short', () => {
    expect(splitJsonValues('{"a":1}\n% Unknown command\n{"b":2}')).toEqual(['{"a":1}']);
    expect(splitJsonValues('{"a":1}{"b":')).toEqual(['{"a":1}']);
    expect(splitJsonValues('')).toEqual([]);
  });
});
