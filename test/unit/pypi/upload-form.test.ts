import { createHash } from 'node:crypto';
import { checkUploadForm, type UploadForm } from '../../../shared/formats/pypi/upload-form';

const refusal = (code: string, message: RegExp) => expect.objectContaining({ status: 400, code, message: expect.stringMatching(message) });
const bytes = Buffer.from('wheel bytes');
const hex = (alg: string) => createHash(alg).update(bytes).digest('hex');

/** The form twine 4 sends for a wheel. */
const twine = (fields: Record<string, string> = {}, files = [{ field: 'content', filename: 'foo-1.0-py3-none-any.whl', bytes }]): UploadForm => ({
  fields: { name: 'foo', version: '1.0', filetype: 'bdist_wheel', pyversion: 'py3', metadata_version: '2.1', md5_digest: hex('md5'), sha256_digest: hex('sha256'), ':action': 'file_upload', protocol_version: '1', ...fields },
  files,
});

describe("twine's upload form", () => {
  it('gives the file and the declared name and version', () => {
    expect(checkUploadForm(twine())).toEqual({ filename: 'foo-1.0-py3-none-any.whl', bytes, name: 'foo', version: '1.0' });
    // Upper-case hex and the old URL-safe base64 md5 are accepted, as warehouse does.
    const b64 = createHash('md5').update(bytes).digest('base64url');
    expect(checkUploadForm(twine({ sha256_digest: hex('sha256').toUpperCase(), md5_digest: b64 })).filename).toBe('foo-1.0-py3-none-any.whl');
    // Fields a long form may lose are not required.
    expect(checkUploadForm({ fields: {}, files: twine().files }).filename).toBe('foo-1.0-py3-none-any.whl');
  });

  it.each([
    [twine({ ':action': 'submit' }), 'PYPI_UNSUPPORTED_ACTION', /unsupported :action "submit"/],
    [twine({ protocol_version: '2' }), 'PYPI_UNSUPPORTED_ACTION', /protocol_version "2"/],
    [twine({}, []), 'PYPI_MISSING_CONTENT', /no "content" file part/],
    [twine({}, [{ field: 'gpg_signature', filename: 'x.asc', bytes }]), 'PYPI_MISSING_CONTENT', /no "content" file part/],
    [twine({}, [1, 2].map(() => ({ field: 'content', filename: 'foo-1.0-py3-none-any.whl', bytes }))), 'PYPI_MISSING_CONTENT', /more than one/],
    [twine({ filetype: 'sdist' }), 'PYPI_FILETYPE_MISMATCH', /filetype "sdist" does not match "foo-1.0-py3-none-any.whl", which is a bdist_wheel/],
    [twine({ filetype: 'bdist_wheel' }, [{ field: 'content', filename: 'foo-1.0.tar.gz', bytes }]), 'PYPI_FILETYPE_MISMATCH', /which is a sdist/],
    [twine({ sha256_digest: '0'.repeat(64) }), 'PYPI_DIGEST_MISMATCH', new RegExp(`sha256 digest is ${hex('sha256')}, but the upload declared 0{64}`)],
    [twine({ md5_digest: 'nope' }), 'PYPI_DIGEST_MISMATCH', /md5 digest is [0-9a-f]{32}, but the upload declared nope/],
  ] as const)('refuses a bad form (%#)', (form, code, message) => {
    expect(() => checkUploadForm(form)).toThrow(refusal(code, message));
  });
});
