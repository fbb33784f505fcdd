import { spawnSync } from 'node:child_process';
import { compareVersions, parseVersion, versionWithoutEpoch } from '../../../shared/formats/deb/version';

/** dpkg's own verdict: -1, 0 or 1. */
function dpkgCompare(a: string, b: string): number {
  const holds = (op: string) => {
    const r = spawnSync('dpkg', ['--compare-versions', a, op, b]);
    if (r.error) throw new Error(`dpkg is not installed (apt-get install dpkg): ${r.error.message}`);
    return r.status === 0;
  };
  return holds('lt') ? -1 : holds('eq') ? 0 : 1;
}

const PAIRS: Array<[string, string]> = [
  ['1.0', '1.0'],
  ['1.0', '1.1'],
  ['1.0', '1.0-1'],
  ['1.0-0', '1.0'],
  ['1.0~rc1', '1.0'],
  ['1.0~rc1', '1.0~rc2'],
  ['1.0~~', '1.0~'],
  ['1.0~', '1.0'],
  ['1.0', '1.0+b1'],
  ['1.0', '1.0.1'],
  ['1.0a', '1.0'],
  ['1.0a', '1.0+'],
  ['1.0+', '1.0.'],
  ['1.0.', '1.0+~'],
  ['1:0.1', '2.0'],
  ['0:1.0', '1.0'],
  ['2:1.0', '10:0.1'],
  ['1.10', '1.9'],
  ['1.010', '1.10'],
  ['1.0001', '1.1'],
  ['1.2.3-1', '1.2.3-1ubuntu1'],
  ['1.2.3-1ubuntu1', '1.2.3-1ubuntu1.1'],
  ['1.2.3-1~bpo12+1', '1.2.3-1'],
  ['2.30-1', '2.30-1+deb12u1'],
  ['7.4.052', '7.4.52'],
  ['12345678901234567890', '12345678901234567891'],
  ['1.0-a', '1.0-A'],
  ['1.0-Z', '1.0-a'],
  ['1.0', '1.0a~'],
  ['1.0a~', '1.0a'],
  ['1.2-3-4', '1.2-3-5'],
  ['1.2-3-4', '1.2.3-4'],
  ['9', '10'],
  ['0.0.0', '0'],
  ['1.0+dfsg1-2', '1.0-2'],
  ['5.0~beta.1', '5.0~beta1'],
];

describe('Debian version comparison agrees with dpkg --compare-versions', () => {
  it.each(PAIRS)('%s vs %s', (a, b) => {
    const expected = dpkgCompare(a, b);
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(0 - expected || 0);
  });

  it('sorts a shuffled list the way dpkg orders it', () => {
    const versions = ['1.0', '1.0~rc1', '1:0.5', '1.0-1', '1.0+b1', '0.9', '1.0.1', '1.0~~', '1.0a'];
    const sorted = [...versions].sort(compareVersions);
    for (let i = 1; i < sorted.length; i++) expect(dpkgCompare(sorted[i - 1], sorted[i])).toBeLessThanOrEqual(0);
    expect(sorted).toEqual(['0.9', '1.0~~', '1.0~rc1', '1.0', '1.0-1', '1.0a', '1.0+b1', '1.0.1', '1:0.5']);
  });
});

describe('Debian version syntax', () => {
  it.each(['1', '1.0', '1:1.0', '1.0-1', '1.0-1-2', '1.0~rc1+dfsg-0ubuntu1~22.04.1', '0:0', '2147483647:1', '1.0+really1.0'])('accepts %j', (v) => {
    expect(typeof parseVersion(v)).toBe('object');
  });

  it.each([
    ['', /empty/],
    ['a1', /does not start with a digit/],
    ['1.0 1', /whitespace/],
    ['1:', /upstream version is empty/],
    ['-1', /upstream version is empty/],
    ['1.0-', /revision after the last "-" is empty/],
    ['2147483648:1', /epoch 2147483648 is too large/],
    ['1.0:1', /epoch "1.0" is not a number/],
    ['1:1.0:1', /may only contain/],
    ['1.0-1:2', /epoch "1.0-1"/],
    ['1.0_1', /may only contain/],
    ['1.0-1/2', /Debian revision "1\/2"/],
  ])('rejects %j', (v, reason) => {
    const r = parseVersion(v);
    expect(typeof r).toBe('string');
    expect(r).toMatch(reason);
  });

  it('splits the parts and strips the epoch for file names', () => {
    expect(parseVersion('3:1.2-3-4')).toEqual({ epoch: 3, upstream: '1.2-3', revision: '4' });
    expect(versionWithoutEpoch('3:1.2-3')).toBe('1.2-3');
    expect(versionWithoutEpoch('1.2')).toBe('1.2');
  });
});
