import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export interface TgzEntry {
  name: string;
  body?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device';
  linkname?: string;
}

/** A package tarball made by hand, for shapes npm pack never produces. */
export async function tgz(entries: TgzEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type && e.type !== 'file') pack.entry({ name: e.name, type: e.type, linkname: e.linkname });
    else pack.entry({ name: e.name }, e.body ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

export const pkgJson = (fields: Record<string, unknown>) => ({ name: 'package/package.json', body: JSON.stringify(fields) });
