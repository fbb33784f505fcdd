import type { Distribution } from '../../domain/distribution';
import type { Format, ParseContext, ParsedPackage } from '../format';
import { looksLikeApk } from './detect';
import { isGzipAt } from './gzip-members';
import { apkMetadata, indexRecord } from './fragment';
import { readApk } from './package-file';
import { ALPINE_RELEASE, apkFilename, archDir } from './paths';
import { renderApkIndex } from './render';

async function parseApk(bytes: Uint8Array): Promise<ParsedPackage> {
  const apk = await readApk(bytes);
  return { ...apk.identity, metadata: apkMetadata(apk.info, apk.checksum) };
}

const filename = (pkg: ParsedPackage) => apkFilename(pkg.name, pkg.version);

/** Alpine (apk-tools v2) packages and signed APKINDEX.tar.gz indexes, one per branch and arch. */
export const apkFormat = {
  id: 'apk',
  label: 'Alpine package',
  servesDistribution: (d: Distribution) => d.distro === 'alpine' && ALPINE_RELEASE.test(d.release),
  detect: looksLikeApk,
  claims: (head: Uint8Array) => isGzipAt(head, 0),
  parse: (bytes: Uint8Array, _ctx: ParseContext) => parseApk(bytes),
  scope: (d: Distribution) => `${d.distro}/${d.release}`,
  filename,
  blobKey: (repo: string, d: Distribution, pkg: ParsedPackage) => archDir(repo, d, pkg.arch) + filename(pkg),
  fragment: (_repo, _d, pkg, file) => indexRecord(pkg.metadata, file),
  render: renderApkIndex,
} satisfies Format;
