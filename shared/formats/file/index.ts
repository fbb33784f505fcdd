import { type Distribution, FILES } from '../../domain/distribution';
import type { Format, ParseContext, ParsedPackage } from '../format';
import { fileFragment } from './fragment';
import { parseGenericFile } from './parse';
import { fileKey } from './paths';
import { renderFileIndex } from './render';

/**
 * Generic files: any bytes under a name and a semantic version. The package identity's third component
 * (`arch` elsewhere) is the file name, so (name, version, filename) is unique and a version holds a file
 * per platform.
 */
export const fileFormat = {
  id: 'file',
  label: 'generic file',
  servesDistribution: (d: Distribution) => d.distro === FILES && d.release === '',
  // No magic: anything is a generic file. The registry never lets it win detection (see detectFormat).
  detect: (_head: Uint8Array) => true,
  parse: async (_bytes: Uint8Array, ctx: ParseContext) => parseGenericFile(ctx),
  scope: (_d: Distribution, pkg: ParsedPackage) => pkg.name,
  filename: (pkg: ParsedPackage) => pkg.arch,
  blobKey: (repo: string, _d: Distribution, pkg: ParsedPackage) => fileKey(repo, pkg.name, pkg.version, pkg.arch),
  fragment: (_repo, _d, pkg, file) => fileFragment(pkg.arch, file),
  render: (input, _signer) => renderFileIndex(input),
} satisfies Format;
