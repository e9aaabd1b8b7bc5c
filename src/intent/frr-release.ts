/**
 * The FRR release is an input of the renderer. frr-reload.py compares the rendered file with FRR's
 * running config line by line, and some lines are printed differently from one release to the
 * next: a line rendered in another release's form is deleted and re-added on every reload, or
 * rejected outright. Every such form is decided here, from one table, and nowhere else.
 *
 * Only tested releases are rendered for. Any other release gets the forms of the nearest tested
 * release below it (or the oldest tested one), and a warning says so: the forms of a release that
 * was never loaded into a live FRR are a guess, and guessing is what this module exists to avoid.
 */

/** A release as FRR names it in `show version`: major.minor (patch levels never change forms). */
export interface FrrRelease {
  readonly major: number;
  readonly minor: number;
}

/** Releases whose forms are proven by the real-FRR tests (goldens, conformance, sidecar e2e). */
export const TESTED_RELEASES: readonly FrrRelease[] = [
  { major: 8, minor: 4 }, // Debian 12's frr 8.4.4
  { major: 10, minor: 3 }, // Debian 13's frr 10.3
];

/** The release the image ships (Containerfile's default base, Debian 13): `render`'s default. */
export const DEFAULT_FRR_RELEASE: FrrRelease = { major: 10, minor: 3 };

/** Every line whose form depends on the release. */
export interface FrrForms {
  /**
   * Write `ip nht resolve-via-default` and `ipv6 nht resolve-via-default`. The sidecar needs next
   * hops resolved through a default route (MetalLB writes the same two lines).
   */
  readonly nhtResolveViaDefault: boolean;
  /** The name FRR prints for community 0:0, or null when it prints `0:0`. */
  readonly communityZeroName: 'internet' | null;
  /** The TTL written after `ebgp-multihop`, or null for the bare keyword (which means 255). */
  readonly ebgpMultihopTtl: 255 | null;
}

type Since<T> = readonly (readonly [since: FrrRelease, value: T])[];

const R = (major: number, minor: number): FrrRelease => ({ major, minor });

/**
 * Release range -> form: each value holds from its release (inclusive) until the next row's.
 * Measured on 8.4.4 and 10.3 with the same files (../shared/reference/frr-versions.md); the
 * release where each change happened is FRR's, cited per row.
 *
 * Not in the table because no release needs a different line: BFD profiles (10.x prints them
 * sorted by name, 8.4.4 in creation order; both reload without delta, and we render them sorted),
 * route-maps (10.x prints them before `router bgp`, which is where we render them), and `hostname`
 * (both show the system's host name even when none is configured; 10.3's frr-reload.py then asks
 * for `no hostname X`, 8.4.4's does not: the sidecar always writes the pod's host name).
 */
const FORMS: { readonly [K in keyof FrrForms]: Since<FrrForms[K]> } = {
  // 8.4.4 shows both lines once written (resolution via the default route is off by default).
  // 9.1 made it the default and hides it: writing it gives `+ ip nht resolve-via-default` in
  // every `frr-reload.py --test` on 10.3, and the sidecar would never converge.
  nhtResolveViaDefault: [
    [R(0, 0), true],
    [R(9, 1), false],
  ],
  // 8.4.4 prints 0:0 as `internet`. 9.1 removed the keyword: 10.3's bgpd answers `set community
  // internet ...` with "% Malformed communities attribute" (vtysh exit 13) although `vtysh -C`
  // accepts it, and prints 0:0 as `0:0`.
  communityZeroName: [
    [R(0, 0), 'internet'],
    [R(9, 1), null],
  ],
  // 8.4.4 shows `ebgp-multihop 255`; 10.3 shows the bare keyword for the default TTL (FRR pull
  // request 14243, Aug 2023: "Do not explicitly print MAXTTL value for ebgp-multihop"; 9.1 is the
  // first release after it). 10.3's frr-reload.py maps one to the other, but a delta computed
  // from our own text must match FRR's exactly.
  ebgpMultihopTtl: [
    [R(0, 0), 255],
    [R(9, 1), null],
  ],
};

export function compareReleases(a: FrrRelease, b: FrrRelease): number {
  return a.major - b.major || a.minor - b.minor;
}

export function formatRelease(r: FrrRelease): string {
  return `${r.major}.${r.minor}`;
}

/**
 * `8.4`, `8.4.4`, `10.3`, and FRR's own spellings in `show version` (`10.4.1_git`, `10.5-dev`,
 * `10.3-3+deb13u1` from dpkg). Undefined for anything else.
 */
export function parseFrrRelease(text: string): FrrRelease | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})(?:[.\-_+~][0-9A-Za-z.\-_+~]*)?$/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export interface ReleaseForms {
  /** The release asked for. */
  readonly release: FrrRelease;
  /** The tested release whose forms are used: `release` itself when it is tested. */
  readonly basis: FrrRelease;
  readonly tested: boolean;
  readonly forms: FrrForms;
}

/** The forms to render for `release`: its own when tested, else the nearest tested release below it. */
export function formsFor(release: FrrRelease): ReleaseForms {
  const sorted = [...TESTED_RELEASES].sort(compareReleases);
  const tested = sorted.some((t) => compareReleases(t, release) === 0);
  const basis = [...sorted].reverse().find((t) => compareReleases(t, release) <= 0) ?? sorted[0]!;
  const at = <T>(rows: Since<T>): T => [...rows].reverse().find(([since]) => compareReleases(since, basis) <= 0)![1];
  return {
    release,
    basis,
    tested,
    forms: {
      nhtResolveViaDefault: at(FORMS.nhtResolveViaDefault),
      communityZeroName: at(FORMS.communityZeroName),
      ebgpMultihopTtl: at(FORMS.ebgpMultihopTtl),
    },
  };
}

/** Why the forms are a fallback, for logs, `/status` and `status`; undefined for a tested release. */
export function untestedReleaseNote(r: ReleaseForms): string | undefined {
  if (r.tested) return undefined;
  const tested = TESTED_RELEASES.map(formatRelease).join(', ');
  return `FRR ${formatRelease(r.release)} is not a tested release (tested: ${tested}); rendering with the forms of FRR ${formatRelease(r.basis)}`;
}
