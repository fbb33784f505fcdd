import { isPackyardError } from '../../../shared/domain/errors';
import { fileFormat } from '../../../shared/formats/file';
import { detectFormat } from '../../../shared/formats/registry';
import { nameAndVersionFromFilename } from '../../../shared/formats/file/from-filename';
import type { ParseContext } from '../../../shared/formats/format';

const BYTES = Buffer.from('any bytes at all');

async function rejection(ctx: ParseContext, code: string, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await fileFormat.parse(BYTES, ctx);
  } catch (e) {
    error = e;
  }
  if (!isPackyardError(error)) throw new Error(`expected ${code}, got ${error instanceof Error ? error.stack : 'no error'}`);
  expect({ status: error.status, code: error.code }).toEqual({ status: 400, code });
  expect(error.message).toMatch(message);
}

describe('name and version from a file name', () => {
  it.each([
    ['tool-1.2.3-linux-amd64.tar.gz', 'tool', '1.2.3'],
    ['tool_1.2.3_linux_amd64.tar.gz', 'tool', '1.2.3'],
    ['tool-v1.2.3-darwin-arm64.zip', 'tool', '1.2.3'],
    ['my-tool-10.0.1.tar.gz', 'my-tool', '10.0.1'],
    ['tool-2.0.0-rc.1-linux-amd64.tar.gz', 'tool', '2.0.0-rc.1'],
    ['tool-2.0.0-beta2.exe', 'tool', '2.0.0-beta2'],
    ['tool-1.2.3', 'tool', '1.2.3'],
    ['py3.11-tool-0.4.0.whl', 'py3.11-tool', '0.4.0'],
  ])('%s -> %s %s', (filename, name, version) => {
    expect(nameAndVersionFromFilename(filename)).toEqual({ name, version });
  });

  it.each(['tool.tar.gz', 'tool-1.2.tar.gz', 'tool-01.2.3.tar.gz', '1.2.3.tar.gz', 'tool-1.2.3x.tar.gz'])('%s carries no usable version', (filename) => {
    expect(nameAndVersionFromFilename(filename)).toEqual({});
  });
});

describe('parsing a generic file', () => {
  it('takes any bytes; identity is (name, version, file name) with the file name as the arch component', async () => {
    const pkg = await fileFormat.parse(BYTES, { filename: 'tool-1.2.3-linux-amd64.tar.gz' });
    expect(pkg).toEqual({ name: 'tool', version: '1.2.3', arch: 'tool-1.2.3-linux-amd64.tar.gz', metadata: { filename: 'tool-1.2.3-linux-amd64.tar.gz' } });
    expect(fileFormat.filename(pkg)).toBe('tool-1.2.3-linux-amd64.tar.gz');
    expect(fileFormat.blobKey('acme/tools', { distro: 'files', release: '' }, pkg)).toBe('acme/tools/files/tool/1.2.3/tool-1.2.3-linux-amd64.tar.gz');
    expect(fileFormat.scope({ distro: 'files', release: '' }, pkg)).toBe('tool');
  });

  it('prefers the declared name and version over the file name', async () => {
    const pkg = await fileFormat.parse(BYTES, { filename: 'tool-1.2.3-linux-amd64.tar.gz', declared: { name: 'other', version: '9.9.9-rc.1+build.7' } });
    expect(pkg).toMatchObject({ name: 'other', version: '9.9.9-rc.1+build.7' });
    const half = await fileFormat.parse(BYTES, { filename: 'installer.sh', declared: { name: 'installer', version: '0.1.0' } });
    expect(half).toMatchObject({ name: 'installer', version: '0.1.0', arch: 'installer.sh' });
    const versionOnly = await fileFormat.parse(BYTES, { filename: 'tool-1.2.3.tgz', declared: { version: '1.2.4' } });
    expect(versionOnly).toMatchObject({ name: 'tool', version: '1.2.4' });
  });

  it('accepts any bytes, yet the registry never picks it by detection', () => {
    expect(fileFormat.detect(BYTES)).toBe(true);
    expect(detectFormat(BYTES)).toBeUndefined();
  });

  it.each([
    [{ filename: 'notes.txt' }, 'FILE_MISSING_NAME', /--name/],
    [{ filename: 'notes.txt', declared: { name: 'notes' } }, 'FILE_MISSING_VERSION', /--version/],
    [{ filename: 'tool.tgz', declared: { name: 'tool', version: '1.2' } }, 'FILE_INVALID_VERSION', /semantic version/],
    [{ filename: 'tool.tgz', declared: { name: 'tool', version: 'v1.2.3' } }, 'FILE_INVALID_VERSION', /drop the leading "v"/],
    [{ filename: 'tool.tgz', declared: { name: 'tool', version: 'latest' } }, 'FILE_INVALID_VERSION', /MAJOR\.MINOR\.PATCH/],
    [{ filename: 'tool.tgz', declared: { name: 'to/ol', version: '1.0.0' } }, 'FILE_INVALID_NAME', /to\/ol/],
    [{ filename: 'tool.tgz', declared: { name: 'a#b', version: '1.0.0' } }, 'FILE_INVALID_NAME', /a#b/],
    [{ filename: '../tool-1.0.0.tgz' }, 'FILE_INVALID_FILENAME', /\.\.\/tool/],
    [{ filename: 'dir/tool-1.0.0.tgz' }, 'FILE_INVALID_FILENAME', /dir\/tool/],
    [{ filename: 'tool 1.0.0.tgz', declared: { name: 'tool', version: '1.0.0' } }, 'FILE_INVALID_FILENAME', /tool 1/],
    [{ filename: 'tool#1.0.0.tgz', declared: { name: 'tool', version: '1.0.0' } }, 'FILE_INVALID_FILENAME', /#/],
    [{ filename: '.hidden-1.0.0', declared: { name: 'tool', version: '1.0.0' } }, 'FILE_INVALID_FILENAME', /\.hidden/],
    [{ filename: `${'a'.repeat(201)}-1.0.0` }, 'FILE_INVALID_FILENAME', /200 characters/],
    [{}, 'FILE_MISSING_FILENAME', /file name/],
  ] as [ParseContext, string, RegExp][])('%j is %s', async (ctx, code, message) => {
    await rejection(ctx, code, message);
  });
});
