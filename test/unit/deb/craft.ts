import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** Helpers that forge .deb files byte by byte, for inputs dpkg-deb refuses to build. */

export interface ArInput {
  name: string;
  data: Uint8Array | string;
  /** Overrides the size field (10 chars); the data is written as given. */
  sizeField?: string;
  /** Overrides the 2-byte terminator. */
  terminator?: string;
}

export function arArchive(members: ArInput[]): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n', 'latin1')];
  for (const m of members) {
    const data = Buffer.from(m.data);
    const header =
      m.name.padEnd(16) + '0'.padEnd(12) + '0'.padEnd(6) + '0'.padEnd(6) + '100644'.padEnd(8) + (m.sizeField ?? String(data.length)).padEnd(10) + (m.terminator ?? '`\n');
    parts.push(Buffer.from(header, 'latin1'), data);
    if (data.length % 2) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** An uncompressed tar of the given files, built with tar-stream. */
export async function tarOf(files: Record<string, string | Uint8Array>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) {
    pack.entry({ name, mode: 0o644, mtime: new Date(0) }, Buffer.from(content));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Compresses with the real command-line tool, as dpkg-deb would. */
export function compressWith(tool: 'xz' | 'zstd', data: Uint8Array): Buffer {
  const r = spawnSync(tool, tool === 'xz' ? ['-c'] : ['-c', '-q'], { input: data, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

export const VALID_CONTROL = [
  'Package: hello',
  'Version: 1.0-1',
  'Architecture: amd64',
  'Maintainer: Packyard Tests <tests@packyard.invalid>',
  'Description: greets',
  ' A longer text.',
  '',
].join('\n');

/** A minimal forged .deb: debian-binary, control.tar.gz with `./control`, an empty data.tar.gz. */
export async function forgedDeb(opts: { control?: string; debianBinary?: string; controlMember?: ArInput; members?: ArInput[] } = {}): Promise<Buffer> {
  const controlMember = opts.controlMember ?? {
    name: 'control.tar.gz',
    data: gzipSync(await tarOf({ './control': opts.control ?? VALID_CONTROL })),
  };
  return arArchive(
    opts.members ?? [
      { name: 'debian-binary', data: opts.debianBinary ?? '2.0\n' },
      controlMember,
      { name: 'data.tar.gz', data: gzipSync(await tarOf({})) },
    ],
  );
}
