import { createHash } from 'node:crypto';
import { badRequest } from '../../domain/errors';
import { PypiCodes } from './codes';

/** The legacy upload API's form (warehouse `forklift`), as twine sends it: one file per request. */
export interface UploadForm {
  fields: Record<string, string>;
  files: { field: string; filename: string; bytes: Uint8Array }[];
}

export interface CheckedUpload {
  filename: string;
  bytes: Uint8Array;
  name?: string;
  version?: string;
}

const FILETYPES: Record<string, string> = { '.whl': 'bdist_wheel', '.tar.gz': 'sdist' };

/**
 * The request-level rules of an upload: the action, the file part, `filetype` against the file name, and
 * the digests twine computed against the bytes received. The file itself is checked by the format's parse.
 */
export function checkUploadForm(form: UploadForm): CheckedUpload {
  const action = form.fields[':action'];
  // twine always sends it; the multipart parser may drop late fields of a very long form, so absence is tolerated.
  if (action !== undefined && action !== 'file_upload') {
    throw badRequest(PypiCodes.UNSUPPORTED_ACTION, `unsupported :action ${JSON.stringify(action)}: this endpoint takes file uploads (file_upload)`);
  }
  const protocol = form.fields.protocol_version;
  if (protocol !== undefined && protocol !== '1') throw badRequest(PypiCodes.UNSUPPORTED_ACTION, `unsupported protocol_version ${JSON.stringify(protocol)}: expected 1`);
  const parts = form.files.filter((f) => f.field === 'content');
  if (parts.length !== 1) {
    throw badRequest(PypiCodes.MISSING_CONTENT, parts.length === 0 ? 'the upload has no "content" file part' : 'the upload has more than one "content" file part; send one file per request');
  }
  const [{ filename, bytes }] = parts;
  const ext = Object.keys(FILETYPES).find((e) => filename.endsWith(e));
  const filetype = form.fields.filetype;
  if (ext && filetype !== undefined && filetype !== FILETYPES[ext]) {
    throw badRequest(PypiCodes.FILETYPE_MISMATCH, `filetype ${JSON.stringify(filetype)} does not match ${JSON.stringify(filename)}, which is a ${FILETYPES[ext]}`);
  }
  checkDigest(bytes, 'sha256', form.fields.sha256_digest);
  checkDigest(bytes, 'md5', form.fields.md5_digest);
  const name = form.fields.name?.trim();
  const version = form.fields.version?.trim();
  return { filename, bytes, ...(name ? { name } : {}), ...(version ? { version } : {}) };
}

/** Warehouse accepts hex digests and, for md5, the older URL-safe base64 form. */
function checkDigest(bytes: Uint8Array, algorithm: 'sha256' | 'md5', declared: string | undefined): void {
  const value = declared?.trim();
  if (!value) return;
  const digest = createHash(algorithm).update(bytes).digest();
  const matches = value.toLowerCase() === digest.toString('hex') || value.replace(/=+$/, '') === digest.toString('base64url');
  if (!matches) {
    throw badRequest(PypiCodes.DIGEST_MISMATCH, `the file's ${algorithm} digest is ${digest.toString('hex')}, but the upload declared ${value}: the file was damaged in transit or the digest is wrong`);
  }
}
