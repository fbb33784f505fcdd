import type { Distribution } from '../../domain/distribution';
import type { Format, ParseContext, ParsedPackage, PublishedFile } from '../format';
import { readNupkg } from './nupkg';
import { nupkgKey, nuspecKey } from './paths';
import { renderNuget, type NugetFragment } from './render';
import { parseNugetVersion } from './version';

export const NUGET_SEGMENT = 'nuget';

const isZip = (head: Uint8Array) => head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;

/**
 * NuGet packages: ids are case-insensitive and versions are normalised, so the identity is the lower-cased id
 * and normalised version (`Foo 1.0` and `foo 1.00.0` are one package); the author's spelling is kept for display.
 */
export const nugetFormat = {
  id: 'nuget',
  label: 'NuGet package',
  servesDistribution: (d: Distribution) => d.distro === NUGET_SEGMENT && d.release === '',
  detect: (_head: Uint8Array) => false,
  claims: isZip,
  async parse(bytes: Uint8Array, _ctx: ParseContext): Promise<ParsedPackage> {
    const { nuspec, metadata } = readNupkg(bytes);
    const version = parseNugetVersion(metadata.version).normalized;
    return {
      name: metadata.id.toLowerCase(),
      version: version.toLowerCase(),
      arch: '',
      metadata: { id: metadata.id, version },
      control: JSON.stringify({ metadata, version } satisfies NugetFragment),
      extras: { nuspec },
    };
  },
  scope: (_d: Distribution, pkg: ParsedPackage) => pkg.name,
  filename: (pkg: ParsedPackage) => `${pkg.name}.${pkg.version}.nupkg`,
  blobKey: (repo: string, _d: Distribution, pkg: ParsedPackage) => nupkgKey(repo, pkg.name, pkg.version),
  fragment: (_repo, _d, pkg) => pkg.control ?? '{}',
  /** The flat container serves the .nuspec beside the package. */
  companions: (repo, _d, pkg): PublishedFile[] =>
    pkg.extras?.nuspec ? [{ key: nuspecKey(repo, pkg.name, pkg.version), body: pkg.extras.nuspec, contentType: 'application/xml' }] : [],
  render: (input, _signer) => renderNuget(input),
} satisfies Format;
