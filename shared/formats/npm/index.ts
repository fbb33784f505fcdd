import type { Distribution } from '../../domain/distribution';
import type { Format, ParsedPackage } from '../format';
import { npmFragment } from './fragment';
import { parseNpmPackage, readPackageInfo } from './manifest';
import { tarballFilename, tarballKey } from './paths';
import { renderNpm } from './render';
import { isGzip } from './tarball';

/**
 * npm packages: gzip'd tarballs holding `package/package.json`. One scope per package name, rendered into
 * its packuments (full and abbreviated) and dist-tags; dist-tags themselves are the scope's attributes.
 */
export const npmFormat = {
  id: 'npm',
  label: 'npm package',
  servesDistribution: (d: Distribution) => d.distro === 'npm' && d.release === '',
  // A .tgz has no magic of its own (Helm charts are gzip'd tars too): claim the container only.
  detect: (_head: Uint8Array) => false,
  claims: (head: Uint8Array) => isGzip(head),
  parse: (bytes, ctx) => parseNpmPackage(bytes, ctx),
  scope: (_d: Distribution, pkg: ParsedPackage) => pkg.name,
  filename: (pkg: ParsedPackage) => tarballFilename(pkg.name, pkg.version),
  blobKey: (repo: string, _d: Distribution, pkg: ParsedPackage) => tarballKey(repo, pkg.name, pkg.version),
  fragment: (_repo, _d, pkg, file) => npmFragment(readPackageInfo(pkg), file),
  render: (input, _signer) => renderNpm(input),
} satisfies Format;
