import { compareVersions, isValidVersion, normalizeVersion } from '../../../shared/formats/pypi/version';
import { isValidName, normalizeName } from '../../../shared/formats/pypi/name';

describe('PEP 440 versions', () => {
  it.each([
    ['1.0', '1.0'],
    ['v1.0', '1.0'],
    ['1.0-RC.1', '1.0rc1'],
    ['1.0alpha', '1.0a0'],
    ['1.0.beta-2', '1.0b2'],
    ['1.0c1', '1.0rc1'],
    ['1.0preview3', '1.0rc3'],
    ['1.0-1', '1.0.post1'],
    ['1.0.rev2', '1.0.post2'],
    ['1.0.post', '1.0.post0'],
    ['1.0-dev', '1.0.dev0'],
    ['1!2.0', '1!2.0'],
    ['0!2.0', '2.0'],
    ['01.002', '1.2'],
    ['1.0+Ubuntu-1_a', '1.0+ubuntu.1.a'],
    ['1.0a1.post2.dev3', '1.0a1.post2.dev3'],
    [' 2.0 ', '2.0'],
    ['123456789012345678901234567890.1', '123456789012345678901234567890.1'],
  ])('normalises %j to %j', (given, normal) => {
    expect(normalizeVersion(given)).toBe(normal);
  });

  it.each(['', '1.0-', 'a1', '1.0.x', '1..0', '1.0+', '1.0+a..b', 'latest', '1.0 2'])('refuses %j', (bad) => {
    expect(isValidVersion(bad)).toBe(false);
    expect(normalizeVersion(bad)).toBeUndefined();
  });

  it('orders versions as pip does', () => {
    const ordered = ['1.0.dev0', '1.0a1.dev1', '1.0a1', '1.0a2', '1.0b1', '1.0rc1', '1.0', '1.0+abc', '1.0+abc.5', '1.0+5', '1.0.post1.dev1', '1.0.post1', '1.1', '1.10', '2.0', '1!0.1'];
    const shuffled = [...ordered].reverse();
    expect(shuffled.sort(compareVersions)).toEqual(ordered);
    expect(compareVersions('1.0', '1.0.0')).not.toBe(0); // equal in precedence; the text breaks the tie
    expect(compareVersions('1.0', '1.0.0') < 0).toBe(true);
    expect(compareVersions('not-a-version', '1.0')).toBe(1);
  });
});

describe('PEP 503 names', () => {
  it('normalises runs of -, _ and . to one - in lower case', () => {
    expect(normalizeName('Foo.Bar__baz-Qux')).toBe('foo-bar-baz-qux');
    expect(normalizeName('zope.interface')).toBe('zope-interface');
  });

  it.each(['a', 'Foo.Bar', 'x_1-2'])('accepts %j', (n) => expect(isValidName(n)).toBe(true));
  it.each(['', '-foo', 'foo-', 'fo o', 'föo', 'a/b', 'x'.repeat(129)])('refuses %j', (n) => expect(isValidName(n)).toBe(false));
});
