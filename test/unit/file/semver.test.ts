import { compareVersions, isSemver, parseSemver } from '../../../shared/formats/file/semver';

describe('semantic versions', () => {
  it.each(['0.0.0', '1.2.3', '10.20.30', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-0.3.7', '1.0.0-x.7.z.92', '1.0.0-alpha+001', '1.0.0+20130313144700', '1.0.0-beta+exp.sha.5114f85', '99999999999999999999.0.0'])(
    '%p is valid',
    (v) => expect(isSemver(v)).toBe(true),
  );

  it.each(['1', '1.2', '1.2.3.4', 'v1.2.3', '01.2.3', '1.02.3', '1.2.03', '1.2.3-', '1.2.3-01', '1.2.3+', '1.2.3-a..b', '1.2.3 ', ' 1.2.3', '1.2.3-é', 'latest', ''])(
    '%p is not',
    (v) => expect(isSemver(v)).toBe(false),
  );

  it('orders by precedence as semver.org section 11 lists it', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '2.0.0', '2.1.0', '2.1.1', '10.0.0'];
    const shuffled = [...ordered].reverse().sort(compareVersions);
    expect(shuffled).toEqual(ordered);
    expect(compareVersions('99999999999999999999.0.0', '9999999999999999999.0.0')).toBe(1);
  });

  it('ignores build metadata for precedence but keeps a stable order', () => {
    expect(parseSemver('1.0.0+b')?.build).toBe('b');
    expect(['1.0.0+b', '1.0.0', '1.0.0+a'].sort(compareVersions)).toEqual(['1.0.0', '1.0.0+a', '1.0.0+b']);
    expect(['1.0.1', '1.0.0+zzz'].sort(compareVersions)).toEqual(['1.0.0+zzz', '1.0.1']);
  });
});
