import { DEFAULT_FRR_RELEASE, formsFor, parseFrrRelease, TESTED_RELEASES, untestedReleaseNote } from '../../../src/intent/frr-release.js';

describe('FRR release', () => {
  it.each([
    ['8.4', { major: 8, minor: 4 }],
    ['8.4.4', { major: 8, minor: 4 }],
    ['10.3', { major: 10, minor: 3 }],
    ['10.4.1_git', { major: 10, minor: 4 }],
    ['10.5-dev', { major: 10, minor: 5 }],
    ['10.3-3+deb13u1', { major: 10, minor: 3 }],
  ])('reads %s', (text, release) => {
    expect(parseFrrRelease(text)).toEqual(release);
  });

  it.each(['', '10', 'ten.three', '10.3 ', '10.3\nrouter bgp 1', 'v10.3', '1.2.3.4/8'])('refuses %j', (text) => {
    expect(parseFrrRelease(text)).toBeUndefined();
  });

  it('renders 8.4 in the forms 8.4.4 prints and 10.3 in those 10.3 prints', () => {
    expect(formsFor({ major: 8, minor: 4 }).forms).toEqual({ nhtResolveViaDefault: true, communityZeroName: 'internet', ebgpMultihopTtl: 255 });
    expect(formsFor({ major: 10, minor: 3 }).forms).toEqual({ nhtResolveViaDefault: false, communityZeroName: null, ebgpMultihopTtl: null });
  });

  it('gives an untested release the forms of the nearest tested release below it, and says so', () => {
    const newer = formsFor({ major: 10, minor: 5 });
    expect(newer).toMatchObject({ tested: false, basis: { major: 10, minor: 3 } });
    expect(untestedReleaseNote(newer)).toBe('FRR 10.5 is not a tested release (tested: 8.4, 10.3); rendering with the forms of FRR 10.3');
    expect(formsFor({ major: 9, minor: 1 }).basis).toEqual({ major: 8, minor: 4 });
    expect(formsFor({ major: 7, minor: 5 }).basis).toEqual({ major: 8, minor: 4 }); // nothing lower: the oldest
    expect(untestedReleaseNote(formsFor({ major: 8, minor: 4 }))).toBeUndefined();
  });

  it('defaults to a tested release', () => {
    expect(TESTED_RELEASES).toContainEqual(DEFAULT_FRR_RELEASE);
  });
});
