import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isPackyardError } from '../../../shared/domain/errors';
import { readAr } from '../../../shared/formats/deb/ar';
import { debFormat } from '../../../shared/formats/deb';
import { buildDeb } from '../../support/debs';
import { arArchive, compressWith, forgedDeb, tarOf, VALID_CONTROL } from './craft';

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'packyard-deb-parse-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

/** Parses and returns the PackyardError it must throw. */
async function rejection(bytes: Uint8Array, code: string, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await debFormat.parse(bytes, {});
  } catch (e) {
    error = e;
  }
  if (!isPackyardError(error)) throw new Error(`expected ${code}, got ${error instanceof Error ? error.stack : 'no error'}`);
  expect({ status: error.status, code: error.code }).toEqual({ status: 400, code });
  expect(error.message).toMatch(message);
}

describe('parsing real packages built by dpkg-deb', () => {
  it.each([
    ['gzip', 'control.tar.gz', 'data.tar.gz'],
    ['xz', 'control.tar.xz', 'data.tar.xz'],
    ['zstd', 'control.tar.zst', 'data.tar.zst'],
  ] as const)('-Z%s gives %s, which parses', async (compression, control, data) => {
    const path = await buildDeb(dir, {
      name: `hello-${compression}`,
      version: '2:1.4.0~rc1-3',
      arch: 'arm64',
      compression,
      fields: { Depends: 'libc6 (>= 2.34), zlib1g', Homepage: 'https://example.invalid/hello' },
    });
    const bytes = await fsp.readFile(path);
    expect(readAr(bytes).map((m) => m.name)).toEqual(['debian-binary', control, data]);
    expect(debFormat.detect(bytes.subarray(0, 64))).toBe(true);

    const pkg = await debFormat.parse(bytes, {});
    expect(pkg).toMatchObject({ name: `hello-${compression}`, version: '2:1.4.0~rc1-3', arch: 'arm64' });
    expect(pkg.metadata).toMatchObject({
      Package: `hello-${compression}`,
      Version: '2:1.4.0~rc1-3',
      Architecture: 'arm64',
      Maintainer: 'Packyard Tests <tests@packyard.invalid>',
      Depends: 'libc6 (>= 2.34), zlib1g',
      Homepage: 'https://example.invalid/hello',
      Description: `test package hello-${compression}\n Built by the Packyard test suite.`,
    });
    expect(pkg.control).toBe(
      [
        `Package: hello-${compression}`,
        'Version: 2:1.4.0~rc1-3',
        'Architecture: arm64',
        'Maintainer: Packyard Tests <tests@packyard.invalid>',
        'Installed-Size: 1',
        'Section: misc',
        'Priority: optional',
        'Depends: libc6 (>= 2.34), zlib1g',
        'Homepage: https://example.invalid/hello',
        `Description: test package hello-${compression}`,
        ' Built by the Packyard test suite.',
        '',
      ].join('\n'),
    );
    expect(debFormat.filename(pkg)).toBe(`hello-${compression}_1.4.0~rc1-3_arm64.deb`);
  });

  it('reads an uncompressed control.tar (-Znone)', async () => {
    const root = join(dir, 'none');
    await fsp.mkdir(join(root, 'DEBIAN'), { recursive: true });
    await fsp.writeFile(join(root, 'DEBIAN', 'control'), VALID_CONTROL);
    const out = join(dir, 'none.deb');
    const { runOk } = await import('../../support/exec');
    await runOk('dpkg-deb', ['--root-owner-group', '-Znone', '--build', root, out]);
    const bytes = await fsp.readFile(out);
    expect(readAr(bytes).map((m) => m.name)).toEqual(['debian-binary', 'control.tar', 'data.tar']);
    await expect(debFormat.parse(bytes, {})).resolves.toMatchObject({ name: 'hello', version: '1.0-1', arch: 'amd64' });
  });

  it('drops Filename, Size and checksum fields an upload carries, and trailing blank lines', async () => {
    const control = VALID_CONTROL + 'Filename: pool/evil.deb\nSize: 1\nMD5Sum: 00\nsha256: 00\nSHA1: 00\nSHA512: 00\nX-Custom: kept\n\n\n';
    const pkg = await debFormat.parse(await forgedDeb({ control }), {});
    expect(pkg.control).toBe(VALID_CONTROL + 'X-Custom: kept\n');
    expect(Object.keys(pkg.metadata)).toEqual(['Package', 'Version', 'Architecture', 'Maintainer', 'Description', 'X-Custom']);
  });

  it('accepts a bare "control" entry, GNU-style member names and a trailing-slash-free archive end', async () => {
    const deb = arArchive([
      { name: 'debian-binary/', data: '2.0\n' },
      { name: 'control.tar.gz/', data: gzipSync(await tarOf({ control: VALID_CONTROL })) },
      { name: 'data.tar.gz/', data: gzipSync(await tarOf({})) },
    ]);
    await expect(debFormat.parse(deb, {})).resolves.toMatchObject({ name: 'hello' });
  });
});

describe('rejecting bad input with a precise DEB_* code', () => {
  let real: Buffer;
  beforeAll(async () => {
    real = await fsp.readFile(await buildDeb(dir, { name: 'victim', version: '1.0' }));
  });

  it('DEB_NOT_AR on a file without the ar magic', async () => {
    await rejection(Buffer.from('PK\x03\x04 not a deb at all'), 'DEB_NOT_AR', /ar magic/);
    const corrupted = Buffer.from(real);
    corrupted[1] = 'X'.charCodeAt(0);
    await rejection(corrupted, 'DEB_NOT_AR', /ar magic/);
  });

  it('DEB_TRUNCATED when a header or member data runs past the end', async () => {
    await rejection(real.subarray(0, 8 + 30), 'DEB_TRUNCATED', /member 1 header at byte 8 needs 60 bytes, only 30 remain/);
    await rejection(real.subarray(0, real.length - 100), 'DEB_TRUNCATED', /ar member data\.tar\.gz needs \d+ bytes, only \d+ remain/);
  });

  it('DEB_BAD_MEMBER on forged headers', async () => {
    await rejection(arArchive([{ name: 'debian-binary', data: '2.0\n', sizeField: '9999999999' }]), 'DEB_BAD_MEMBER', /claims 9999999999 bytes, more than the whole file/);
    await rejection(arArchive([{ name: 'debian-binary', data: '2.0\n', sizeField: '4x' }]), 'DEB_BAD_MEMBER', /size field "4x\s*" is not a decimal number/);
    await rejection(arArchive([{ name: 'debian-binary', data: '2.0\n', sizeField: '-4' }]), 'DEB_BAD_MEMBER', /not a decimal number/);
    await rejection(arArchive([{ name: '../x', data: '2.0\n' }]), 'DEB_BAD_MEMBER', /name "\.\.\/x" contains a path/);
    await rejection(arArchive([{ name: 'a/b', data: '2.0\n' }]), 'DEB_BAD_MEMBER', /contains a path/);
    await rejection(arArchive([{ name: '..', data: '2.0\n' }]), 'DEB_BAD_MEMBER', /contains a path/);
    await rejection(arArchive([{ name: 'debian-binary', data: '2.0\n', terminator: 'XX' }]), 'DEB_BAD_MEMBER', /lacks its "`\\n" terminator/);
    await rejection(arArchive([{ name: '', data: '2.0\n' }]), 'DEB_BAD_MEMBER', /invalid name/);
  });

  it('DEB_NO_DEBIAN_BINARY when debian-binary is missing or not first', async () => {
    const control = { name: 'control.tar.gz', data: gzipSync(await tarOf({ './control': VALID_CONTROL })) };
    const data = { name: 'data.tar.gz', data: gzipSync(await tarOf({})) };
    await rejection(arArchive([control, data]), 'DEB_NO_DEBIAN_BINARY', /first ar member must be debian-binary, found "control\.tar\.gz"/);
    await rejection(arArchive([control, { name: 'debian-binary', data: '2.0\n' }, data]), 'DEB_NO_DEBIAN_BINARY', /found "control\.tar\.gz"/);
    await rejection(Buffer.from('!<arch>\n'), 'DEB_NO_DEBIAN_BINARY', /found no member/);
  });

  it('DEB_UNSUPPORTED_VERSION unless debian-binary says 2.x', async () => {
    await rejection(await forgedDeb({ debianBinary: '3.0\n' }), 'DEB_UNSUPPORTED_VERSION', /format "3\.0": only format 2\.x/);
    await rejection(await forgedDeb({ debianBinary: '0.939000\n' }), 'DEB_UNSUPPORTED_VERSION', /only format 2\.x/);
    await rejection(await forgedDeb({ debianBinary: '2.x\n' }), 'DEB_UNSUPPORTED_VERSION', /only format 2\.x/);
    await rejection(await forgedDeb({ debianBinary: '' }), 'DEB_UNSUPPORTED_VERSION', /format "": only format 2\.x/);
    await expect(debFormat.parse(await forgedDeb({ debianBinary: '2.0' }), {})).resolves.toMatchObject({ name: 'hello' });
    await expect(debFormat.parse(await forgedDeb({ debianBinary: '2.1\nextra\n' }), {})).resolves.toMatchObject({ name: 'hello' });
  });

  it('DEB_NO_CONTROL without a control.tar member or without a control file in it', async () => {
    await rejection(
      arArchive([
        { name: 'debian-binary', data: '2.0\n' },
        { name: 'data.tar.gz', data: gzipSync(await tarOf({})) },
      ]),
      'DEB_NO_CONTROL',
      /no control\.tar member \(members: debian-binary, data\.tar\.gz\)/,
    );
    const noControl = { name: 'control.tar.gz', data: gzipSync(await tarOf({ './md5sums': 'x' })) };
    await rejection(await forgedDeb({ controlMember: noControl }), 'DEB_NO_CONTROL', /control\.tar\.gz holds no control file/);
  });

  it('DEB_NO_DATA without a data.tar member', async () => {
    const control = { name: 'control.tar.gz', data: gzipSync(await tarOf({ './control': VALID_CONTROL })) };
    await rejection(arArchive([{ name: 'debian-binary', data: '2.0\n' }, control]), 'DEB_NO_DATA', /no data\.tar member/);
  });

  describe('DEB_BAD_CONTROL_ARCHIVE', () => {
    const member = (name: string, data: Uint8Array) => forgedDeb({ controlMember: { name, data } });

    it('on corrupt compression or tar data', async () => {
      await rejection(await member('control.tar.gz', Buffer.from('\x1f\x8b\x08\x00garbage-garbage')), 'DEB_BAD_CONTROL_ARCHIVE', /control\.tar\.gz: corrupt gzip data/);
      const xz = compressWith('xz', await tarOf({ './control': VALID_CONTROL }));
      await rejection(await member('control.tar.xz', xz.subarray(0, xz.length - 20)), 'DEB_BAD_CONTROL_ARCHIVE', /control\.tar\.xz: corrupt xz data/);
      await rejection(await member('control.tar.xz', Buffer.from('not xz at all')), 'DEB_BAD_CONTROL_ARCHIVE', /corrupt xz data/);
      await rejection(await member('control.tar.zst', Buffer.from('not zstd at all')), 'DEB_BAD_CONTROL_ARCHIVE', /control\.tar\.zst: corrupt zstd data/);
      const zst = compressWith('zstd', await tarOf({ './control': VALID_CONTROL }));
      await rejection(await member('control.tar.zst', zst.subarray(0, zst.length - 10)), 'DEB_BAD_CONTROL_ARCHIVE', /corrupt zstd data/);
      const notTar = Buffer.alloc(1024, 'x');
      await rejection(await member('control.tar.gz', gzipSync(notTar)), 'DEB_BAD_CONTROL_ARCHIVE', /corrupt tar data/);
      const tarBytes = await tarOf({ './control': VALID_CONTROL.repeat(20) });
      await rejection(await member('control.tar', tarBytes.subarray(0, 700)), 'DEB_BAD_CONTROL_ARCHIVE', /corrupt tar data/);
    });

    it('on an unsupported compression', async () => {
      await rejection(await member('control.tar.bz2', Buffer.from('BZh9')), 'DEB_BAD_CONTROL_ARCHIVE', /control\.tar\.bz2: unsupported compression/);
    });

    it.each(['gz', 'xz', 'zst'] as const)('on a decompression bomb in control.tar.%s', async (ext) => {
      const bomb = Buffer.alloc(40 * 1024 * 1024); // 40 MiB of zeros compresses to a few KiB
      const data = ext === 'gz' ? gzipSync(bomb) : compressWith(ext === 'xz' ? 'xz' : 'zstd', bomb);
      expect(data.length).toBeLessThan(200 * 1024);
      await rejection(await member(`control.tar.${ext}`, data), 'DEB_BAD_CONTROL_ARCHIVE', /decompresses to more than 16777216 bytes/);
    });

    it('on a control file over 1 MiB', async () => {
      const huge = VALID_CONTROL + 'X-Padding: ' + 'a'.repeat(1024 * 1024) + '\n';
      await rejection(await member('control.tar.gz', gzipSync(await tarOf({ './control': huge }))), 'DEB_BAD_CONTROL_ARCHIVE', /control file is \d+ bytes, more than the 1048576-byte limit/);
    });
  });

  it('DEB_MISSING_FIELD for each required field', async () => {
    for (const field of ['Package', 'Version', 'Architecture', 'Maintainer', 'Description']) {
      const control = VALID_CONTROL.split('\n')
        .filter((l) => !l.startsWith(`${field}:`) && !(field === 'Description' && l.startsWith(' ')))
        .join('\n');
      await rejection(await forgedDeb({ control }), 'DEB_MISSING_FIELD', new RegExp(`no ${field} field`));
    }
    await rejection(await forgedDeb({ control: VALID_CONTROL.replace('Maintainer: Packyard Tests <tests@packyard.invalid>', 'Maintainer:') }), 'DEB_MISSING_FIELD', /Maintainer field is empty/);
  });

  it.each([['Hello'], ['a'], ['foo_bar'], ['-foo'], ['foo bar'], ['føø']])('DEB_INVALID_NAME for %j', async (name) => {
    await rejection(await forgedDeb({ control: VALID_CONTROL.replace('Package: hello', `Package: ${name}`) }), 'DEB_INVALID_NAME', /invalid package name/);
  });

  it.each([['abc', /does not start with a digit/], ['1.0-', /revision after the last "-" is empty/], ['x:1.0', /epoch "x" is not a number/], ['1.0_beta', /may only contain/], ['1.0-1_2', /Debian revision "1_2"/], [':1.0', /epoch "" is not a number/]])(
    'DEB_INVALID_VERSION for %j',
    async (version, message) => {
      await rejection(await forgedDeb({ control: VALID_CONTROL.replace('Version: 1.0-1', `Version: ${version}`) }), 'DEB_INVALID_VERSION', message);
    },
  );

  it.each([['AMD64'], ['amd64 i386'], ['any'], ['x86_64'], ['-arm']])('DEB_INVALID_ARCH for %j', async (arch) => {
    await rejection(await forgedDeb({ control: VALID_CONTROL.replace('Architecture: amd64', `Architecture: ${arch}`) }), 'DEB_INVALID_ARCH', /invalid architecture/);
  });

  it('DEB_BAD_CONTROL when the control file is not one deb822 paragraph', async () => {
    const bad = (control: string, message: RegExp) => forgedDeb({ control }).then((deb) => rejection(deb, 'DEB_BAD_CONTROL', message));
    await bad(VALID_CONTROL + 'Package: again\n', /field Package appears twice \(lines 1 and 7\)/);
    await bad(VALID_CONTROL + 'package: again\n', /field Package appears twice/);
    await bad(VALID_CONTROL + 'this line has no colon\n', /line 7 \("this line has no colon"\) is neither "Field: value" nor a continuation line/);
    await bad(VALID_CONTROL + '\nPackage: second\n', /line 7 is blank, so the file holds more than one paragraph/);
    await bad(' continuation first\n' + VALID_CONTROL, /line 1 is a continuation line before any field/);
    await bad('# comment\n' + VALID_CONTROL, /line 1 is a comment/);
    await bad('\n\n', /it is empty/);
    await bad(VALID_CONTROL + 'X-Bell: \x07\n', /line 7 contains the control character U\+0007/);
    await bad(VALID_CONTROL + 'Bad Name: x\n', /invalid field name "Bad Name"/);
    const latin1 = { name: 'control.tar.gz', data: gzipSync(await tarOf({ './control': Buffer.from(VALID_CONTROL + 'X-Name: caf\xe9\n', 'latin1') })) };
    await rejection(await forgedDeb({ controlMember: latin1 }), 'DEB_BAD_CONTROL', /not valid UTF-8/);
  });
});
