import type { ParsedPackage } from '../format';
import { scanDataArchive } from './data-archive';
import { readGemMembers } from './package-file';
import { RUBY } from './platform';
import { parseGemSpec, type GemSpec } from './spec';

/**
 * Validates a .gem from its bytes alone (native push and the presigned path take the same route): the tar
 * and its checksums, the gemspec, and every path of data.tar.gz. The spec travels in `control` to the
 * fragment and the quick gemspec.
 */
export async function parseGem(bytes: Uint8Array): Promise<ParsedPackage> {
  const members = await readGemMembers(bytes);
  const spec = parseGemSpec(members.metadataYaml);
  await scanDataArchive(members.dataTarGz);
  const metadata: Record<string, string> = { platform: spec.platform };
  if (spec.summary) metadata.summary = spec.summary;
  if (spec.authors.length) metadata.authors = spec.authors.join(', ');
  if (spec.licenses.length) metadata.licenses = spec.licenses.join(', ');
  if (spec.homepage) metadata.homepage = spec.homepage;
  return {
    name: spec.name,
    version: spec.version,
    arch: spec.platform === RUBY ? '' : spec.platform,
    metadata,
    control: JSON.stringify(spec),
  };
}

export function specOf(pkg: ParsedPackage): GemSpec {
  if (!pkg.control) throw new Error(`${pkg.name} ${pkg.version} was not parsed as a gem`);
  // Written only by parseGem.
  return JSON.parse(pkg.control) as GemSpec;
}
