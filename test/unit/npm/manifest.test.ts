import { parseNpmPackage, readPackageInfo } from '../../../shared/formats/npm/manifest';
import { npmFormat } from '../../../shared/formats/npm';
import { pkgJson, tgz } from './tgz';

const refusal = (code: string, message: RegExp) => expect.objectContaining({ status: 400, code, message: expect.stringMatching(message) });

describe('parsing an npm package', () => {
  it('takes name and version from package.json, as npm publishes them', async () => {
    const bytes = await tgz([
      pkgJson({ name: '@acme/widget', version: 'v1.2.3+build.7', description: 'a widget', license: 'MIT', bin: 'cli.js', _resolved: 'x', dist: { tarball: 'evil' }, deprecated: 'no', scripts: { test: 'jest' } }),
      { name: 'package/binding.gyp', body: '{}' },
      { name: 'package/npm-shrinkwrap.json', body: '{}' },
      { name: 'package/readme.markdown', body: '# Widget' },
    ]);
    const pkg = await parseNpmPackage(bytes, {});
    expect(pkg).toMatchObject({ name: '@acme/widget', version: '1.2.3', arch: '', metadata: { description: 'a widget', license: 'MIT' } });
    const info = readPackageInfo(pkg);
    expect(info.manifest).toEqual({
      name: '@acme/widget',
      version: '1.2.3',
      description: 'a widget',
      license: 'MIT',
      bin: { widget: 'cli.js' },
      scripts: { test: 'jest', install: 'node-gyp rebuild' },
      gypfile: true,
    });
    expect(info).toMatchObject({ fileCount: 4, hasShrinkwrap: true, hasInstallScript: true, readme: '# Widget', readmeFilename: 'readme.markdown' });
    expect(npmFormat.filename(pkg)).toBe('widget-1.2.3.tgz');
    expect(npmFormat.blobKey('acme/js', { distro: 'npm', release: '' }, pkg)).toBe('acme/js/npm/@acme/widget/-/widget-1.2.3.tgz');
    expect(npmFormat.scope({ distro: 'npm', release: '' }, pkg)).toBe('@acme/widget');
  });

  it('keeps an explicit install script and bin map', async () => {
    const pkg = await parseNpmPackage(await tgz([pkgJson({ name: 'left', version: '1.0.0', bin: { l: 'a.js', bad: 3 }, scripts: { preinstall: 'x' } }), { name: 'package/binding.gyp', body: '{}' }]), {});
    const { manifest, hasInstallScript, hasShrinkwrap } = readPackageInfo(pkg);
    expect(manifest).toEqual({ name: 'left', version: '1.0.0', bin: { l: 'a.js' }, scripts: { preinstall: 'x' } });
    expect({ hasInstallScript, hasShrinkwrap }).toEqual({ hasInstallScript: true, hasShrinkwrap: false });
  });

  it('checks what the client declared', async () => {
    const bytes = await tgz([pkgJson({ name: 'left', version: '1.0.0' })]);
    await expect(parseNpmPackage(bytes, { declared: { name: 'right' } })).rejects.toThrow(refusal('NPM_NAME_MISMATCH', /names "left", but "right" is being published/));
    await expect(parseNpmPackage(bytes, { declared: { version: '1.0.1' } })).rejects.toThrow(refusal('NPM_VERSION_MISMATCH', /version "1.0.0", but "1.0.1"/));
    await expect(parseNpmPackage(bytes, { declared: { name: 'left', version: '1.0.0' } })).resolves.toMatchObject({ name: 'left' });
    // The presigned path may send empty declarations.
    await expect(parseNpmPackage(bytes, { declared: { name: '', version: '' } })).resolves.toMatchObject({ version: '1.0.0' });
  });

  it.each([
    [[pkgJson({ name: 'Left', version: '1.0.0' })], 'NPM_INVALID_NAME', /lower case/],
    [[pkgJson({ version: '1.0.0' })], 'NPM_INVALID_NAME', /required/],
    [[pkgJson({ name: 'left', version: '1.0' })], 'NPM_INVALID_VERSION', /invalid version "1.0"/],
    [[pkgJson({ name: 'left' })], 'NPM_INVALID_VERSION', /invalid version undefined/],
    [[{ name: 'package/package.json', body: '[1]' }], 'NPM_BAD_MANIFEST', /JSON object/],
    [[{ name: 'package/package.json', body: Buffer.from([0x7b, 0xff, 0x7d]) }], 'NPM_BAD_MANIFEST', /not valid UTF-8/],
    [[{ name: 'package/package.json', body: '{"name":' }], 'NPM_BAD_MANIFEST', /not valid JSON/],
  ] as const)('refuses a bad package.json (%#)', async (entries, code, message) => {
    await expect(parseNpmPackage(await tgz([...entries]), {})).rejects.toThrow(refusal(code, message));
  });

  it('reads a package.json with a byte-order mark', async () => {
    await expect(parseNpmPackage(await tgz([{ name: 'package/package.json', body: '\uFEFF{"name":"left","version":"1.0.0"}' }]), {})).resolves.toMatchObject({ name: 'left' });
  });

  it('claims gzip files but detects nothing by itself', () => {
    expect(npmFormat.claims(Buffer.from([0x1f, 0x8b, 8]))).toBe(true);
    expect(npmFormat.claims(Buffer.from('PK\x03\x04'))).toBe(false);
    expect(npmFormat.detect(Buffer.from([0x1f, 0x8b, 8]))).toBe(false);
    expect(npmFormat.servesDistribution({ distro: 'npm', release: '' })).toBe(true);
    expect(npmFormat.servesDistribution({ distro: 'npm', release: 'x' })).toBe(false);
  });
});
