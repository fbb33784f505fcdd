import { isPackyardError } from '../../../shared/domain/errors';
import { canonicalCrateName, checkCrateName, indexPath, isCrateName } from '../../../shared/formats/cargo/name';
import { registryConfig } from '../../../shared/formats/cargo/paths';
import { checkCrateVersion, compareCrateVersions, identityVersion, parseCrateVersion } from '../../../shared/formats/cargo/version';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isPackyardError(e) ? e.code : String(e);
  }
  return undefined;
};

describe('crate names', () => {
  it.each(['a', 'serde', 'Foo-Bar', 'foo_bar', 'x1', 'a'.repeat(64)])('accepts %j', (name) => {
    expect(isCrateName(name)).toBe(true);
    expect(checkCrateName(name)).toBe(name);
  });

  it.each(['', '1a', '-a', '_a', 'a.b', 'a b', 'é', 'a/b', 'a#b', 'a'.repeat(65), 42, undefined])('refuses %j', (name) => {
    expect(codeOf(() => checkCrateName(name))).toBe('CARGO_INVALID_NAME');
  });

  it('makes case and -/_ spellings of one name share a canonical name', () => {
    expect(canonicalCrateName('Foo-Bar')).toBe('foo_bar');
    expect(canonicalCrateName('foo_bar')).toBe('foo_bar');
    expect(canonicalCrateName('FOO_BAR')).toBe('foo_bar');
    expect(canonicalCrateName('foobar')).not.toBe('foo_bar');
  });

  it('shards index paths as Cargo requests them', () => {
    expect(indexPath('a')).toBe('1/a');
    expect(indexPath('AB')).toBe('2/ab');
    expect(indexPath('abc')).toBe('3/a/abc');
    expect(indexPath('Serde_JSON')).toBe('se/rd/serde_json');
    expect(indexPath('cargo')).toBe('ca/rg/cargo');
  });
});

describe('crate versions', () => {
  it.each(['0.0.0', '1.2.3', '1.0.0-alpha.1', '1.0.0+build.5', '1.0.0-rc.1+sha.abc', '10.20.30'])('accepts %j', (v) => {
    expect(parseCrateVersion(v)?.raw).toBe(v);
    expect(checkCrateVersion(v)).toBe(v);
  });

  it.each(['1.0', '1', 'v1.0.0', '=1.0.0', ' 1.0.0', '1.0.0 ', '01.0.0', '1.0.0-01', '1.0.0+', '', null])('refuses %j', (v) => {
    expect(codeOf(() => checkCrateVersion(v))).toBe('CARGO_INVALID_VERSION');
  });

  it('identifies a version without its build metadata and orders by precedence', () => {
    expect(identityVersion('1.0.0+build.5')).toBe('1.0.0');
    expect(identityVersion('1.0.0-rc.1+x')).toBe('1.0.0-rc.1');
    expect(identityVersion('1.0.0')).toBe('1.0.0');
    expect(['1.0.0', '1.0.0-rc.1', '0.9.0', '1.0.0+b', '1.0.0+a'].sort(compareCrateVersions)).toEqual(['0.9.0', '1.0.0-rc.1', '1.0.0', '1.0.0+a', '1.0.0+b']);
  });
});

describe('config.json', () => {
  it('points dl at the static crate files and api at the registry; auth-required only for private repositories', () => {
    expect(registryConfig('http://h/acme/x/cargo/', false)).toEqual({ dl: 'http://h/acme/x/cargo/crates/{crate}/{crate}-{version}.crate', api: 'http://h/acme/x/cargo' });
    expect(registryConfig('http://h/acme/x/cargo', true)).toEqual({ dl: 'http://h/acme/x/cargo/crates/{crate}/{crate}-{version}.crate', api: 'http://h/acme/x/cargo', 'auth-required': true });
  });
});
