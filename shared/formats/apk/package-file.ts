import { createHash } from 'node:crypto';
import { badRequest } from '../../domain/errors';
import { ApkCodes } from './codes';
import { type GzipMember, isGzipAt, readGzipMember } from './gzip-members';
import { type PkgInfo, parsePkgInfo, single } from './pkginfo';
import { readTar, scanDataStream } from './tar-entries';
import { type ApkIdentity, validatePkgInfo } from './validate';

/** Caps that stop a decompression bomb long before it costs real memory or minutes of CPU. */
export const CONTROL_STREAM_MAX_BYTES = 16 * 1024 * 1024;
export const PKGINFO_MAX_BYTES = 1024 * 1024;
export const DATA_MAX_BYTES = 8 * 1024 * 1024 * 1024;
/** Above this floor, data may expand at most DATA_MAX_RATIO times its compressed size. */
export const DATA_RATIO_FLOOR_BYTES = 64 * 1024 * 1024;
export const DATA_MAX_RATIO = 100;

export interface ApkFile {
  info: PkgInfo;
  identity: ApkIdentity;
  /** apk's package identity: `Q1` + base64 SHA-1 of the control stream's compressed bytes (APKINDEX `C:`). */
  checksum: string;
  /** Whether the packager signed it (a `.SIGN.*` stream first); the registry never needs the packager's key. */
  signed: boolean;
}

const base = (name: string) => name.replace(/\/+$/, '').split('/').pop() ?? '';
const isPkgInfo = (name: string) => name.replace(/^(\.\/)+/, '') === '.PKGINFO';
const isSignature = (name: string) => base(name).startsWith('.SIGN.');

/** The first entry names of a tar, for messages. */
const listing = (names: string[]) => (names.length ? names.slice(0, 8).map((n) => JSON.stringify(n)).join(', ') : 'nothing');

export const dataLimit = (compressed: number): number => Math.min(DATA_MAX_BYTES, Math.max(DATA_RATIO_FLOOR_BYTES, compressed * DATA_MAX_RATIO));

/**
 * Reads an apk v2 package: an optional signature stream, the control stream holding `.PKGINFO`, and the data
 * stream, each a separate gzip member. Everything is checked (gzip integrity, tar paths, sizes, `.PKGINFO`,
 * `datahash`) and the package bytes are never rewritten: apk identifies a package by its control stream.
 */
export async function readApk(bytes: Uint8Array): Promise<ApkFile> {
  if (!isGzipAt(bytes, 0)) throw badRequest(ApkCodes.NOT_GZIP, 'an apk package starts with a gzip stream');
  let control: GzipMember = readGzipMember(bytes, 0, CONTROL_STREAM_MAX_BYTES, 'first');
  let tar = await readTar(control.content, 'first stream', isPkgInfo, PKGINFO_MAX_BYTES);
  const signed = tar.names.length > 0 && tar.names.every(isSignature);
  if (signed) {
    if (control.end >= bytes.length) throw badRequest(ApkCodes.NO_PKGINFO, 'the package holds a signature and nothing else');
    control = readGzipMember(bytes, control.end, CONTROL_STREAM_MAX_BYTES, 'control');
    tar = await readTar(control.content, 'control stream', isPkgInfo, PKGINFO_MAX_BYTES);
  }
  const pkginfo = tar.files.find((f) => isPkgInfo(f.name));
  if (!pkginfo) throw badRequest(ApkCodes.NO_PKGINFO, `the package's control stream has no .PKGINFO (it holds ${listing(tar.names)})`);
  const info = parsePkgInfo(pkginfo.data);
  const identity = validatePkgInfo(info);

  if (control.end >= bytes.length) throw badRequest(ApkCodes.NO_DATA, 'the package has no data stream after its control stream');
  const data = bytes.subarray(control.end);
  // Structure first, so a cut or damaged file is reported as such rather than as a hash mismatch.
  await scanDataStream(data, dataLimit(data.length));
  const datahash = single(info, 'datahash');
  if (datahash !== undefined) {
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== datahash.toLowerCase()) {
      throw badRequest(ApkCodes.DATAHASH_MISMATCH, `the data stream's sha256 is ${actual}, .PKGINFO declares ${datahash}`);
    }
  }
  const checksum = 'Q1' + createHash('sha1').update(control.raw).digest('base64');
  return { info, identity, checksum, signed };
}
