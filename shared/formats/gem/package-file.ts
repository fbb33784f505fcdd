import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { parse as parseYaml } from 'yaml';
import { badRequest, isPackyardError } from '../../domain/errors';
import { GemCodes } from './codes';

/** The members of a .gem that matter: its metadata YAML and its data archive. */
export interface GemMembers {
  metadataYaml: string;
  dataTarGz: Uint8Array;
}

// A .gem holds a handful of members (metadata, data, checksums and their signatures).
const MAX_MEMBERS = 32;
/** The gemspec of a gem listing many thousands of files is a few megabytes at most. */
export const MAX_METADATA_BYTES = 8 * 1024 * 1024;
const MAX_CHECKSUMS_BYTES = 64 * 1024;
const DIGESTS: Record<string, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A .gem tar starts with a ustar header (the `ustar` magic at offset 257). */
export const isTar = (head: Uint8Array): boolean => head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar';

/**
 * Reads the outer tar of a .gem (Gem::Package#verify's rules): plain member names only, no duplicates,
 * metadata.gz (or the old uncompressed `metadata`) and data.tar.gz present, and every digest that
 * checksums.yaml.gz lists must match.
 */
export async function readGemMembers(bytes: Uint8Array): Promise<GemMembers> {
  const members = await readOuterTar(bytes);
  const checksums = members.get('checksums.yaml.gz');
  if (checksums) verifyChecksums(checksums, members);
  const metadataGz = members.get('metadata.gz');
  const metadataPlain = members.get('metadata');
  if (!metadataGz && !metadataPlain) throw badRequest(GemCodes.NO_METADATA, 'the .gem has no metadata.gz (its gemspec); build it with `gem build`');
  const data = members.get('data.tar.gz');
  if (!data) throw badRequest(GemCodes.NO_DATA, 'the .gem has no data.tar.gz (its files); build it with `gem build`');
  const yaml = metadataGz ? gunzipCapped(metadataGz, MAX_METADATA_BYTES, 'metadata.gz') : metadataPlain!;
  if (yaml.length > MAX_METADATA_BYTES) throw badRequest(GemCodes.TOO_LARGE, `the gem's metadata is larger than ${MAX_METADATA_BYTES} bytes`);
  return { metadataYaml: Buffer.from(yaml).toString('utf8'), dataTarGz: data };
}

async function readOuterTar(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const members = new Map<string, Uint8Array>();
  const extract = tar.extract();
  extract.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  try {
    for await (const entry of extract) {
      const { name, type } = entry.header;
      if (name.includes('/') || name.includes('\\') || name === '..' || name === '.' || name.includes('\0') || name === '') {
        entry.destroy();
        throw badRequest(GemCodes.UNSAFE_ENTRY, `the .gem holds an unexpected entry ${JSON.stringify(name)} (a gem's members have plain names)`);
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        entry.destroy();
        throw badRequest(GemCodes.UNSAFE_ENTRY, `the .gem member ${JSON.stringify(name)} is a ${type}, not a regular file`);
      }
      if (members.has(name)) {
        entry.destroy();
        throw badRequest(GemCodes.DUPLICATE_ENTRY, `the .gem holds ${JSON.stringify(name)} twice`);
      }
      if (members.size >= MAX_MEMBERS) {
        entry.destroy();
        throw badRequest(GemCodes.CORRUPT, `the .gem holds more than ${MAX_MEMBERS} members`);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      members.set(name, Buffer.concat(chunks));
    }
  } catch (e) {
    if (isPackyardError(e)) throw e;
    throw badRequest(GemCodes.CORRUPT, `the file is not a valid .gem (a gem is a tar archive: ${reason(e)})`);
  }
  if (members.size === 0) throw badRequest(GemCodes.CORRUPT, 'the file is not a valid .gem (an empty tar archive)');
  return members;
}

/** checksums.yaml.gz: `{SHA256: {metadata.gz: hex, data.tar.gz: hex}, SHA512: {...}}`. */
function verifyChecksums(gz: Uint8Array, members: Map<string, Uint8Array>): void {
  let parsed: unknown;
  try {
    parsed = parseYaml(Buffer.from(gunzipCapped(gz, MAX_CHECKSUMS_BYTES, 'checksums.yaml.gz')).toString('utf8'), { schema: 'failsafe', maxAliasCount: 10 });
  } catch (e) {
    if (isPackyardError(e)) throw e;
    throw badRequest(GemCodes.BAD_CHECKSUMS, `the gem's checksums.yaml.gz is not valid YAML (${reason(e).split('\n')[0]})`);
  }
  if (!isRecord(parsed)) throw badRequest(GemCodes.BAD_CHECKSUMS, "the gem's checksums.yaml.gz is not a map of algorithms");
  for (const [algorithm, files] of Object.entries(parsed)) {
    const digest = DIGESTS[algorithm];
    if (!digest) throw badRequest(GemCodes.BAD_CHECKSUMS, `the gem's checksums.yaml.gz uses an unsupported algorithm ${JSON.stringify(algorithm)}`);
    if (!isRecord(files)) throw badRequest(GemCodes.BAD_CHECKSUMS, `the gem's checksums.yaml.gz lists ${algorithm} in an unexpected form`);
    for (const [file, expected] of Object.entries(files)) {
      const content = members.get(file);
      if (!content) throw badRequest(GemCodes.CHECKSUM_MISMATCH, `the gem's checksums.yaml.gz lists ${file}, which the .gem does not contain`);
      const actual = createHash(digest).update(content).digest('hex');
      if (typeof expected !== 'string' || expected.toLowerCase() !== actual) {
        throw badRequest(GemCodes.CHECKSUM_MISMATCH, `${algorithm} checksum mismatch for ${file}: checksums.yaml.gz says ${String(expected)}, the content is ${actual}`);
      }
    }
  }
}

function gunzipCapped(gz: Uint8Array, max: number, what: string): Uint8Array {
  try {
    return gunzipSync(gz, { maxOutputLength: max });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw badRequest(GemCodes.TOO_LARGE, `the gem's ${what} decompresses to more than ${max} bytes`);
    }
    throw badRequest(GemCodes.CORRUPT, `the gem's ${what} is not valid gzip data (${reason(e)})`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
