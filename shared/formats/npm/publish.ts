import { createHash } from 'node:crypto';
import { validRange } from 'semver';
import { badRequest } from '../../domain/errors';
import { NpmCodes } from './codes';
import { isObject, type Json, type JsonObject } from './manifest';
import { unscopedName } from './name';
import { canonicalVersion } from './version';

/**
 * The document npm PUTs to `/{name}`: a publish (one new version and its tarball as a base64 attachment,
 * libnpmpublish), or a whole packument edited by the client (`npm deprecate`, `npm unpublish pkg@ver`, or
 * older npm's retry after a 409), with no attachment.
 */
export interface PublishDocument {
  name: string;
  versions: Record<string, JsonObject>;
  distTags: Record<string, string>;
  /** Tarball attachments by file name (other attachments, such as provenance bundles, are not kept). */
  tarballs: Record<string, { data: string; length?: number }>;
}

const bad = (message: string) => badRequest(NpmCodes.BAD_DOCUMENT, message);

export function readPublishDocument(body: Uint8Array): PublishDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    throw bad('the request body is not a JSON document');
  }
  if (!isObject(doc)) throw bad('the request body must be a JSON object (a package document)');
  const name = typeof doc.name === 'string' ? doc.name : typeof doc._id === 'string' ? doc._id : undefined;
  if (name === undefined) throw bad('the package document has no "name"');
  if (typeof doc._id === 'string' && doc._id !== name) throw bad(`the package document's "_id" (${JSON.stringify(doc._id)}) differs from its "name" (${JSON.stringify(name)})`);
  if (!isObject(doc.versions)) throw bad('the package document has no "versions" object');
  const versions: Record<string, JsonObject> = {};
  for (const [v, value] of Object.entries(doc.versions)) {
    if (!isObject(value)) throw bad(`versions[${JSON.stringify(v)}] must be an object`);
    if (canonicalVersion(v) !== v) {
      throw badRequest(NpmCodes.INVALID_VERSION, `invalid version ${JSON.stringify(v)}: expected a semantic version such as 1.2.3 or 2.0.0-rc.1`);
    }
    versions[v] = value;
  }
  const distTags: Record<string, string> = {};
  const rawTags = doc['dist-tags'] ?? {};
  if (!isObject(rawTags)) throw bad('"dist-tags" must be an object');
  for (const [tag, v] of Object.entries(rawTags)) {
    if (typeof v !== 'string') throw bad(`dist-tags[${JSON.stringify(tag)}] must be a version string`);
    distTags[tag] = v;
  }
  const tarballs: PublishDocument['tarballs'] = {};
  const attachments = doc._attachments ?? {};
  if (!isObject(attachments)) throw bad('"_attachments" must be an object');
  for (const [file, a] of Object.entries(attachments)) {
    if (!file.endsWith('.tgz')) continue;
    if (!isObject(a) || typeof a.data !== 'string') throw bad(`the attachment ${JSON.stringify(file)} has no base64 "data"`);
    if (a.length !== undefined && typeof a.length !== 'number') throw bad(`the attachment ${JSON.stringify(file)} has a non-numeric "length"`);
    tarballs[file] = { data: a.data, ...(typeof a.length === 'number' ? { length: a.length } : {}) };
  }
  return { name, versions, distTags, tarballs };
}

/**
 * The version an attachment carries, from its file name: libnpmpublish names it `{name}-{version}.tgz` (the
 * scope included), other clients `{unscoped}-{version}.tgz`.
 */
export function attachmentVersion(name: string, file: string, versions: Iterable<string>): string | undefined {
  for (const v of versions) {
    if (file === `${name}-${v}.tgz` || file === `${unscopedName(name)}-${v}.tgz`) return v;
  }
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The attachment's bytes, checked against its declared `length` and the version's `dist` digests. */
export function verifyAttachment(file: string, attachment: { data: string; length?: number }, dist: Json | undefined): Buffer {
  const data = attachment.data.replace(/\s+/g, '');
  if (!BASE64.test(data) || data.length % 4 !== 0) throw bad(`the attachment ${JSON.stringify(file)} is not valid base64`);
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length === 0) throw bad(`the attachment ${JSON.stringify(file)} is empty`);
  if (attachment.length !== undefined && attachment.length !== bytes.length) {
    throw badRequest(NpmCodes.LENGTH_MISMATCH, `the attachment ${JSON.stringify(file)} declares ${attachment.length} bytes but holds ${bytes.length}`);
  }
  if (!isObject(dist)) throw badRequest(NpmCodes.INTEGRITY_MISSING, 'the version has no "dist" with the tarball\'s integrity (sha512)');
  if (dist.shasum !== undefined) {
    const sha1 = createHash('sha1').update(bytes).digest('hex');
    if (typeof dist.shasum !== 'string' || dist.shasum.toLowerCase() !== sha1) {
      throw badRequest(NpmCodes.INTEGRITY_MISMATCH, `dist.shasum ${JSON.stringify(dist.shasum)} does not match the tarball (sha1 ${sha1}): the upload is corrupt`);
    }
  }
  let sha512 = false;
  for (const entry of (typeof dist.integrity === 'string' ? dist.integrity : '').split(/\s+/).filter(Boolean)) {
    const m = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/=]+)(?:\?.*)?$/.exec(entry);
    if (!m) continue; // ssri ignores algorithms it does not know
    const actual = createHash(m[1]).update(bytes).digest('base64');
    if (actual !== m[2]) {
      throw badRequest(NpmCodes.INTEGRITY_MISMATCH, `dist.integrity ${m[1]}-${m[2]} does not match the tarball (${m[1]}-${actual}): the upload is corrupt`);
    }
    if (m[1] === 'sha512') sha512 = true;
  }
  if (!sha512) throw badRequest(NpmCodes.INTEGRITY_MISSING, 'dist.integrity must carry the tarball\'s sha512 ("sha512-<base64>")');
  return bytes;
}

/** Fields of a version the client may send back unchanged but never set: the registry's own. */
const REGISTRY_FIELDS = new Set(['dist', 'deprecated', 'maintainers', 'hasInstallScript', 'readme', 'readmeFilename', 'gitHead']);
const ignored = (key: string) => key.startsWith('_') || REGISTRY_FIELDS.has(key);

/** JSON with sorted keys, so two documents compare by content. */
function canonical(value: Json | undefined): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'undefined';
}

/** The fields in which a version sent back by a client differs from the published one. */
export function changedFields(published: JsonObject, sent: JsonObject): string[] {
  const keys = new Set([...Object.keys(published), ...Object.keys(sent)].filter((k) => !ignored(k)));
  return [...keys].filter((k) => canonical(published[k]) !== canonical(sent[k])).sort();
}

/** The deprecation message a version sent back by a client asks for; '' or none means not deprecated. */
export function sentDeprecation(sent: JsonObject): string | undefined {
  return typeof sent.deprecated === 'string' && sent.deprecated !== '' ? sent.deprecated : undefined;
}

const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A dist-tag name: short, URL-safe, and not something npm would read as a version range. */
export function checkTag(tag: string): string {
  if (!TAG.test(tag)) {
    throw badRequest(NpmCodes.INVALID_TAG, `invalid dist-tag ${JSON.stringify(tag)}: up to 64 characters of A-Z, a-z, 0-9, ".", "_" and "-", starting with a letter or digit`);
  }
  if (validRange(tag) !== null) throw badRequest(NpmCodes.INVALID_TAG, `invalid dist-tag ${JSON.stringify(tag)}: a tag must not be a valid semver range`);
  return tag;
}
