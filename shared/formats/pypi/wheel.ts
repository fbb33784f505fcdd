import { badRequest } from '../../domain/errors';
import { PypiCodes } from './codes';
import { ARCHIVE_LIMITS, memberPath, unsafeMemberName, type ArchiveLimits } from './limits';
import { readZipDirectory, readZipMember, type ZipMember } from './zip-directory';

export interface WheelContents {
  /** The single top-level `{name}-{version}.dist-info` folder. */
  distInfo: string;
  metadata: Uint8Array;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
export const isZip = (head: Uint8Array): boolean => ZIP_MAGIC.every((b, i) => head[i] === b);

/**
 * Checks a wheel's central directory (every member's path, the entry count, the declared unpacked size:
 * pip's zipfile enforces those sizes, so they bound what an install writes) and reads the `.dist-info`
 * METADATA and WHEEL, inflated within the metadata limit and checked against their CRC-32.
 */
export function readWheel(bytes: Uint8Array, limits: ArchiveLimits = ARCHIVE_LIMITS): WheelContents {
  if (!isZip(bytes)) throw badRequest(PypiCodes.CORRUPT, 'the wheel is not a zip archive');
  const members = readZipDirectory(bytes, 'wheel');
  if (members.length === 0) throw badRequest(PypiCodes.CORRUPT, 'the wheel is an empty zip archive');
  if (members.length > limits.maxEntries) throw badRequest(PypiCodes.TOO_LARGE, `the wheel holds more than ${limits.maxEntries} entries`);
  const byPath = new Map<string, ZipMember>();
  const distInfos = new Set<string>();
  let unpacked = 0;
  for (const m of members) {
    if (unsafeMemberName(m.name) || m.name.includes('\\')) {
      throw badRequest(PypiCodes.UNSAFE_PATH, `the wheel holds an unsafe path ${JSON.stringify(m.name)} (absolute, with "..", or with a backslash)`);
    }
    const path = memberPath(m.name);
    if (byPath.has(path)) throw badRequest(PypiCodes.CORRUPT, `the wheel holds ${JSON.stringify(m.name)} twice`);
    byPath.set(path, m);
    unpacked += m.size;
    if (unpacked > limits.maxUnpackedBytes) throw badRequest(PypiCodes.TOO_LARGE, `the wheel unpacks to more than ${limits.maxUnpackedBytes} bytes`);
    const top = /^([^/]+\.dist-info)\//.exec(path);
    if (top) distInfos.add(top[1]);
  }
  if (distInfos.size === 0) throw badRequest(PypiCodes.NO_METADATA, 'the wheel has no .dist-info folder (a wheel holds {name}-{version}.dist-info/METADATA)');
  if (distInfos.size > 1) throw badRequest(PypiCodes.BAD_METADATA, `the wheel has more than one .dist-info folder: ${[...distInfos].sort().join(', ')}`);
  const [distInfo] = distInfos;
  const read = (file: string): Buffer => {
    const m = byPath.get(`${distInfo}/${file}`);
    if (!m) throw badRequest(PypiCodes.NO_METADATA, `the wheel has no ${distInfo}/${file}`);
    if (m.size > limits.maxMetadataBytes) throw badRequest(PypiCodes.TOO_LARGE, `${distInfo}/${file} is ${m.size} bytes, more than the ${limits.maxMetadataBytes}-byte limit`);
    return readZipMember(bytes, m, 'wheel');
  };
  const metadata = read('METADATA');
  read('WHEEL');
  return { distInfo, metadata };
}
