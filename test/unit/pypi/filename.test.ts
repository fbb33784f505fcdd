import { parseDistFilename, sdistSplits } from '../../../shared/formats/pypi/filename';

const refusal = (code: string, message: RegExp) => expect.objectContaining({ status: 400, code, message: expect.stringMatching(message) });

describe('distribution file names', () => {
  it('reads wheel names, with and without a build tag', () => {
    expect(parseDistFilename('foo_bar-1.0-py3-none-any.whl')).toEqual({ kind: 'wheel', filename: 'foo_bar-1.0-py3-none-any.whl', name: 'foo_bar', version: '1.0', tags: 'py3-none-any' });
    expect(parseDistFilename('Foo-2.0rc1-1b-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toMatchObject({
      name: 'Foo',
      version: '2.0rc1',
      build: '1b',
      tags: 'cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64',
    });
    expect(parseDistFilename('foo-1!1.0+local.1-py2.py3-none-any.whl')).toMatchObject({ version: '1!1.0+local.1', tags: 'py2.py3-none-any' });
  });

  it('reads sdist names, whose name part may hold "-" in older sdists', () => {
    expect(parseDistFilename('foo-1.0.tar.gz')).toEqual({ kind: 'sdist', filename: 'foo-1.0.tar.gz', stem: 'foo-1.0' });
    expect(sdistSplits('my-pkg-1.0')).toEqual([{ name: 'my-pkg', version: '1.0' }]);
    // `1.0-1` is a post-release, so both splits are possible: the metadata decides.
    expect(sdistSplits('foo-1.0-1')).toEqual([{ name: 'foo', version: '1.0-1' }, { name: 'foo-1.0', version: '1' }]);
  });

  it.each([
    ['foo-1.0-py3-none.whl', 'PYPI_INVALID_FILENAME', /5 or 6 parts/],
    ['foo-1.0-x-y-py3-none-any.whl', 'PYPI_INVALID_FILENAME', /5 or 6 parts/],
    ['foo-1.0-b1-py3-none-any.whl', 'PYPI_INVALID_FILENAME', /build tag "b1" must start with a digit/],
    ['foo-one-py3-none-any.whl', 'PYPI_INVALID_FILENAME', /"one" is not a PEP 440 version/],
    ['_foo-1.0-py3-none-any.whl', 'PYPI_INVALID_FILENAME', /up to 255 characters/],
    ['foo-1.0-py3-none-a+y.whl', 'PYPI_INVALID_FILENAME', /compatibility tags/],
    ['foo.tar.gz', 'PYPI_INVALID_FILENAME', /no \{name\}-\{version\}/],
    ['foo-bar.tar.gz', 'PYPI_INVALID_FILENAME', /no \{name\}-\{version\}/],
    ['foo-1.0.zip', 'PYPI_UNSUPPORTED_FILE', /\.zip distributions are not accepted.*PEP 625/],
    ['foo-1.0-py3.11.egg', 'PYPI_UNSUPPORTED_FILE', /\.egg/],
    ['foo-1.0.txt', 'PYPI_INVALID_FILENAME', /expected a wheel/],
    ['../foo-1.0.tar.gz', 'PYPI_INVALID_FILENAME', /characters/],
    ['foo#1-1.0.tar.gz', 'PYPI_INVALID_FILENAME', /characters/],
    [`${'a'.repeat(250)}-1.0.tar.gz`, 'PYPI_INVALID_FILENAME', /up to 255/],
  ])('refuses %j', (name, code, message) => {
    expect(() => parseDistFilename(name)).toThrow(refusal(code, message));
  });
});
