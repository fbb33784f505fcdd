import { debFormat } from '../../../shared/formats/deb';
import { parseParagraph, serialiseParagraph } from '../../../shared/formats/deb/control';
import { poolPrefix } from '../../../shared/formats/deb/paths';
import type { ParsedPackage, StoredFile } from '../../../shared/formats/format';
import { formatForDistribution } from '../../../shared/formats/registry';
import { forgedDeb } from './craft';

const d = (distro: string, release: string) => ({ distro, release });

const FILE: StoredFile = {
  blobKey: 'irrelevant',
  size: 1234,
  hashes: { md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64), sha512: 'd'.repeat(128) },
};

describe('debFormat paths and identity', () => {
  it('serves the apt distros, including the distro-agnostic any/any', () => {
    for (const distro of ['debian', 'ubuntu', 'any', 'raspbian', 'linuxmint', 'elementaryos', 'pop']) {
      expect(debFormat.servesDistribution(d(distro, 'x'))).toBe(true);
    }
    for (const distro of ['el', 'fedora', 'alpine', 'npm', 'Debian']) expect(debFormat.servesDistribution(d(distro, '9'))).toBe(false);
    expect(formatForDistribution(d('ubuntu', 'jammy')).id).toBe('deb');
  });

  it('detects a .deb by the ar magic followed by a debian-binary member', async () => {
    const deb = await forgedDeb();
    expect(debFormat.detect(deb.subarray(0, 1024))).toBe(true);
    expect(debFormat.detect(deb.subarray(0, 22))).toBe(true);
    expect(debFormat.detect(deb.subarray(0, 20))).toBe(false);
    expect(debFormat.detect(Buffer.from('!<arch>\nlibfoo.o/       0'))).toBe(false);
    expect(debFormat.detect(Buffer.from('\x1f\x8b\x08\x00'))).toBe(false);
    expect(debFormat.detect(new Uint8Array())).toBe(false);
  });

  const pkg = (name: string, version: string, arch: string): ParsedPackage => ({ name, version, arch, metadata: {} });

  it('names files without the epoch and pools them per release, lib packages under lib<letter>', () => {
    expect(debFormat.scope(d('ubuntu', 'jammy'))).toBe('ubuntu/jammy');
    expect(debFormat.filename(pkg('hello', '2:1.0-1', 'amd64'))).toBe('hello_1.0-1_amd64.deb');
    expect(debFormat.blobKey('acme/tools', d('ubuntu', 'jammy'), pkg('hello', '2:1.0-1', 'amd64'))).toBe(
      'acme/tools/ubuntu/pool/jammy/main/h/hello/hello_1.0-1_amd64.deb',
    );
    expect(debFormat.blobKey('acme/tools', d('any', 'any'), pkg('libssl3', '3.0.11-1', 'arm64'))).toBe(
      'acme/tools/any/pool/any/main/libs/libssl3/libssl3_3.0.11-1_arm64.deb',
    );
    expect(poolPrefix('lib')).toBe('l');
    expect(poolPrefix('0ad')).toBe('0');
  });

  it('renders a Packages stanza with the file fields and a deterministic field order', async () => {
    const control = [
      'X-Custom: first unknown',
      'Description: greets',
      ' Longer text.',
      ' .',
      ' More.',
      'Depends: libc6',
      'Version: 1:1.0-1',
      'Maintainer: Me <me@example.invalid>',
      'Package: hello',
      'Homepage: https://example.invalid',
      'Architecture: amd64',
      'X-Other: second unknown',
      'Installed-Size: 12',
      'Priority: optional',
      'Section: misc',
      'Multi-Arch: foreign',
      '',
    ].join('\n');
    const parsed = await debFormat.parse(await forgedDeb({ control }), {});
    expect(debFormat.fragment('acme/tools', d('debian', 'bookworm'), parsed, FILE)).toBe(
      [
        'Package: hello',
        'Priority: optional',
        'Section: misc',
        'Installed-Size: 12',
        'Maintainer: Me <me@example.invalid>',
        'Architecture: amd64',
        'Multi-Arch: foreign',
        'Version: 1:1.0-1',
        'Depends: libc6',
        'Filename: pool/bookworm/main/h/hello/hello_1.0-1_amd64.deb',
        'Size: 1234',
        `MD5sum: ${'a'.repeat(32)}`,
        `SHA1: ${'b'.repeat(40)}`,
        `SHA256: ${'c'.repeat(64)}`,
        `SHA512: ${'d'.repeat(128)}`,
        'Homepage: https://example.invalid',
        'Description: greets',
        ' Longer text.',
        ' .',
        ' More.',
        'X-Custom: first unknown',
        'X-Other: second unknown',
        '',
      ].join('\n'),
    );
  });

  it('builds the stanza from metadata when no control text is given', () => {
    const p: ParsedPackage = { name: 'x1', version: '1', arch: 'all', metadata: { Version: '1', Package: 'x1', Architecture: 'all', Description: 'd' } };
    expect(debFormat.fragment('acme/tools', d('any', 'any'), p, FILE).split('\n').slice(0, 4)).toEqual([
      'Package: x1',
      'Architecture: all',
      'Version: 1',
      'Filename: pool/any/main/x/x1/x1_1_all.deb',
    ]);
  });
});

describe('deb822 paragraphs', () => {
  it('round-trips folded and multi-line fields, respelling known field names', () => {
    const text = 'package: a1\nDescription: short\n second line   \n .\n third\nConffiles:\n /etc/a 0123\nX-Empty:\n';
    const fields = parseParagraph(text);
    expect(fields).toEqual([
      { name: 'Package', value: 'a1' },
      { name: 'Description', value: 'short\n second line\n .\n third' },
      { name: 'Conffiles', value: '\n /etc/a 0123' },
      { name: 'X-Empty', value: '' },
    ]);
    expect(serialiseParagraph(fields)).toBe('Package: a1\nDescription: short\n second line\n .\n third\nConffiles:\n /etc/a 0123\nX-Empty:\n');
  });

  it('accepts CRLF line ends and surrounding blank lines', () => {
    expect(parseParagraph('\r\n\r\nPackage: a1\r\nVersion:  1 \r\n\r\n  \n')).toEqual([
      { name: 'Package', value: 'a1' },
      { name: 'Version', value: '1' },
    ]);
  });
});

describe('claims', () => {
  it('claims any ar archive, so a damaged .deb gets a Debian error rather than UNKNOWN_FORMAT', () => {
    expect(debFormat.claims?.(Buffer.from('!<arch>\nnot really'))).toBe(true);
    expect(debFormat.detect(Buffer.from('!<arch>\nnot really'))).toBe(false);
    expect(debFormat.claims?.(Buffer.from('hello, I am text'))).toBe(false);
  });
});
