import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export interface ChartEntry {
  name: string;
  body?: string;
  type?: 'file' | 'directory' | 'symlink';
  linkname?: string;
}

/** A gzip-compressed tar of the given entries, as `helm package` writes charts. */
export async function tgz(entries: ChartEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    // A fixed mtime keeps the bytes (and so the digests in golden files) the same on every run.
    if (type === 'file') pack.entry({ name: e.name, mode: 0o644, mtime: new Date(0) }, e.body ?? '');
    else pack.entry({ name: e.name, type, mtime: new Date(0), ...(e.linkname ? { linkname: e.linkname } : {}) });
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** A chart as `helm create` + `helm package` would make it: `{name}/Chart.yaml`, values and a template. */
export function chart(name: string, version: string, extra = '', top = name): Promise<Buffer> {
  return tgz([
    { name: `${top}/Chart.yaml`, body: `apiVersion: v2\nname: ${name}\nversion: ${version}\n${extra}` },
    { name: `${top}/values.yaml`, body: 'replicaCount: 1\n' },
    { name: `${top}/templates/deployment.yaml`, body: 'kind: Deployment\n' },
  ]);
}
