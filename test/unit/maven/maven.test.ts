import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { zipSync } from 'fflate';
import { isPackyardError } from '../../../shared/domain/errors';
import type { IndexMember } from '../../../shared/formats/format';
import { mavenFormat } from '../../../shared/formats/maven';
import { parseArtifactFilename, parseMavenPath } from '../../../shared/formats/maven/coordinates';
import { mavenFragment } from '../../../shared/formats/maven/fragment';
import { pomCoordinates } from '../../../shared/formats/maven/pom';
import { renderMaven } from '../../../shared/formats/maven/render';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return isPackyardError(e) ? e.code : String(e);
  }
  return undefined;
};
const FIXTURES = join(__dirname, '../../fixtures/maven');
const c = { groupId: 'com.acme', artifactId: 'lib', version: '1.2-SNAPSHOT' };

describe('Maven paths and file names', () => {
  it('splits a deployed path into coordinates, file and checksum', () => {
    expect(parseMavenPath('com/acme/lib/1.0/lib-1.0.jar')).toEqual({ kind: 'artifact', coordinates: { groupId: 'com.acme', artifactId: 'lib', version: '1.0' }, filename: 'lib-1.0.jar' });
    expect(parseMavenPath('com/acme/lib/1.0/lib-1.0-sources.jar.sha1')).toMatchObject({ filename: 'lib-1.0-sources.jar', checksum: 'sha1' });
    expect(parseMavenPath('com/acme/lib/maven-metadata.xml.md5')).toEqual({ kind: 'metadata', checksum: 'md5' });
    expect(parseMavenPath('com/acme/lib/1.2-SNAPSHOT/maven-metadata.xml')).toEqual({ kind: 'metadata' });
  });

  it.each(['com/acme/../lib/1.0/lib-1.0.jar', 'com/acme/lib/1.0/', 'lib/1.0/lib-1.0.jar', 'com/acme/lib/1.0/other-1.0.jar', 'com/ac%2Fme/lib/1.0/lib-1.0.jar', 'com/acme/lib/1.0/lib-1.0'])(
    'refuses %s',
    (path) => expect(code(() => parseMavenPath(path))).toMatch(/^MAVEN_BAD_(PATH|COORDINATES)$/),
  );

  it('reads timestamped SNAPSHOT names, classifiers and dotted extensions', () => {
    expect(parseArtifactFilename(c, 'lib-1.2-20240102.150405-3-sources.jar')).toEqual({
      filename: 'lib-1.2-20240102.150405-3-sources.jar', fileVersion: '1.2-20240102.150405-3', snapshot: { timestamp: '20240102.150405', buildNumber: 3 }, classifier: 'sources', extension: 'jar',
    });
    expect(parseArtifactFilename(c, 'lib-1.2-20240102.150405-3.tar.gz')).toMatchObject({ extension: 'tar.gz', snapshot: { buildNumber: 3 } });
    expect(parseArtifactFilename({ ...c, version: '1.0' }, 'lib-1.0.jar.asc')).toMatchObject({ extension: 'jar.asc' });
    expect(parseArtifactFilename({ ...c, version: '1.0' }, 'lib-1.0-linux-x86_64.zip')).toMatchObject({ classifier: 'linux-x86_64', extension: 'zip' });
  });
});

describe('Maven format parse', () => {
  const rejects = async (bytes: Uint8Array, filename: string, name = 'com.acme:lib', version = '1.0') =>
    mavenFormat.parse(bytes, { filename, declared: { name, version } }).then(
      () => 'accepted',
      (e: unknown) => (isPackyardError(e) ? e.code : String(e)),
    );

  const pom = (g: string, a: string, v: string, parent = '') => Buffer.from(`<project>${parent}${g ? `<groupId>${g}</groupId>` : ''}<artifactId>${a}</artifactId>${v ? `<version>${v}</version>` : ''}</project>`);

  it('inherits groupId and version from <parent>', async () => {
    const bytes = pom('', 'lib', '', '<parent><groupId>com.acme</groupId><artifactId>parent</artifactId><version>1.0</version></parent>');
    const p = await mavenFormat.parse(bytes, { filename: 'lib-1.0.pom', declared: { name: 'com.acme:lib', version: '1.0' } });
    expect(p).toMatchObject({ name: 'com.acme:lib', version: '1.0', arch: 'lib-1.0.pom' });
  });

  it('resolves ${...} from the pom itself and leaves unknown properties unchecked', async () => {
    const ciFriendly = Buffer.from('\uFEFF<project><groupId>${g}</groupId><artifactId>lib</artifactId><version>${revision}${changelist}</version><properties><g>com.acme</g><revision>1.0</revision><changelist></changelist></properties></project>');
    expect(pomCoordinates(ciFriendly)).toMatchObject({ groupId: 'com.acme', version: '1.0' });
    expect(await rejects(ciFriendly, 'lib-1.0.pom')).toBe('accepted');
    const resolved = Buffer.from('<project><groupId>com.acme</groupId><artifactId>lib</artifactId><version>${revision}</version><properties><revision>2.0</revision></properties></project>');
    expect(await rejects(resolved, 'lib-1.0.pom')).toBe('MAVEN_POM_MISMATCH');
    const fromParent = Buffer.from('<project><parent><groupId>com.acme</groupId><artifactId>p</artifactId><version>1</version></parent><artifactId>lib</artifactId><version>${revision}</version></project>');
    expect(await rejects(fromParent, 'lib-1.0.pom')).toBe('accepted');
    expect(pomCoordinates(Buffer.from('<project><groupId>g</groupId><artifactId>a</artifactId><version>${constructor}</version></project>')).version).toBe('${constructor}');
    // Pushed without a path, a pom must name its coordinates by itself.
    expect(await mavenFormat.parse(fromParent, { filename: 'lib.pom' }).catch((e: unknown) => (isPackyardError(e) ? e.code : e))).toBe('MAVEN_BAD_COORDINATES');
  });

  it('takes a pushed jar by its pom.properties and gives it its canonical name', async () => {
    const jar = zipSync({ 'META-INF/maven/com.acme/lib/pom.properties': Buffer.from('#generated\ngroupId=com.acme\nartifactId=lib\nversion=2.1\n') });
    expect(await mavenFormat.parse(jar, { filename: 'build-output.jar' })).toMatchObject({ name: 'com.acme:lib', version: '2.1', arch: 'lib-2.1.jar' });
  });

  it.each([
    ['a pom of another artifact', pom('com.acme', 'other', '1.0'), 'lib-1.0.pom', 'MAVEN_POM_MISMATCH'],
    ['a pom of another group', pom('org.other', 'lib', '1.0'), 'lib-1.0.pom', 'MAVEN_POM_MISMATCH'],
    ['a pom of another version', pom('com.acme', 'lib', '1.1'), 'lib-1.0.pom', 'MAVEN_POM_MISMATCH'],
    ['a pom without a version anywhere', pom('com.acme', 'lib', ''), 'lib-1.0.pom', 'MAVEN_BAD_POM'],
    ['a pom with a DOCTYPE', Buffer.from('<!DOCTYPE p [<!ENTITY x "y">]><project/>'), 'lib-1.0.pom', 'MAVEN_BAD_POM'],
    ['a pom that is not XML', Buffer.from('<project><groupId>'), 'lib-1.0.pom', 'MAVEN_BAD_POM'],
    ['a jar that is not a zip', Buffer.from('PK\x03\x04 but not really'), 'lib-1.0.jar', 'MAVEN_BAD_ARCHIVE'],
    ['an empty zip', zipSync({}), 'lib-1.0.jar', 'MAVEN_BAD_ARCHIVE'],
    ['a jar with an entry that climbs out', zipSync({ '../evil.class': Buffer.from('x') }), 'lib-1.0.jar', 'MAVEN_BAD_ARCHIVE'],
    ['a signature that is not armored', Buffer.from('binary'), 'lib-1.0.jar.asc', 'MAVEN_BAD_ARCHIVE'],
    ['a SNAPSHOT file without its timestamp', zipSync({ 'a.class': Buffer.from('x') }), 'lib-1.0-SNAPSHOT.jar', 'MAVEN_BAD_PATH'],
  ])('refuses %s', async (_what, bytes, filename, expected) => {
    expect(await rejects(bytes, filename, 'com.acme:lib', filename.includes('SNAPSHOT') ? '1.0-SNAPSHOT' : '1.0')).toBe(expected);
  });

  it('accepts a third-party jar deployed under other coordinates, and any other kind of file', async () => {
    const vendored = zipSync({ 'META-INF/maven/org.vendor/thing/pom.properties': Buffer.from('groupId=org.vendor\nartifactId=thing\nversion=7\n') });
    expect(await rejects(vendored, 'lib-1.0.jar')).toBe('accepted');
    expect(await rejects(Buffer.from('any bytes'), 'lib-1.0-linux.tar.gz')).toBe('accepted');
  });

  it('writes all four checksum sidecars beside the file', () => {
    const files = mavenFormat.companions(undefined as never, undefined as never, undefined as never, { blobKey: 'a/b/maven/x.jar', size: 1, hashes: { md5: 'm', sha1: 's1', sha256: 's2', sha512: 's5' } });
    expect(files.map((f) => [f.key, Buffer.from(f.body).toString()])).toEqual([
      ['a/b/maven/x.jar.md5', 'm'], ['a/b/maven/x.jar.sha1', 's1'], ['a/b/maven/x.jar.sha256', 's2'], ['a/b/maven/x.jar.sha512', 's5'],
    ]);
  });
});

describe('maven-metadata.xml', () => {
  const member = (version: string, filename: string, uploadedAt: string): IndexMember => {
    const cc = { ...c, version };
    return { name: 'com.acme:lib', version, arch: filename, uploadedAt, fragment: mavenFragment(parseArtifactFilename(cc, filename), { blobKey: '', size: 1, hashes: { md5: '', sha1: 'x', sha256: '', sha512: '' } }) };
  };
  const members = [
    member('1.0', 'lib-1.0.jar', '2024-01-01T10:00:00.000Z'),
    member('1.0', 'lib-1.0.pom', '2024-01-01T10:00:01.000Z'),
    member('1.2-SNAPSHOT', 'lib-1.2-20240102.150405-1.jar', '2024-01-02T15:04:05.000Z'),
    member('1.2-SNAPSHOT', 'lib-1.2-20240102.150405-1.pom', '2024-01-02T15:04:05.000Z'),
    member('1.2-SNAPSHOT', 'lib-1.2-20240103.090000-2.jar', '2024-01-03T09:00:00.000Z'),
    member('1.2-SNAPSHOT', 'lib-1.2-20240103.090000-2-sources.jar', '2024-01-03T09:00:01.000Z'),
    member('1.1', 'lib-1.1.jar', '2024-01-04T00:00:00.000Z'),
  ];
  const parse = (b: Uint8Array) => new XMLParser({ parseTagValue: false, isArray: (n) => ['version', 'snapshotVersion'].includes(n) }).parse(Buffer.from(b).toString());

  it('lists versions in deploy order with latest, release and lastUpdated; a SNAPSHOT level names each newest file', async () => {
    const out = await renderMaven({ repo: 'acme/jvm', scope: 'com.acme:lib', members, now: new Date() });
    const byKey = new Map(out.top.map((f) => [f.key, f]));
    const top = parse(byKey.get('acme/jvm/maven/com/acme/lib/maven-metadata.xml')!.body).metadata;
    expect(top.versioning).toEqual({ latest: '1.1', release: '1.1', versions: { version: ['1.0', '1.2-SNAPSHOT', '1.1'] }, lastUpdated: '20240104000000' });
    const snap = parse(byKey.get('acme/jvm/maven/com/acme/lib/1.2-SNAPSHOT/maven-metadata.xml')!.body).metadata;
    expect(snap.version).toEqual(['1.2-SNAPSHOT']);
    expect(snap.versioning.snapshot).toEqual({ timestamp: '20240103.090000', buildNumber: '2' });
    expect(snap.versioning.snapshotVersions.snapshotVersion).toEqual([
      { extension: 'jar', value: '1.2-20240103.090000-2', updated: '20240103090000' },
      { extension: 'pom', value: '1.2-20240102.150405-1', updated: '20240102150405' },
      { classifier: 'sources', extension: 'jar', value: '1.2-20240103.090000-2', updated: '20240103090001' },
    ]);
    // Each metadata file comes with its checksums, and the metadata itself is written last.
    expect(out.top.at(-1)!.key).toBe('acme/jvm/maven/com/acme/lib/maven-metadata.xml');
    expect([...byKey.keys()].filter((k) => k.endsWith('.sha512'))).toHaveLength(2);
  });

  it('renders byte for byte what the golden files hold, whatever order the records come in', async () => {
    const out = await renderMaven({ repo: 'acme/jvm', scope: 'com.acme:lib', members: [...members].reverse(), now: new Date() });
    const body = (key: string) => Buffer.from(out.top.find((f) => f.key === key)!.body).toString();
    expect(body('acme/jvm/maven/com/acme/lib/maven-metadata.xml')).toBe(readFileSync(join(FIXTURES, 'maven-metadata.xml'), 'utf8'));
    expect(body('acme/jvm/maven/com/acme/lib/1.2-SNAPSHOT/maven-metadata.xml')).toBe(readFileSync(join(FIXTURES, 'snapshot-maven-metadata.xml'), 'utf8'));
    const sha1 = out.top.find((f) => f.key === 'acme/jvm/maven/com/acme/lib/maven-metadata.xml.sha1')!;
    expect([Buffer.from(sha1.body).toString(), sha1.contentType]).toEqual([createHash('sha1').update(body('acme/jvm/maven/com/acme/lib/maven-metadata.xml')).digest('hex'), 'text/plain']);
  });
});
