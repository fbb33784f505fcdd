import { createHash } from 'node:crypto';
import { LIMITS } from '../config';
import { parseDistribution, type Distribution } from '../domain/distribution';
import { isPackyardError } from '../domain/errors';
import { CACHE_IMMUTABLE, CACHE_INDEX } from '../domain/package';
import { CATALOG_SCOPE, type PublishedFile } from '../formats/format';
import { formatById } from '../formats/registry';
import type { RebuildRequest } from '../ports/rebuild-queue';
import { openPrivateKey } from '../signing/envelope';
import { createSigner } from '../signing/openpgp';
import { loadApkKey, openApkSigner, publishApkPublicKey } from './apk-key';
import type { AppDeps } from './deps';
import { keyContext } from './repos';
import { activeSigningKeys, publishSigningKeys } from './signing-keys';

export interface RebuildResult {
  repo: string;
  format: string;
  scope: string;
  members: number;
  files: number;
  pruned: number;
  revision: number;
}


/**
 * Renders and publishes every index file of one scope from the stored fragments (no package file is read):
 * content and by-hash files first, signed top-level files last, then prunes by-hash files that are no longer
 * referenced and older than the grace period. Idempotent.
 */
export async function rebuildIndex(deps: AppDeps, req: RebuildRequest): Promise<RebuildResult | undefined> {
  const repo = await deps.meta.getRepo(req.repo);
  if (!repo) return undefined; // deleted since the request was queued
  const format = formatById(req.format);
  const keys = await activeSigningKeys(deps, repo.name);
  const catalog = req.scope === CATALOG_SCOPE;
  if (catalog && !format.catalog) return undefined;
  const members = catalog ? await deps.meta.listFormat(repo.name, format.id) : await deps.meta.listScope(repo.name, format.id, req.scope);
  const attributes = catalog ? {} : await deps.meta.getAttributes(repo.name, format.id, req.scope);
  const signer = await createSigner(await Promise.all(keys.map((k) => openPrivateKey(deps.keys, k, keyContext(repo.name)))));
  const apkKey = format.id === 'apk' ? await loadApkKey(deps, repo.name) : undefined;
  if (apkKey) signer.apk = await openApkSigner(deps, apkKey);
  const now = deps.clock.now();
  const rendered = await format.render(
    {
      repo: repo.name,
      scope: req.scope,
      distribution: scopeDistribution(req.scope),
      members: members.map((m) => ({
        name: m.name,
        version: m.version,
        arch: m.arch,
        fragment: m.fragment,
        uploadedAt: m.uploadedAt,
        ...(m.yanked ? { yanked: m.yanked } : {}),
        ...(m.deprecated ? { deprecated: m.deprecated } : {}),
      })),
      now,
      baseUrl: deps.publicBaseUrl,
      ...(Object.keys(attributes).length ? { attributes } : {}),
    },
    signer,
  );

  // Content files under the format's content-addressed prefixes (by-hash/, hash-named repodata) never change.
  const contentKeys = new Set(rendered.content.map((f) => f.key));
  const isContentAddressed = (key: string) => contentKeys.has(key) && rendered.byHashPrefixes.some((p) => key.startsWith(p));
  const write = async (f: PublishedFile) => {
    const immutable = isContentAddressed(f.key);
    // A content-addressed file that is already there intact needs no rewrite (S3's ETag of a single-part,
    // SSE-S3 object is its MD5); one that was damaged is repaired.
    if (immutable && (await deps.packages.head(f.key))?.etag === `"${createHash('md5').update(f.body).digest('hex')}"`) return;
    await deps.packages.put(f.key, f.body, { contentType: f.contentType, cacheControl: f.cacheControl ?? (immutable ? CACHE_IMMUTABLE : CACHE_INDEX) });
  };
  await inBatches(rendered.content, 8, write);
  const previous = await deps.meta.getScopeState(repo.name, format.id, req.scope);
  await nextSecondAfter(deps, previous?.publishedAt);
  for (const f of rendered.top) await write(f);
  await publishSigningKeys(deps, repo.name, keys);
  if (apkKey) await publishApkPublicKey(deps, apkKey);

  const cutoff = now.getTime() - LIMITS.byHashGraceSeconds * 1000;
  let pruned = 0;
  for (const prefix of rendered.byHashPrefixes) {
    for (const blob of await deps.packages.list(prefix)) {
      if (!contentKeys.has(blob.key) && blob.lastModified.getTime() < cutoff) {
        await deps.packages.delete(blob.key);
        pruned++;
      }
    }
  }

  const revision = (previous?.revision ?? 0) + 1;
  await deps.meta.putScopeState({ repo: repo.name, format: format.id, scope: req.scope, revision, publishedAt: deps.clock.now().toISOString() });
  // Edge caches may hold the previous mutable files; a by-hash name never changes content.
  await deps.cdn?.invalidate([...rendered.content, ...rendered.top].map((f) => f.key).filter((k) => !isContentAddressed(k)));
  return { repo: repo.name, format: format.id, scope: req.scope, members: members.length, files: rendered.content.length + rendered.top.length, pruned, revision };
}

/**
 * HTTP dates have one-second resolution: a client that fetched the previous top-level file in the same
 * second would be told 304 Not Modified (apt sends If-Modified-Since). So a new publication never lands in
 * the same second as the previous one.
 */
async function nextSecondAfter(deps: Pick<AppDeps, 'clock'>, previous: string | undefined): Promise<void> {
  if (!previous) return;
  const prevSecond = Math.floor(Date.parse(previous) / 1000);
  const now = deps.clock.now().getTime();
  if (Math.floor(now / 1000) <= prevSecond) await new Promise((r) => setTimeout(r, (prevSecond + 1) * 1000 - now + 5));
}

/** Scopes of OS formats are distributions (`debian/bookworm`); other formats' scopes are not. */
function scopeDistribution(scope: string): Distribution | undefined {
  try {
    return parseDistribution(scope);
  } catch (e) {
    if (isPackyardError(e)) return undefined;
    throw e;
  }
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
