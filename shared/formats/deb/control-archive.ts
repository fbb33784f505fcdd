import { gunzipSync } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import tar from 'tar-stream';
import { XzReadableStream } from 'xz-decompress';
import { badRequest, isPackyardError } from '../../domain/errors';
import { DebCodes } from './codes';

/** Caps that stop a decompression bomb long before it costs real memory. */
export const CONTROL_ARCHIVE_MAX_BYTES = 16 * 1024 * 1024;
export const CONTROL_FILE_MAX_BYTES = 1024 * 1024;

/** The control member names dpkg 1.21 reads (`control.tar.bz2`/`.lzma` exist only for data members). */
export const CONTROL_MEMBERS = ['control.tar', 'control.tar.gz', 'control.tar.xz', 'control.tar.zst'] as const;

const bad = (member: string, what: string) => badRequest(DebCodes.BAD_CONTROL_ARCHIVE, `${member}: ${what}`);
const tooBig = (member: string) => bad(member, `decompresses to more than ${CONTROL_ARCHIVE_MAX_BYTES} bytes`);
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Returns the text of the `control` file inside a control.tar[.gz|.xz|.zst] member. */
export async function readControlFile(member: string, compressed: Uint8Array): Promise<string> {
  const tarBytes = await decompress(member, compressed);
  const control = await findControl(member, tarBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(control);
  } catch {
    throw badRequest(DebCodes.BAD_CONTROL, 'the control file is not valid UTF-8');
  }
}

async function decompress(member: string, data: Uint8Array): Promise<Uint8Array> {
  switch (member) {
    case 'control.tar':
      if (data.length > CONTROL_ARCHIVE_MAX_BYTES) throw bad(member, `is larger than ${CONTROL_ARCHIVE_MAX_BYTES} bytes`);
      return data;
    case 'control.tar.gz':
      return gunzip(member, data);
    case 'control.tar.xz':
      return unxz(member, data);
    case 'control.tar.zst':
      return unzstd(member, data);
    default:
      throw bad(member, `unsupported compression (expected one of ${CONTROL_MEMBERS.join(', ')})`);
  }
}

function gunzip(member: string, data: Uint8Array): Uint8Array {
  try {
    return gunzipSync(data, { maxOutputLength: CONTROL_ARCHIVE_MAX_BYTES });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig(member);
    throw bad(member, `corrupt gzip data (${reason(e)})`);
  }
}

async function unxz(member: string, data: Uint8Array): Promise<Uint8Array> {
  const reader = new XzReadableStream(new Blob([data]).stream()).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > CONTROL_ARCHIVE_MAX_BYTES) {
        await reader.cancel();
        throw tooBig(member);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (isPackyardError(e)) throw e;
    // xz-decompress reports liblzma's numeric status only.
    throw bad(member, `corrupt xz data (${reason(e)})`);
  }
  return Buffer.concat(chunks);
}

function unzstd(member: string, data: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const stream = new ZstdDecompress((chunk) => {
    total += chunk.length;
    if (total > CONTROL_ARCHIVE_MAX_BYTES) {
      over = true;
      throw tooBig(member);
    }
    chunks.push(chunk);
  });
  try {
    // Fed in slices so the size check runs between blocks instead of after the whole frame.
    const step = 64 * 1024;
    if (data.length === 0) stream.push(data, true);
    for (let i = 0; i < data.length; i += step) stream.push(data.subarray(i, i + step), i + step >= data.length);
  } catch (e) {
    if (over) throw tooBig(member);
    throw bad(member, `corrupt zstd data (${reason(e)})`);
  }
  return Buffer.concat(chunks);
}

/** `./control` as dpkg-deb writes it, or a bare `control` from hand-made archives. */
const isControlEntry = (name: string) => name.replace(/^\.\//, '') === 'control';

async function findControl(member: string, tarBytes: Uint8Array): Promise<Uint8Array> {
  const extract = tar.extract();
  extract.end(Buffer.from(tarBytes.buffer, tarBytes.byteOffset, tarBytes.byteLength));
  let found: Uint8Array | undefined;
  try {
    for await (const entry of extract) {
      const { name, type, size } = entry.header;
      if (found || !isControlEntry(name) || (type !== 'file' && type !== 'contiguous-file')) {
        entry.resume();
        continue;
      }
      if ((size ?? 0) > CONTROL_FILE_MAX_BYTES) {
        entry.destroy();
        throw bad(member, `the control file is ${size} bytes, more than the ${CONTROL_FILE_MAX_BYTES}-byte limit`);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      found = Buffer.concat(chunks);
    }
  } catch (e) {
    if (isPackyardError(e)) throw e;
    throw bad(member, `corrupt tar data (${reason(e)})`);
  }
  if (!found) throw badRequest(DebCodes.NO_CONTROL, `${member} holds no control file`);
  return found;
}
