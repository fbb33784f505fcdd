import { badRequest, Codes, conflict, isPackyardError, notFound } from '../../domain/errors';
import type { PackageRecord, PackageSummary } from '../../domain/package';
import { PypiCodes } from '../../formats/pypi/codes';
import { PYPI, pypiFormat } from '../../formats/pypi';
import { parseDistFilename } from '../../formats/pypi/filename';
import { isValidName, normalizeName } from '../../formats/pypi/name';
import { checkUploadForm, type UploadForm } from '../../formats/pypi/upload-form';
import { comparePep440, parseVersion } from '../../formats/pypi/version';
import { actorOf, audit } from '../audit';
import type { AppDeps } from '../deps';
import { rebuildRequests } from '../ingest';
import { nativePrincipal, type NativeCaller } from '../native';
import { parseMultipart } from '../../http/multipart';
import { uploadPackage } from '../packages';

/**
 * `twine upload`: one wheel or sdist per request, checked against the form twine sent (action, filetype,
 * digests, name and version), then the same ingest as every upload, answered synchronously.
 */
export async function uploadPypiFile(deps: AppDeps, caller: NativeCaller, repo: string, body: Buffer, contentType: string | undefined): Promise<PackageSummary> {
  // Credentials first: an anonymous client learns nothing about its form.
  const principal = await nativePrincipal(deps, caller, repo, 'push');
  let form: UploadForm | undefined;
  let upload: ReturnType<typeof checkUploadForm>;
  try {
    form = await parseMultipart(body, contentType);
    upload = checkUploadForm(form);
  } catch (e) {
    if (isPackyardError(e)) await audit(deps, actorOf(principal), repo, 'package.rejected', form?.files[0]?.filename ?? '', { code: e.code });
    throw e;
  }
  try {
    return await uploadPackage(deps, principal, repo, {
      bytes: upload.bytes,
      filename: upload.filename,
      distribution: PYPI,
      declared: { name: upload.name, version: upload.version },
    });
  } catch (e) {
    // Same code and status; the message names the file, which is what twine's user knows.
    if (isPackyardError(e) && e.code === Codes.PACKAGE_EXISTS) {
      throw conflict(Codes.PACKAGE_EXISTS, `File already exists: ${upload.filename} (${repo} already holds this file or another with the same project, version and ${/\.whl$/.test(upload.filename) ? 'wheel tags' : 'kind (one sdist per release)'}; released files cannot be replaced)`, e.details);
    }
    throw e;
  }
}

export interface PypiYank {
  project: string;
  /** A version (every file of the release, as PyPI yanks) or one file name. */
  target: string;
  /** PEP 592's reason, shown by pip when it installs a yanked file pinned with `==`. */
  reason?: string;
  /** Unyank instead. */
  undo?: boolean;
}

export interface PypiYankResult {
  project: string;
  /** The files now yanked (or unyanked). */
  files: string[];
}

const MAX_REASON = 1024;

/**
 * PEP 592 yank (PyPI has no client command for it): the files stay recorded and downloadable, but pip
 * skips them unless a requirement pins their version with `==` or `===`. Unyank undoes it.
 */
export async function yankPypi(deps: AppDeps, caller: NativeCaller, repo: string, input: PypiYank): Promise<PypiYankResult> {
  const principal = await nativePrincipal(deps, caller, repo, 'yank');
  if (!isValidName(input.project)) throw badRequest(PypiCodes.INVALID_NAME, `invalid project name ${JSON.stringify(input.project)}`);
  const project = normalizeName(input.project);
  const reason = input.reason?.trim().slice(0, MAX_REASON);
  const byFile = /\.(whl|tar\.gz)$/.test(input.target);
  if (byFile) parseDistFilename(input.target);
  const version = byFile ? undefined : parseVersion(input.target);
  if (!byFile && version === undefined) {
    throw badRequest(PypiCodes.INVALID_VERSION, `${JSON.stringify(input.target)} is neither a PEP 440 version nor a wheel or sdist file name`);
  }
  const members = await deps.meta.listScope(repo, pypiFormat.id, project);
  // A release is a version as pip compares them: 1.0 and 1.0.0 are one release.
  const sameRelease = (v: string) => version !== undefined && parseVersion(v) !== undefined && comparePep440(parseVersion(v)!, version) === 0;
  const chosen = members.filter((m) => (byFile ? m.filename === input.target : sameRelease(m.version)));
  if (chosen.length === 0) {
    throw notFound(Codes.PACKAGE_NOT_FOUND, `${input.project} ${input.target} does not exist in ${repo}`);
  }
  const yanked = input.undo ? null : { at: deps.clock.now().toISOString(), ...(reason ? { reason } : {}) };
  const changed: PackageRecord[] = [];
  for (const m of chosen) {
    // Yanking again replaces the reason; unyanking a file that is not yanked changes nothing.
    if (input.undo && !m.yanked) continue;
    changed.push(await deps.meta.updatePackage(repo, m.id, { yanked }));
  }
  if (changed.length > 0) await deps.queue.enqueue(rebuildRequests(repo, pypiFormat, project));
  for (const m of changed) {
    await audit(deps, actorOf(principal), repo, input.undo ? 'package.unyanked' : 'package.yanked', m.id, {
      name: m.name,
      version: m.version,
      filename: m.filename,
      ...(reason && !input.undo ? { reason } : {}),
    });
  }
  return { project, files: chosen.map((m) => m.filename).sort() };
}
