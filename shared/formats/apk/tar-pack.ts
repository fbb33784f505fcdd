import tar from 'tar-stream';

export interface TarInput {
  name: string;
  data: Uint8Array;
}

const END_BLOCKS = 1024;

/**
 * A ustar archive of regular files owned by root, mode 0644, all with the same mtime, so equal input gives
 * equal bytes. `segment` drops the two end-of-archive blocks, as apk's signature stream must (a tar EOF
 * there ends apk's reading before the index).
 */
export async function packTar(files: readonly TarInput[], mtime: Date, segment = false): Promise<Buffer> {
  const pack = tar.pack();
  for (const f of files) {
    pack.entry({ name: f.name, size: f.data.length, mode: 0o644, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime, type: 'file' }, Buffer.from(f.data));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  const all = Buffer.concat(chunks);
  return segment ? all.subarray(0, all.length - END_BLOCKS) : all;
}
