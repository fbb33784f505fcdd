import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export interface TgzEntry {
  name: string;
  body?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device';
  linkname?: string;
}

/**
 * A gzip-compressed tar made by hand, including shapes no packaging tool produces (links out, devices). A
 * fixed mtime keeps the bytes, and so the digests in golden files, the same on every run.
 */
export async function tgz(entries: TgzEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const mtime = new Date(0);
  for (const e of entries) {
    if (e.type && e.type !== 'file') pack.entry({ name: e.name, type: e.type, linkname: e.linkname, mtime });
    else pack.entry({ name: e.name, mode: 0o644, mtime }, e.body ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}
