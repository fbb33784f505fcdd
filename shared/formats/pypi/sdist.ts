import { badRequest } from '../../domain/errors';
import { readTarGz } from '../archive/tar-gz';
import { PypiCodes } from './codes';
import { ARCHIVE_LIMITS, type ArchiveLimits } from './limits';

export { isGzip } from '../archive/tar-gz';

/**
 * Streams an sdist (gzip-compressed tar) through the path and size checks and returns its top-level
 * `{stem}/PKG-INFO`: memory stays flat however large the archive, and decompression stops at the limit.
 */
export async function readSdist(bytes: Uint8Array, stem: string, limits: ArchiveLimits = ARCHIVE_LIMITS): Promise<Uint8Array> {
  const wanted = `${stem}/PKG-INFO`;
  const { kept } = await readTarGz(bytes, {
    label: 'the sdist',
    maxUnpackedBytes: limits.maxUnpackedBytes,
    maxEntries: limits.maxEntries,
    keep: (path) => path === wanted,
    maxKeptBytes: limits.maxMetadataBytes,
    codes: { corrupt: PypiCodes.CORRUPT, tooLarge: PypiCodes.TOO_LARGE, unsafe: PypiCodes.UNSAFE_PATH, duplicate: PypiCodes.BAD_METADATA },
    links: 'within',
  });
  const pkgInfo = kept.get(wanted);
  if (!pkgInfo) throw badRequest(PypiCodes.NO_METADATA, `the sdist has no ${wanted} (a source distribution holds its metadata in {name}-{version}/PKG-INFO)`);
  return pkgInfo;
}
