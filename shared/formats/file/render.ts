import type { RenderedIndex, RenderInput } from '../format';
import { readFragment } from './fragment';
import { fileKey, indexKey } from './paths';
import { compareVersions, parseSemver } from './semver';

export interface IndexFile {
  filename: string;
  size: number;
  sha256: string;
  uploadedAt?: string;
  /** Absolute path on the registry host. */
  path: string;
}

export interface IndexVersion {
  version: string;
  files: IndexFile[];
}

/** `files/{name}/index.json` */
export interface FileIndex {
  name: string;
  /** The highest release (pre-releases only when there is nothing else). */
  latest?: string;
  /** Lowest first, in semantic-version precedence. */
  versions: IndexVersion[];
}

export function fileIndex(input: RenderInput): FileIndex {
  const name = input.scope;
  const byVersion = new Map<string, IndexFile[]>();
  for (const m of input.members) {
    const entry = readFragment(m.fragment);
    const file: IndexFile = {
      filename: entry.filename,
      size: entry.size,
      sha256: entry.sha256,
      ...(m.uploadedAt ? { uploadedAt: m.uploadedAt } : {}),
      path: '/' + fileKey(input.repo, name, m.version, entry.filename),
    };
    byVersion.set(m.version, [...(byVersion.get(m.version) ?? []), file]);
  }
  const versions = [...byVersion.entries()]
    .sort(([a], [b]) => compareVersions(a, b))
    .map(([version, files]) => ({ version, files: files.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0)) }));
  const releases = versions.filter((v) => parseSemver(v.version)?.prerelease.length === 0);
  const latest = (releases.length ? releases : versions).at(-1)?.version;
  return { name, ...(latest ? { latest } : {}), versions };
}

/** One mutable file per package, nothing signed: downloads are checked against the listed sha256. */
export async function renderFileIndex(input: RenderInput): Promise<RenderedIndex> {
  const body = Buffer.from(JSON.stringify(fileIndex(input), null, 2) + '\n', 'utf8');
  return { content: [], top: [{ key: indexKey(input.repo, input.scope), body, contentType: 'application/json' }], byHashPrefixes: [] };
}
