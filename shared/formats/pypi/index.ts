import { createHash } from 'node:crypto';
import type { Distribution } from '../../domain/distribution';
import type { Format, ParsedPackage, PublishedFile } from '../format';
import { distFragment } from './fragment';
import { parsePypiPackage, readDistInfo } from './parse';
import { distFileKey, metadataFileKey } from './paths';
import { renderPypi } from './render';
import { isGzip } from './sdist';
import { isZip } from './wheel';

export const PYPI = 'pypi';

const metadataSha256 = (pkg: ParsedPackage): string | undefined =>
  pkg.extras?.metadata ? createHash('sha256').update(pkg.extras.metadata).digest('hex') : undefined;

/**
 * Python distributions (wheels and .tar.gz sdists) behind the Simple Repository API. One scope per
 * normalised project name, rendered into its HTML and JSON pages; the catalog scope renders the project
 * list. A wheel's METADATA is published beside it for PEP 658.
 */
export const pypiFormat = {
  id: 'pypi',
  label: 'Python distribution',
  servesDistribution: (d: Distribution) => d.distro === PYPI && d.release === '',
  // Wheels are zips and sdists gzip'd tars, containers other formats share: claim them, detect nothing.
  detect: (_head: Uint8Array) => false,
  claims: (head: Uint8Array) => isZip(head) || isGzip(head),
  parse: (bytes, ctx) => parsePypiPackage(bytes, ctx),
  scope: (_d: Distribution, pkg: ParsedPackage) => pkg.name,
  filename: (pkg: ParsedPackage) => readDistInfo(pkg).filename,
  blobKey: (repo: string, _d: Distribution, pkg: ParsedPackage) => distFileKey(repo, pkg.name, readDistInfo(pkg).filename),
  fragment: (_repo, _d, pkg, file) => distFragment(readDistInfo(pkg), file, metadataSha256(pkg)),
  companions: (_repo, _d, pkg, file): PublishedFile[] =>
    pkg.extras?.metadata ? [{ key: metadataFileKey(file.blobKey), body: pkg.extras.metadata, contentType: 'text/plain; charset=utf-8' }] : [],
  catalog: true,
  render: (input, _signer) => renderPypi(input),
} satisfies Format;
