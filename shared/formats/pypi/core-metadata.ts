import { badRequest } from '../../domain/errors';
import { PypiCodes } from './codes';
import { isValidName } from './name';
import { isValidVersion } from './version';

/**
 * Core metadata (a wheel's METADATA, an sdist's PKG-INFO): RFC 822 style headers, repeated keys for
 * multiple-use fields, continuation lines starting with white space, and the description as the body after
 * the first blank line.
 */
export interface CoreMetadata {
  metadataVersion: string;
  name: string;
  version: string;
  summary?: string;
  requiresPython?: string;
  /** Every header, keys lower-cased, in order of appearance. */
  fields: Map<string, string[]>;
}

const HEADER = /^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)$/;

export function parseCoreMetadata(bytes: Uint8Array, what: string): CoreMetadata {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest(PypiCodes.BAD_METADATA, `${what} is not valid UTF-8`);
  }
  const fields = new Map<string, string[]>();
  let last: { key: string; index: number } | undefined;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line.trim() === '') break; // the body (description) follows
    if (/^[ \t]/.test(line)) {
      if (!last) throw badRequest(PypiCodes.BAD_METADATA, `${what} starts with a continuation line`);
      const values = fields.get(last.key)!;
      values[last.index] += '\n' + line.trim();
      continue;
    }
    const m = HEADER.exec(line);
    if (!m) throw badRequest(PypiCodes.BAD_METADATA, `${what} has a malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    const key = m[1].toLowerCase();
    const values = fields.get(key) ?? [];
    values.push(m[2].trim());
    fields.set(key, values);
    last = { key, index: values.length - 1 };
  }
  const single = (key: string, label: string): string | undefined => {
    const values = fields.get(key);
    if (values && values.length > 1) throw badRequest(PypiCodes.BAD_METADATA, `${what} has more than one ${label} field`);
    return values?.[0];
  };
  const metadataVersion = single('metadata-version', 'Metadata-Version');
  if (!metadataVersion) throw badRequest(PypiCodes.BAD_METADATA, `${what} has no Metadata-Version field`);
  if (!/^\d+\.\d+$/.test(metadataVersion)) throw badRequest(PypiCodes.BAD_METADATA, `${what} has an invalid Metadata-Version ${JSON.stringify(metadataVersion)}`);
  const name = single('name', 'Name');
  if (!name) throw badRequest(PypiCodes.INVALID_NAME, `${what} has no Name field`);
  if (!isValidName(name)) {
    throw badRequest(PypiCodes.INVALID_NAME, `invalid project name ${JSON.stringify(name)} in ${what}: letters, digits, ".", "_" and "-", starting and ending with a letter or digit`);
  }
  const version = single('version', 'Version');
  if (!version) throw badRequest(PypiCodes.INVALID_VERSION, `${what} has no Version field`);
  if (!isValidVersion(version)) {
    throw badRequest(PypiCodes.INVALID_VERSION, `invalid version ${JSON.stringify(version)} in ${what}: expected a PEP 440 version such as 1.0, 2.1.3rc1 or 1.0.post2`);
  }
  const summary = single('summary', 'Summary');
  const requiresPython = single('requires-python', 'Requires-Python');
  return {
    metadataVersion,
    name,
    version: version.trim(),
    ...(summary ? { summary } : {}),
    ...(requiresPython ? { requiresPython } : {}),
    fields,
  };
}
