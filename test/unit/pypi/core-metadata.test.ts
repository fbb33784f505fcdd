import { parseCoreMetadata } from '../../../shared/formats/pypi/core-metadata';
import { metadataText } from './dists';

const refusal = (code: string, message: RegExp) => expect.objectContaining({ status: 400, code, message: expect.stringMatching(message) });
const parse = (text: string | Uint8Array) => parseCoreMetadata(typeof text === 'string' ? Buffer.from(text) : text, 'foo.dist-info/METADATA');

describe('core metadata', () => {
  it('reads single and multiple-use fields, continuation lines, and stops at the body', () => {
    const m = parse(
      'Metadata-Version: 2.1\r\nName: Foo.Bar\r\nVersion: 1.0\r\nSummary: A\r\n  longer summary\r\nRequires-Python: >=3.8, <4\r\n' +
        'Requires-Dist: six\r\nRequires-Dist: attrs>=1 ; extra == "x"\r\nClassifier: A\r\n\r\nName: not a header\r\n',
    );
    expect(m).toMatchObject({ metadataVersion: '2.1', name: 'Foo.Bar', version: '1.0', summary: 'A\nlonger summary', requiresPython: '>=3.8, <4' });
    expect(m.fields.get('requires-dist')).toEqual(['six', 'attrs>=1 ; extra == "x"']);
  });

  it.each([
    [metadataText({ Name: 'foo', Version: '1.0' }), 'PYPI_BAD_METADATA', /no Metadata-Version/],
    [metadataText({ 'Metadata-Version': 'two', Name: 'foo', Version: '1.0' }), 'PYPI_BAD_METADATA', /invalid Metadata-Version "two"/],
    [metadataText({ 'Metadata-Version': '2.1', Version: '1.0' }), 'PYPI_INVALID_NAME', /no Name field/],
    [metadataText({ 'Metadata-Version': '2.1', Name: 'foo bar', Version: '1.0' }), 'PYPI_INVALID_NAME', /invalid project name "foo bar"/],
    [metadataText({ 'Metadata-Version': '2.1', Name: 'foo' }), 'PYPI_INVALID_VERSION', /no Version field/],
    [metadataText({ 'Metadata-Version': '2.1', Name: 'foo', Version: 'latest' }), 'PYPI_INVALID_VERSION', /invalid version "latest".*PEP 440/],
    [metadataText({ 'Metadata-Version': '2.1', Name: ['foo', 'bar'], Version: '1.0' }), 'PYPI_BAD_METADATA', /more than one Name/],
    ['  Name: foo\n', 'PYPI_BAD_METADATA', /starts with a continuation line/],
    ['Metadata-Version: 2.1\nthis is not a header\n', 'PYPI_BAD_METADATA', /malformed header line "this is not a header"/],
    [Buffer.from([0x4e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff]), 'PYPI_BAD_METADATA', /not valid UTF-8/],
  ])('refuses bad metadata (%#)', (text, code, message) => {
    expect(() => parse(text)).toThrow(refusal(code, message));
  });
});
