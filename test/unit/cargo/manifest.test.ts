import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPackyardError } from '../../../shared/domain/errors';
import { readCrate } from '../../../shared/formats/cargo/crate-file';
import { CRATES_IO_INDEX, normaliseRequirement, readManifest, type IndexDependency } from '../../../shared/formats/cargo/manifest';
import { manifest } from './craft';

const FIXTURES = join(__dirname, '../../fixtures/cargo');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isPackyardError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  return undefined;
}

describe('reading a packaged Cargo.toml', () => {
  it('gives the dependencies cargo 1.95 sent in the publish JSON of the same crate, translated as the index wants them', async () => {
    const archive = await readCrate(readFileSync(join(FIXTURES, 'Foo-b-0.2.0+build.5.crate')));
    const m = readManifest(archive.manifest);
    const json = JSON.parse(readFileSync(join(FIXTURES, 'Foo-b-0.2.0+build.5.publish.json'), 'utf8')) as {
      name: string;
      vers: string;
      features: Record<string, string[]>;
      links: string;
      rust_version: string;
      deps: { name: string; version_req: string; features: string[]; optional: boolean; default_features: boolean; target: string | null; kind: IndexDependency['kind']; registry?: string; explicit_name_in_toml?: string }[];
    };
    // protocols.md §10.4: the JSON names the real crate and the alias apart; the index names the alias and the package.
    const own = 'sparse+http://127.0.0.1:8765/acme/x/cargo/index/';
    const fromJson = json.deps.map((d) => ({
      name: d.explicit_name_in_toml ?? d.name,
      req: d.version_req,
      features: d.features,
      optional: d.optional,
      default_features: d.default_features,
      target: d.target,
      kind: d.kind,
      registry: d.registry ?? own,
      package: d.explicit_name_in_toml ? d.name : null,
    }));
    expect(m.name).toBe(json.name);
    expect(m.vers).toBe(json.vers);
    expect(m.features).toEqual(json.features);
    expect(m.links).toBe(json.links);
    expect(m.rust_version).toBe(json.rust_version);
    expect(m.description).toBe('multi\nline');
    expect(m.license).toBe('MIT');
    const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
    expect([...m.deps].sort(byName)).toEqual(fromJson.sort(byName));
  });

  it('reads crates.io dependencies, the short form and the old underscore spellings', () => {
    const m = readManifest(
      manifest('x', '1.0.0', '\n[dependencies]\nserde = "1"\n\n[dev_dependencies.rand]\nversion = "0.8"\ndefault_features = false\n\n[build_dependencies]\ncc = { version = "~1.0" }\n'),
    );
    expect(m.deps).toEqual([
      { name: 'serde', req: '^1', features: [], optional: false, default_features: true, target: null, kind: 'normal', registry: CRATES_IO_INDEX, package: null },
      { name: 'rand', req: '^0.8', features: [], optional: false, default_features: false, target: null, kind: 'dev', registry: CRATES_IO_INDEX, package: null },
      { name: 'cc', req: '~1.0', features: [], optional: false, default_features: true, target: null, kind: 'build', registry: CRATES_IO_INDEX, package: null },
    ]);
    expect(m.features).toEqual({});
    expect(m.links).toBeNull();
    expect(m.rust_version).toBeNull();
  });

  it('accepts the pre-2018 [project] table', () => {
    expect(readManifest('[project]\nname = "old"\nversion = "0.1.0"\n').name).toBe('old');
  });

  it.each([
    ['0.1', '^0.1'],
    ['1.2.3', '^1.2.3'],
    ['>= 3, <4', '>=3, <4'],
    ['= 1.0.0-beta.1', '=1.0.0-beta.1'],
    ['*', '*'],
    ['1.x', '1.*'],
    ['1.2.*', '1.2.*'],
    ['^0.0.1', '^0.0.1'],
  ])('writes the requirement %j as cargo does: %j', (req, expected) => {
    expect(normaliseRequirement(req, 'dependencies.x')).toBe(expected);
  });

  it.each([
    ['not TOML', 'package]\n', /CARGO_INVALID_MANIFEST: Cargo.toml: not valid TOML \(expected "=" after a key at line 1\)/],
    ['no [package]', '[lib]\nname = "x"\n', /CARGO_INVALID_MANIFEST: .*no \[package\] table/],
    ['an invalid name', '[package]\nname = "9x"\nversion = "1.0.0"\n', /CARGO_INVALID_NAME: Cargo.toml: invalid crate name "9x"/],
    ['an inherited version', '[package]\nname = "x"\nversion.workspace = true\n', /CARGO_INVALID_VERSION: Cargo.toml: invalid version/],
    ['a dependency without a version', manifest('x', '1.0.0', '[dependencies.y]\npath = "../y"\n'), /dependencies\.y has no version requirement/],
    ['a dependency naming a registry', manifest('x', '1.0.0', '[dependencies.y]\nversion = "1"\nregistry = "r"\n'), /writes registry-index instead/],
    ['an invalid requirement', manifest('x', '1.0.0', '[dependencies]\ny = "one"\n'), /invalid version requirement "one"/],
    ['an empty requirement part', manifest('x', '1.0.0', '[dependencies]\ny = "1,"\n'), /empty version requirement/],
    ['an invalid dependency name', manifest('x', '1.0.0', '[dependencies]\n"y z" = "1"\n'), /is not a valid crate name/],
    ['features that are not lists', manifest('x', '1.0.0', '[features]\na = "b"\n'), /features\.a must be an array of strings/],
    ['a non-boolean optional', manifest('x', '1.0.0', '[dependencies.y]\nversion = "1"\noptional = "yes"\n'), /optional must be true or false/],
  ])('refuses %s', (_what, text, message) => {
    expect(codeOf(() => readManifest(text))).toMatch(message);
  });
});
