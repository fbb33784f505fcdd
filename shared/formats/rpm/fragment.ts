import { gunzipSync, gzipSync } from 'node:zlib';
import { tooLarge } from '../../domain/errors';
import type { StoredFile } from '../format';
import { RpmCodes } from './codes';
import { isPrimaryFile } from './files';
import { DEPENDENCY_KINDS, type RpmDependency, type RpmFileEntry, type RpmPackageInfo } from './model';
import { attrs, xmlText } from './xml';

/** The pre-rendered `<package>` elements of one package, one per repodata file. */
export interface RpmFragment {
  primary: string;
  filelists: string;
  other: string;
}

/** Fragments above this size are stored gzip-compressed (file lists compress about tenfold). */
const COMPRESS_ABOVE = 16 * 1024;
/** A fragment lives in one metadata record beside the package's other fields (DynamoDB caps an item at 400 KB). */
export const MAX_FRAGMENT_CHARS = 350 * 1024;
const GZIP_PREFIX = 'gz:';

const version = (p: RpmPackageInfo) => `<version${attrs([['epoch', p.epoch], ['ver', p.ver], ['rel', p.rel]])}/>`;
const element = (name: string, value: string) => `<${name}>${xmlText(value)}</${name}>`;
const fileElement = (f: RpmFileEntry) => `<file${attrs([['type', f.type]])}>${xmlText(f.path)}</file>`;
const depEntry = (d: RpmDependency) =>
  `<rpm:entry${attrs([['name', d.name], ['flags', d.flags], ['epoch', d.epoch], ['ver', d.ver], ['rel', d.rel], ['pre', d.pre ? '1' : undefined]])}/>`;

/** primary.xml's `<package>`: identity, sizes, location, dependencies and the primary files. */
export function primaryPackage(p: RpmPackageInfo, file: StoredFile, href: string): string {
  const lines = [
    '<package type="rpm">',
    `  ${element('name', p.name)}`,
    `  ${element('arch', p.arch)}`,
    `  ${version(p)}`,
    `  <checksum type="sha256" pkgid="YES">${file.hashes.sha256}</checksum>`,
    `  ${element('summary', p.summary)}`,
    `  ${element('description', p.description)}`,
    `  ${element('packager', p.packager)}`,
    `  ${element('url', p.url)}`,
    // The build time stands in for the file time: it is fixed by the package, so rebuilds are stable.
    `  <time${attrs([['file', p.buildTime], ['build', p.buildTime]])}/>`,
    `  <size${attrs([['package', file.size], ['installed', p.installedSize], ['archive', p.archiveSize]])}/>`,
    `  <location${attrs([['href', href]])}/>`,
    '  <format>',
    `    ${element('rpm:license', p.license)}`,
    `    ${element('rpm:vendor', p.vendor)}`,
    `    ${element('rpm:group', p.group)}`,
    `    ${element('rpm:buildhost', p.buildhost)}`,
    `    ${element('rpm:sourcerpm', p.sourcerpm)}`,
    `    <rpm:header-range${attrs([['start', p.headerStart], ['end', p.headerEnd]])}/>`,
  ];
  for (const kind of DEPENDENCY_KINDS) {
    const entries = p.deps[kind];
    if (entries.length === 0) continue;
    lines.push(`    <rpm:${kind}>`, ...entries.map((d) => `      ${depEntry(d)}`), `    </rpm:${kind}>`);
  }
  lines.push(...p.files.filter((f) => isPrimaryFile(f.path)).map((f) => `    ${fileElement(f)}`), '  </format>', '</package>');
  return lines.join('\n') + '\n';
}

const packageOpen = (p: RpmPackageInfo, file: StoredFile) => `<package${attrs([['pkgid', file.hashes.sha256], ['name', p.name], ['arch', p.arch]])}>`;

/** filelists.xml's `<package>`: every file, keyed by the same pkgid. */
export function filelistsPackage(p: RpmPackageInfo, file: StoredFile): string {
  return [packageOpen(p, file), `  ${version(p)}`, ...p.files.map((f) => `  ${fileElement(f)}`), '</package>'].join('\n') + '\n';
}

/** other.xml's `<package>`: the changelog. */
export function otherPackage(p: RpmPackageInfo, file: StoredFile): string {
  const changelogs = p.changelogs.map((c) => `  <changelog${attrs([['author', c.author], ['date', c.date]])}>${xmlText(c.text)}</changelog>`);
  return [packageOpen(p, file), `  ${version(p)}`, ...changelogs, '</package>'].join('\n') + '\n';
}

/** Serialises a fragment: JSON, gzip+base64 when large; refuses one longer than `limit`, which could not be stored. */
export function encodeFragment(f: RpmFragment, identity: string, limit = MAX_FRAGMENT_CHARS): string {
  const json = JSON.stringify(f);
  const encoded = json.length > COMPRESS_ABOVE ? GZIP_PREFIX + gzipSync(Buffer.from(json, 'utf8'), { level: 9 }).toString('base64') : json;
  if (encoded.length > limit) {
    throw tooLarge(
      RpmCodes.METADATA_TOO_LARGE,
      `the repodata entries of ${identity} take ${encoded.length} bytes even compressed; at most ${limit} fit (too many files?)`,
    );
  }
  return encoded;
}

export function decodeFragment(s: string): RpmFragment {
  const json = s.startsWith(GZIP_PREFIX) ? gunzipSync(Buffer.from(s.slice(GZIP_PREFIX.length), 'base64')).toString('utf8') : s;
  return JSON.parse(json) as RpmFragment;
}
