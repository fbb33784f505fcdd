import { execFileSync } from 'node:child_process';
import { parsePlatform, platformString } from '../../../shared/formats/gem/platform';
import { compareGemVersions, isPrerelease, normaliseVersion } from '../../../shared/formats/gem/version';

/** Runs a Ruby snippet that reads JSON on stdin and prints JSON. */
function ruby<T>(script: string, input: unknown): T {
  const out = execFileSync('ruby', ['-rjson', '-rrubygems', '-e', `data = JSON.parse(STDIN.read); puts JSON.generate(${script})`], { input: JSON.stringify(input), encoding: 'utf8' });
  return JSON.parse(out) as T;
}

describe('Gem::Version rules', () => {
  const versions = ['1.0', '1.0.0', '1.0.a', '1.0.b1', '1.0.0.rc1', '1.0.0.pre', '0.9.9', '1.10', '1.9', '1.0.0.1', '2', '2.0.0.beta.2', '2.0.0.beta.10', '2.0.0', '10.0', '1.a.1', '1.0.0.a'];

  it('orders versions as Gem::Version#<=> does', () => {
    const ours = [...versions].sort((a, b) => compareGemVersions(a, b) || (a < b ? -1 : a > b ? 1 : 0));
    const theirs = ruby<string[]>('data.sort { |a, b| (Gem::Version.new(a) <=> Gem::Version.new(b)).nonzero? || (a <=> b) }', versions);
    expect(ours).toEqual(theirs);
  });

  it('knows pre-releases and normal forms as RubyGems does', () => {
    const inputs = ['1.0', '1.0.rc1', '1.0-beta', '1.0-beta.2', '2.0.0.pre.1', ' 3.1 '];
    const theirs = ruby<[string, boolean][]>('data.map { |v| g = Gem::Version.new(v); [g.to_s, g.prerelease?] }', inputs);
    expect(inputs.map((v) => [normaliseVersion(v), isPrerelease(normaliseVersion(v)!)])).toEqual(theirs);
  });

  it.each(['', 'v1.0', '1..0', '1.0#1', '1.0 2', '-1', 'x'.repeat(10), '1.'])('refuses %p as a version', (v) => {
    expect(normaliseVersion(v)).toBeUndefined();
  });
});

describe('Gem::Platform parsing', () => {
  const platforms = [
    'x86_64-linux',
    'x86_64-linux-gnu',
    'x86_64-linux-musl',
    'aarch64-linux',
    'arm64-darwin',
    'arm64-darwin-22',
    'universal-darwin',
    'x86-mingw32',
    'x64-mingw-ucrt',
    'x64-mingw32',
    'i386-mswin32',
    'mswin32',
    'i686-linux',
    'java',
    'jruby',
    'universal-java-11',
    'x86_64-freebsd-13',
    'sparc-solaris2.10',
    'powerpc-aix5',
  ];

  it('makes the cpu-os-version triple and string RubyGems makes', () => {
    const theirs = ruby<[string | null, string, string | null, string][]>('data.map { |s| p = Gem::Platform.new(s); [p.cpu, p.os, p.version, p.to_s] }', platforms);
    const ours = platforms.map((s) => {
      const p = parsePlatform(s);
      return [p.cpu, p.os, p.version, platformString(p)];
    });
    expect(ours).toEqual(theirs);
  });
});
