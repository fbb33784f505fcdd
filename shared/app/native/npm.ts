import { badRequest, conflict, isPackyardError, notFound, unauthorized } from '../../domain/errors';
import type { PackageRecord } from '../../domain/package';
import { NpmCodes } from '../../formats/npm/codes';
import { readFragment } from '../../formats/npm/fragment';
import { checkName } from '../../formats/npm/name';
import { packumentRev } from '../../formats/npm/packument';
import { attachmentVersion, changedFields, checkTag, readPublishDocument, sentDeprecation, verifyAttachment, type PublishDocument } from '../../formats/npm/publish';
import { isGzip } from '../../formats/npm/tarball';
import { canonicalVersion, defaultLatest } from '../../formats/npm/version';
import { npmFormat } from '../../formats/npm';
import { actorOf, audit } from '../audit';
import { requirePermission, type Principal } from '../auth';
import type { AppDeps } from '../deps';
import { ingestPackage, rebuildRequests } from '../ingest';
import { nativePrincipal, nativeReader, type NativeCaller } from '../native';
import { loadRepo } from '../repos';

const FORMAT = 'npm';

/** What a package holds now: every recorded version (yanked ones too) and its stored dist-tags. */
interface PackageState {
  records: PackageRecord[];
  byVersion: Map<string, PackageRecord>;
  live: PackageRecord[];
  tags: Record<string, string>;
}

async function loadState(deps: AppDeps, repo: string, name: string): Promise<PackageState> {
  const [records, tags] = await Promise.all([deps.meta.listScope(repo, FORMAT, name), deps.meta.getAttributes(repo, FORMAT, name)]);
  return { records, byVersion: new Map(records.map((r) => [r.version, r])), live: records.filter((r) => !r.yanked), tags: { ...tags } };
}

const packageNotFound = (name: string, repo: string) => notFound(NpmCodes.PACKAGE_NOT_FOUND, `${name} is not in ${repo}`);

async function enqueueRebuild(deps: AppDeps, repo: string, name: string): Promise<void> {
  await deps.queue.enqueue(rebuildRequests(repo, npmFormat, name));
}

/** Tags still pointing at a published version; `latest` moves to `wanted` (or the default) when it lost its version. */
function retag(tags: Record<string, string>, live: Set<string>, wanted?: string): Record<string, string> {
  const out = Object.fromEntries(Object.entries(tags).filter(([, v]) => live.has(v)));
  if (!out.latest) {
    const latest = wanted && live.has(wanted) ? wanted : defaultLatest(live);
    if (latest) out.latest = latest;
  }
  return out;
}

async function yank(deps: AppDeps, who: Principal, repo: string, record: PackageRecord, how: string): Promise<void> {
  await deps.meta.updatePackage(repo, record.id, { yanked: { at: deps.clock.now().toISOString(), reason: how } });
  await audit(deps, actorOf(who), repo, 'package.yanked', record.id, { name: record.name, version: record.version, via: how });
}

export interface PutResult {
  /** The version published by this request, if any. */
  published?: string;
  rev: string;
}

/**
 * `PUT /{name}` and `PUT /{name}/-rev/{rev}`: a publish (one new version with its tarball), a whole packument
 * sent back by the client (deprecations; npm's retry after a 409), or, with a revision, a packument with
 * versions left out, which unpublishes them (`npm unpublish pkg@ver`). Published versions never change, the
 * client's `dist` is never trusted, and nothing is stored until the whole document has been checked.
 */
export async function putPackument(deps: AppDeps, caller: NativeCaller, repo: string, urlName: string, body: Uint8Array, rev?: string): Promise<PutResult> {
  const who = await nativePrincipal(deps, caller, repo, 'read');
  await loadRepo(deps, repo);
  const name = checkName(urlName);
  const doc = readPublishDocument(body);
  // A tarball publishes; a document without one (deprecate) or with a revision (unpublish) changes versions.
  const publishing = Object.keys(doc.tarballs).length > 0;
  if (publishing) requirePermission(deps, who, repo, 'push');
  if (rev !== undefined || !publishing) requirePermission(deps, who, repo, 'yank');
  if (doc.name !== name) throw badRequest(NpmCodes.NAME_MISMATCH, `the document is for ${JSON.stringify(doc.name)} but was sent to ${JSON.stringify(name)}`);
  const state = await loadState(deps, repo, name);
  if (rev !== undefined) {
    if (state.records.length === 0) throw packageNotFound(name, repo);
    const current = packumentRev(state.live.map((r) => r.version));
    if (rev !== current) {
      throw conflict(NpmCodes.STALE_REVISION, `${name} changed since revision ${rev} was read (it is now ${current}); run the command again`);
    }
  }

  const upload = await rejectionsAudited(deps, who, repo, `${name}@${Object.keys(doc.versions).join(',')}`, async () => pickUpload(doc, state));
  // Versions sent back must be the published ones; only their deprecation may change.
  const deprecations: { record: PackageRecord; message: string | undefined }[] = [];
  for (const [version, sent] of Object.entries(doc.versions)) {
    const record = state.byVersion.get(version);
    if (!record || version === upload?.version) continue;
    if (record.yanked) {
      throw conflict(NpmCodes.VERSION_UNPUBLISHED, `${name}@${version} was unpublished; a version number cannot be used again`);
    }
    const changed = changedFields(readFragment(record.fragment).manifest, sent);
    if (changed.length) {
      throw conflict(NpmCodes.VERSION_IMMUTABLE, `${name}@${version} is published and cannot be changed (${changed.join(', ')} differ); publish a new version instead`);
    }
    const message = sentDeprecation(sent);
    if (message !== record.deprecated) deprecations.push({ record, message });
  }
  const removed = rev === undefined ? [] : state.live.filter((r) => !(r.version in doc.versions));
  // A publish may carry the whole packument (npm's retry): changing other versions still takes `yank`.
  if (deprecations.length || removed.length) requirePermission(deps, who, repo, 'yank');
  // `npm publish --tag beta` sends {"beta": version}; tags naming other versions are the client's stale view.
  const newTags = upload ? Object.keys(doc.distTags).filter((t) => doc.distTags[t] === upload.version).map(checkTag) : [];

  let published: PackageRecord | undefined;
  if (upload) {
    published = await rejectionsAudited(deps, who, repo, upload.file, () =>
      ingestPackage(deps, {
        repo,
        distribution: FORMAT,
        bytes: upload.bytes,
        filename: upload.file,
        declared: { name, version: upload.version },
        actor: who.user,
        sourceIp: who.sourceIp,
      }),
    );
  }
  for (const { record, message } of deprecations) {
    await deps.meta.updatePackage(repo, record.id, { deprecated: message ?? null });
    await audit(deps, actorOf(who), repo, 'package.deprecated', record.id, { name, version: record.version, message: message ?? '' });
  }
  for (const record of removed) await yank(deps, who, repo, record, 'npm unpublish');

  const live = new Set([...state.live.filter((r) => !removed.includes(r)).map((r) => r.version), ...(published ? [published.version] : [])]);
  let tags = state.tags;
  if (published) {
    const version = published.version;
    for (const tag of newTags) tags[tag] = version;
    tags = retag(tags, live);
    for (const tag of newTags) await audit(deps, actorOf(who), repo, 'package.tagged', published.id, { name, version, tag });
  }
  if (removed.length) tags = retag(tags, live, doc.distTags.latest);
  if (published || removed.length) await deps.meta.putAttributes(repo, FORMAT, name, tags);
  if (deprecations.length || removed.length || published) await enqueueRebuild(deps, repo, name);
  return { ...(published ? { published: published.version } : {}), rev: packumentRev(live) };
}

/** Runs one step of a publish; a refusal is recorded in the audit log, as for uploads through the API. */
async function rejectionsAudited<T>(deps: AppDeps, who: Principal, repo: string, target: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (isPackyardError(e) && e.expose) await audit(deps, actorOf(who), repo, 'package.rejected', target, { code: e.code });
    throw e;
  }
}

/** The new version a document publishes and its verified tarball, or undefined when it publishes none. */
function pickUpload(doc: PublishDocument, state: PackageState): { version: string; file: string; bytes: Buffer } | undefined {
  const versions = Object.keys(doc.versions);
  const fresh = versions.filter((v) => !state.byVersion.has(v));
  const files = Object.keys(doc.tarballs);
  for (const file of files) {
    const version = attachmentVersion(doc.name, file, versions);
    const record = version === undefined ? undefined : state.byVersion.get(version);
    if (record?.yanked) throw conflict(NpmCodes.VERSION_UNPUBLISHED, `${doc.name}@${version} was unpublished; a version number cannot be used again`);
    if (record) throw conflict(NpmCodes.VERSION_EXISTS, `cannot publish over the previously published version ${doc.name}@${version}`);
  }
  if (fresh.length === 0) {
    if (files.length) throw badRequest(NpmCodes.BAD_DOCUMENT, `the attachment ${JSON.stringify(files[0])} belongs to no version of the document`);
    return undefined;
  }
  if (fresh.length > 1) throw badRequest(NpmCodes.BAD_DOCUMENT, `publish one version at a time (the document adds ${fresh.join(', ')})`);
  const version = fresh[0];
  const named = files.filter((f) => attachmentVersion(doc.name, f, [version]) === version);
  const file = named[0] ?? (files.length === 1 ? files[0] : undefined);
  if (!file) throw badRequest(NpmCodes.MISSING_ATTACHMENT, `${doc.name}@${version} is new but the document carries no tarball for it`);
  if (files.length > 1) throw badRequest(NpmCodes.BAD_DOCUMENT, 'the document carries more than one tarball');
  const bytes = verifyAttachment(file, doc.tarballs[file], doc.versions[version].dist);
  if (!isGzip(bytes)) throw badRequest(NpmCodes.NOT_GZIP, 'the package tarball is not gzip-compressed (npm packages are .tgz files made by npm pack)');
  return { version, file, bytes };
}

/** `DELETE /{name}/-rev/{rev}` (`npm unpublish pkg --force`): every version is unpublished; the numbers stay used. */
export async function unpublishPackage(deps: AppDeps, caller: NativeCaller, repo: string, urlName: string, rev: string): Promise<void> {
  const who = await nativePrincipal(deps, caller, repo, 'yank');
  await loadRepo(deps, repo);
  const name = checkName(urlName);
  const state = await loadState(deps, repo, name);
  if (state.records.length === 0) throw packageNotFound(name, repo);
  const current = packumentRev(state.live.map((r) => r.version));
  if (rev !== current) throw conflict(NpmCodes.STALE_REVISION, `${name} changed since revision ${rev} was read (it is now ${current}); run the command again`);
  for (const record of state.live) await yank(deps, who, repo, record, 'npm unpublish');
  await deps.meta.putAttributes(repo, FORMAT, name, {});
  await enqueueRebuild(deps, repo, name);
}

/**
 * `DELETE /{name}/-/{file}/-rev/{rev}`, the last step of `npm unpublish pkg@ver`: the version was left out of
 * the packument just before; its record stays (yanked), so the number can never be published again. The
 * revision is not checked: npm reads it from a packument that may not show the previous step yet.
 */
export async function deleteTarball(deps: AppDeps, caller: NativeCaller, repo: string, urlName: string, file: string): Promise<void> {
  const who = await nativePrincipal(deps, caller, repo, 'yank');
  await loadRepo(deps, repo);
  const name = checkName(urlName);
  const state = await loadState(deps, repo, name);
  const record = state.records.find((r) => r.filename === file);
  if (!record) throw notFound(NpmCodes.VERSION_NOT_FOUND, `${name} has no tarball ${file}`);
  if (record.yanked) return;
  await yank(deps, who, repo, record, 'npm unpublish');
  const live = new Set(state.live.filter((r) => r !== record).map((r) => r.version));
  await deps.meta.putAttributes(repo, FORMAT, name, retag(state.tags, live));
  await enqueueRebuild(deps, repo, name);
}

/** `PUT /-/package/{name}/dist-tags/{tag}` with a JSON string body: points a tag at a published version. */
export async function addDistTag(deps: AppDeps, caller: NativeCaller, repo: string, urlName: string, tag: string, body: Uint8Array): Promise<Record<string, string>> {
  const who = await nativePrincipal(deps, caller, repo, 'push');
  await loadRepo(deps, repo);
  const name = checkName(urlName);
  checkTag(tag);
  let sent: unknown;
  try {
    sent = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw badRequest(NpmCodes.BAD_DOCUMENT, 'the body must be the version as a JSON string, such as "1.2.3"');
  }
  const version = canonicalVersion(sent);
  if (typeof sent !== 'string' || version === undefined) {
    throw badRequest(NpmCodes.INVALID_VERSION, `invalid version ${JSON.stringify(sent)}: a dist-tag points at one version, such as "1.2.3"`);
  }
  const state = await loadState(deps, repo, name);
  if (state.records.length === 0) throw packageNotFound(name, repo);
  const record = state.byVersion.get(version);
  if (!record || record.yanked) throw notFound(NpmCodes.VERSION_NOT_FOUND, `${name}@${version} is not published in ${repo}`);
  const tags = retag({ ...state.tags, [tag]: version }, new Set(state.live.map((r) => r.version)));
  await deps.meta.putAttributes(repo, FORMAT, name, tags);
  await audit(deps, actorOf(who), repo, 'package.tagged', record.id, { name, version, tag });
  await enqueueRebuild(deps, repo, name);
  return tags;
}

/** `DELETE /-/package/{name}/dist-tags/{tag}`; `latest` stays (npm resolves a bare name through it). */
export async function removeDistTag(deps: AppDeps, caller: NativeCaller, repo: string, urlName: string, tag: string): Promise<Record<string, string>> {
  const who = await nativePrincipal(deps, caller, repo, 'push');
  await loadRepo(deps, repo);
  const name = checkName(urlName);
  if (tag === 'latest') {
    throw badRequest(NpmCodes.LATEST_REQUIRED, 'the latest tag cannot be removed; point it at another version with npm dist-tag add');
  }
  const state = await loadState(deps, repo, name);
  if (state.records.length === 0) throw packageNotFound(name, repo);
  if (!(tag in state.tags)) throw notFound(NpmCodes.TAG_NOT_FOUND, `${tag} is not a dist-tag of ${name}`);
  const { [tag]: version, ...rest } = state.tags;
  const tags = retag(rest, new Set(state.live.map((r) => r.version)));
  await deps.meta.putAttributes(repo, FORMAT, name, tags);
  await audit(deps, actorOf(who), repo, 'package.tagged', name, { name, version, tag, removed: true });
  await enqueueRebuild(deps, repo, name);
  return tags;
}

/** `npm whoami`: the token's user; anonymous callers are asked to authenticate. */
export async function whoami(deps: AppDeps, caller: NativeCaller, repo: string): Promise<string> {
  const who = await nativeReader(deps, caller, repo);
  if (!who) throw unauthorized();
  return who.user;
}

/** `npm ping`: the registry answers whoever may read the repository. */
export async function ping(deps: AppDeps, caller: NativeCaller, repo: string): Promise<void> {
  await nativeReader(deps, caller, repo);
}

