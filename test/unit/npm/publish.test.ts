import { createHash } from 'node:crypto';
import { attachmentVersion, changedFields, checkTag, readPublishDocument, sentDeprecation, verifyAttachment } from '../../../shared/formats/npm/publish';

const refusal = (code: string, message: RegExp) => expect.objectContaining({ code, message: expect.stringMatching(message) });
const body = (doc: unknown) => Buffer.from(JSON.stringify(doc));
const tarball = Buffer.from('pretend this is a tarball');
const dist = {
  integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
  shasum: createHash('sha1').update(tarball).digest('hex'),
};

describe('the publish document', () => {
  it('reads name, versions, tags and tarball attachments, leaving other attachments out', () => {
    const doc = readPublishDocument(
      body({
        _id: '@s/p',
        name: '@s/p',
        'dist-tags': { beta: '1.0.0' },
        versions: { '1.0.0': { name: '@s/p' } },
        _attachments: { '@s/p-1.0.0.tgz': { data: 'AAAA', length: 3 }, '@s/p-1.0.0.sigstore': { data: '{}' } },
      }),
    );
    expect(doc).toEqual({ name: '@s/p', versions: { '1.0.0': { name: '@s/p' } }, distTags: { beta: '1.0.0' }, tarballs: { '@s/p-1.0.0.tgz': { data: 'AAAA', length: 3 } } });
  });

  it.each([
    ['not JSON', Buffer.from('{'), 'NPM_BAD_DOCUMENT', /not a JSON document/],
    ['an array', body([]), 'NPM_BAD_DOCUMENT', /must be a JSON object/],
    ['no name', body({ versions: {} }), 'NPM_BAD_DOCUMENT', /no "name"/],
    ['_id and name differ', body({ _id: 'a', name: 'b', versions: {} }), 'NPM_BAD_DOCUMENT', /differs from its "name"/],
    ['no versions', body({ name: 'a' }), 'NPM_BAD_DOCUMENT', /no "versions" object/],
    ['a version that is not an object', body({ name: 'a', versions: { '1.0.0': 1 } }), 'NPM_BAD_DOCUMENT', /must be an object/],
    ['a version that is not semver', body({ name: 'a', versions: { '1.0': {} } }), 'NPM_INVALID_VERSION', /invalid version "1.0"/],
    ['a version in a form npm would not publish', body({ name: 'a', versions: { 'v1.0.0': {} } }), 'NPM_INVALID_VERSION', /"v1.0.0"/],
    ['a tag that is not a string', body({ name: 'a', versions: {}, 'dist-tags': { latest: 1 } }), 'NPM_BAD_DOCUMENT', /must be a version string/],
    ['an attachment without data', body({ name: 'a', versions: {}, _attachments: { 'a-1.0.0.tgz': {} } }), 'NPM_BAD_DOCUMENT', /no base64 "data"/],
    ['a non-numeric length', body({ name: 'a', versions: {}, _attachments: { 'a-1.0.0.tgz': { data: '', length: '3' } } }), 'NPM_BAD_DOCUMENT', /non-numeric "length"/],
  ])('refuses %s', (_what, b, code, message) => {
    expect(() => readPublishDocument(b)).toThrow(refusal(code, message));
  });

  it('finds the version of an attachment by its file name, with or without the scope', () => {
    expect(attachmentVersion('@s/p', '@s/p-1.0.0.tgz', ['1.0.0', '2.0.0'])).toBe('1.0.0');
    expect(attachmentVersion('@s/p', 'p-2.0.0.tgz', ['1.0.0', '2.0.0'])).toBe('2.0.0');
    expect(attachmentVersion('@s/p', 'q-2.0.0.tgz', ['2.0.0'])).toBeUndefined();
  });
});

describe('verifying an attachment', () => {
  const data = tarball.toString('base64');

  it('returns the bytes when length, sha1 and sha512 match', () => {
    expect(verifyAttachment('a.tgz', { data, length: tarball.length }, dist).equals(tarball)).toBe(true);
    // Several ssri entries, one of an algorithm ssri would skip.
    expect(verifyAttachment('a.tgz', { data }, { integrity: `md5-xx ${dist.integrity}` }).equals(tarball)).toBe(true);
  });

  it.each([
    ['bad base64', { data: 'not*base64' }, dist, 'NPM_BAD_DOCUMENT', /not valid base64/],
    ['an empty tarball', { data: '' }, dist, 'NPM_BAD_DOCUMENT', /empty/],
    ['a wrong length', { data, length: tarball.length + 1 }, dist, 'NPM_LENGTH_MISMATCH', /declares \d+ bytes but holds \d+/],
    ['no dist', { data }, undefined, 'NPM_INTEGRITY_MISSING', /no "dist"/],
    ['a wrong sha1', { data }, { ...dist, shasum: '0'.repeat(40) }, 'NPM_INTEGRITY_MISMATCH', /dist.shasum/],
    ['a wrong sha512', { data }, { ...dist, integrity: `sha512-${createHash('sha512').update('x').digest('base64')}` }, 'NPM_INTEGRITY_MISMATCH', /dist.integrity sha512-/],
    ['a wrong sha256 beside a good sha512', { data }, { integrity: `${dist.integrity} sha256-AAAA` }, 'NPM_INTEGRITY_MISMATCH', /sha256-AAAA/],
    ['only a sha1', { data }, { shasum: dist.shasum }, 'NPM_INTEGRITY_MISSING', /sha512/],
  ] as const)('refuses %s', (_what, attachment, d, code, message) => {
    expect(() => verifyAttachment('a.tgz', attachment, d)).toThrow(refusal(code, message));
  });
});

describe('versions sent back by a client', () => {
  const published = { name: 'a', version: '1.0.0', dependencies: { b: '^1.0.0', c: '2' }, bin: { a: 'x.js' } };

  it('ignores the registry\'s own fields and key order', () => {
    const echoed = { bin: { a: 'x.js' }, version: '1.0.0', name: 'a', dependencies: { c: '2', b: '^1.0.0' }, _id: 'a@1.0.0', _npmUser: { name: 'x' }, dist: { tarball: 'http://evil' }, deprecated: 'old', maintainers: [] };
    expect(changedFields(published, echoed)).toEqual([]);
  });

  it('names the fields that differ, added or removed', () => {
    expect(changedFields(published, { name: 'a', version: '1.0.0', dependencies: { b: '^2.0.0', c: '2' }, scripts: { install: 'x' } })).toEqual(['bin', 'dependencies', 'scripts']);
  });

  it('reads deprecation: a message, or none for "" and absence', () => {
    expect(sentDeprecation({ deprecated: 'use b' })).toBe('use b');
    expect(sentDeprecation({ deprecated: '' })).toBeUndefined();
    expect(sentDeprecation({})).toBeUndefined();
  });
});

describe('dist-tag names', () => {
  it.each(['latest', 'beta', 'next-2', 'v1-lts', 'release_1'])('accepts %s', (tag) => expect(checkTag(tag)).toBe(tag));
  it.each(['1.x', '^1.0.0', 'v1', '', '-x', 'a/b', 'a'.repeat(65)])('refuses %j', (tag) => {
    expect(() => checkTag(tag)).toThrow(refusal('NPM_INVALID_TAG', /invalid dist-tag/));
  });
});
