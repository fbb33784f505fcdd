import type { Distribution } from '../../domain/distribution';
import type { Format, ParseContext, ParsedPackage, StoredFile } from '../format';
import { evrString } from './evr';
import { extractInfo } from './extract';
import { encodeFragment, filelistsPackage, MAX_FRAGMENT_CHARS, otherPackage, primaryPackage } from './fragment';
import { checkIntegrity } from './integrity';
import type { RpmPackageInfo } from './model';
import { hasLeadMagic, readRpmFile } from './package-file';
import { locationHref, poolPath, rpmBase, rpmFilename } from './paths';
import { checkPayload } from './payload';
import { renderRpmIndex } from './render';

/** Distro names served as dnf/yum/zypper repositories (Packagecloud's names; `rpm_any/rpm_any` is distro-agnostic). */
export const RPM_DISTROS: ReadonlySet<string> = new Set(['el', 'fedora', 'ol', 'rhel', 'centos', 'rocky', 'almalinux', 'amzn', 'sles', 'opensuse', 'rpm_any']);

/** Hashes of the right length, to measure a fragment before ingest knows the real ones. */
const PLACEHOLDER: StoredFile = { blobKey: '', size: 0, hashes: { md5: '0'.repeat(32), sha1: '0'.repeat(40), sha256: '0'.repeat(64), sha512: '0'.repeat(128) } };

const identity = (p: RpmPackageInfo) => `${p.name}-${evrString(p)}.${p.source ?? p.arch}`;
const fileArch = (p: RpmPackageInfo) => p.source ?? p.arch;

/** Parses, checks and reads an .rpm; everything a client could get wrong becomes an RPM_* 4xx. */
async function parseRpm(bytes: Uint8Array): Promise<ParsedPackage> {
  const rpm = readRpmFile(bytes);
  checkIntegrity(rpm);
  const compressor = checkPayload(rpm);
  const info = extractInfo(rpm, compressor);
  // Refuse an oversized fragment now, before ingest writes the file to the pool; the margin covers real
  // hashes compressing a little worse than the placeholder's zeros.
  fragmentOf(info, { ...PLACEHOLDER, size: bytes.length }, MAX_FRAGMENT_CHARS - 1024);
  return {
    name: info.name,
    version: evrString(info),
    arch: fileArch(info),
    metadata: {
      name: info.name,
      epoch: info.epoch,
      version: info.ver,
      release: info.rel,
      arch: info.arch,
      summary: info.summary,
      license: info.license,
      url: info.url,
      vendor: info.vendor,
      packager: info.packager,
      group: info.group,
      buildhost: info.buildhost,
      sourcerpm: info.sourcerpm,
      buildTime: new Date(info.buildTime * 1000).toISOString(),
      payloadCompressor: info.payloadCompressor,
    },
    control: JSON.stringify(info),
  };
}

/** The header data parse() left in `control`; a ParsedPackage from elsewhere is a programming error. */
function infoOf(pkg: ParsedPackage): RpmPackageInfo {
  if (pkg.control === undefined) throw new Error(`${pkg.name} ${pkg.version} was not parsed by the rpm format`);
  return JSON.parse(pkg.control) as RpmPackageInfo;
}

const filenameOf = (p: RpmPackageInfo) => rpmFilename(p.name, p.ver, p.rel, fileArch(p));

function fragmentOf(info: RpmPackageInfo, file: StoredFile, limit?: number): string {
  const filename = filenameOf(info);
  const href = locationHref(info.name, fileArch(info), filename);
  const fragment = { primary: primaryPackage(info, file, href), filelists: filelistsPackage(info, file), other: otherPackage(info, file) };
  return encodeFragment(fragment, identity(info), limit);
}

export const rpmFormat = {
  id: 'rpm',
  label: 'RPM package',
  servesDistribution: (d: Distribution) => RPM_DISTROS.has(d.distro),
  detect: (head: Uint8Array) => hasLeadMagic(head),
  parse: (bytes: Uint8Array, _ctx: ParseContext) => parseRpm(bytes),
  scope: (d: Distribution) => `${d.distro}/${d.release}`,
  filename: (pkg: ParsedPackage) => filenameOf(infoOf(pkg)),
  blobKey: (repo: string, d: Distribution, pkg: ParsedPackage) => {
    const info = infoOf(pkg);
    return `${rpmBase(repo, d)}/${poolPath(info.name, fileArch(info), filenameOf(info))}`;
  },
  fragment: (_repo, _d, pkg, file) => fragmentOf(infoOf(pkg), file),
  render: renderRpmIndex,
} satisfies Format;
