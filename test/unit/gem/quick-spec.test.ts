import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDistribution } from '../../../shared/domain/distribution';
import { gemFormat } from '../../../shared/formats/gem';
import { buildGem, gemEnv } from '../../support/gems';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'packyard-gem-quick-'));
  env = gemEnv(join(dir, 'home'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

// Every field Gem::Specification._load restores, read the same way from the quick gemspec and from the .gem.
const COMPARE = `
require "json"; require "zlib"; require "rubygems/package"
def fields(s)
  { name: s.name, version: s.version.to_s, version_class: s.version.class.name, platform: s.platform.to_s,
    platform_class: s.platform.class.name, original_platform: s.original_platform.to_s, full_name: s.full_name,
    summary: s.summary, authors: s.authors, email: s.email, homepage: s.homepage, description: s.description,
    date: s.date.utc.strftime("%F %T %Z"), metadata: s.metadata, rubygems_version: s.rubygems_version,
    specification_version: s.specification_version,
    required_ruby_version: s.required_ruby_version.to_s, required_rubygems_version: s.required_rubygems_version.to_s,
    dependencies: s.dependencies.map { |d| [d.name, d.type.to_s, d.requirement.to_s, d.prerelease?] } }
end
quick = Marshal.load(Zlib::Inflate.inflate(File.binread(ARGV[0])))
raise "not a Gem::Specification: #{quick.class}" unless quick.is_a?(Gem::Specification)
real = Gem::Package.new(ARGV[1]).spec
# _load keeps the licenses in @license (a RubyGems quirk); the real spec's #licenses is the same list.
puts JSON.generate([fields(quick).merge(licenses: quick.instance_variable_get(:@license)), fields(real).merge(licenses: real.licenses)])
`;

describe('the quick gemspec', () => {
  it.each([
    ['a pure-Ruby gem with dependencies', { name: 'quick', version: '2.1.0', dependencies: [['rake', '>= 12', '< 14'], ['json', '~> 2.0']] as [string, ...string[]][], requiredRuby: '>= 2.7' }],
    ['a pre-release platform gem', { name: 'quick-native', version: '0.3.0.beta2', platform: 'x86_64-linux' }],
    ['a java gem', { name: 'quick_java', version: '1.0', platform: 'java' }],
  ])('of %s is a Gem::Specification RubyGems loads with the .gem\'s own fields', async (_what, opts) => {
    const gem = await buildGem(dir, env, opts);
    const pkg = await gemFormat.parse(await fsp.readFile(gem), {});
    const [companion] = gemFormat.companions('acme/r', parseDistribution('gems'), pkg);
    const rz = join(dir, companion.key.split('/').pop()!);
    expect(rz.endsWith(`${gem.split('/').pop()!.replace(/\.gem$/, '')}.gemspec.rz`)).toBe(true);
    await fsp.writeFile(rz, companion.body);
    const [quick, real] = JSON.parse(execFileSync('ruby', ['-e', COMPARE, rz, gem], { encoding: 'utf8', env })) as Record<string, unknown>[];
    expect(quick.version_class).toBe('Gem::Version');
    expect(quick).toEqual(real);
  });
});
