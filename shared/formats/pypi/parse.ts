import { badRequest } from '../../domain/errors';
import type { ParseContext, ParsedPackage } from '../format';
import { PypiCodes } from './codes';
import { parseCoreMetadata, type CoreMetadata } from './core-metadata';
import { parseDistFilename, sdistSplits, type DistFilename } from './filename';
import { ARCHIVE_LIMITS, type ArchiveLimits } from './limits';
import { normalizeName } from './name';
import { readSdist } from './sdist';
import { normalizeVersion } from './version';
import { readWheel } from './wheel';

/** What the index needs beyond name and version, kept in ParsedPackage.metadata. */
export interface DistInfo {
  filename: string;
  kind: 'wheel' | 'sdist';
  /** The project name as its metadata spells it (`Foo.Bar`), shown in the project list. */
  displayName: string;
  /** The version as its metadata spells it. */
  versionText: string;
  metadataVersion: string;
  summary?: string;
  requiresPython?: string;
}

const MAX_SUMMARY = 512;

/** Both spellings name the same project and version (PEP 503 names, PEP 440 versions). */
const sameName = (a: string, b: string) => normalizeName(a) === normalizeName(b);
const sameVersion = (a: string, b: string) => {
  const na = normalizeVersion(a);
  return na !== undefined && na === normalizeVersion(b);
};

/**
 * Validates a wheel or an sdist: its file name, the archive (paths, bombs), its core metadata, and that the
 * name and version agree between the file name, the metadata, the wheel's .dist-info folder and what the
 * client declared (twine's form fields). The identity is (normalised name, normalised version, the wheel's
 * tags or `sdist`), so a release holds one sdist and one wheel per tag set, as on PyPI.
 */
export async function parsePypiPackage(bytes: Uint8Array, ctx: ParseContext, limits: ArchiveLimits = ARCHIVE_LIMITS): Promise<ParsedPackage> {
  const filename = ctx.filename ?? '';
  if (filename === '') throw badRequest(PypiCodes.MISSING_FILENAME, 'a Python distribution needs its file name (e.g. foo-1.0-py3-none-any.whl or foo-1.0.tar.gz)');
  const file = parseDistFilename(filename);
  let meta: CoreMetadata;
  let metadataBytes: Uint8Array | undefined;
  if (file.kind === 'wheel') {
    const wheel = readWheel(bytes, limits);
    meta = parseCoreMetadata(wheel.metadata, `${wheel.distInfo}/METADATA`);
    checkFilename(file, meta);
    const stem = wheel.distInfo.slice(0, -'.dist-info'.length);
    if (!sdistSplits(stem).some((s) => sameName(s.name, meta.name) && sameVersion(s.version, meta.version))) {
      throw badRequest(PypiCodes.FILENAME_MISMATCH, `the wheel's metadata folder ${wheel.distInfo} does not match ${meta.name} ${meta.version} from its METADATA`);
    }
    metadataBytes = wheel.metadata;
  } else {
    meta = parseCoreMetadata(await readSdist(bytes, file.stem, limits), `${file.stem}/PKG-INFO`);
    checkFilename(file, meta);
  }
  checkDeclared(ctx, meta);
  const info: DistInfo = {
    filename,
    kind: file.kind,
    displayName: meta.name,
    versionText: meta.version,
    metadataVersion: meta.metadataVersion,
    ...(meta.summary ? { summary: meta.summary.slice(0, MAX_SUMMARY) } : {}),
    ...(meta.requiresPython ? { requiresPython: meta.requiresPython } : {}),
  };
  return {
    name: normalizeName(meta.name),
    version: normalizeVersion(meta.version)!,
    arch: file.kind === 'wheel' ? [file.build, file.tags].filter((p) => p !== undefined).join('-') : 'sdist',
    metadata: { ...info },
    ...(metadataBytes ? { extras: { metadata: metadataBytes } } : {}),
  };
}

function checkFilename(file: DistFilename, meta: CoreMetadata): void {
  const agrees =
    file.kind === 'wheel'
      ? sameName(file.name, meta.name) && sameVersion(file.version, meta.version)
      : sdistSplits(file.stem).some((s) => sameName(s.name, meta.name) && sameVersion(s.version, meta.version));
  if (!agrees) {
    throw badRequest(PypiCodes.FILENAME_MISMATCH, `the file name ${JSON.stringify(file.filename)} does not match the metadata, which says ${meta.name} ${meta.version}`);
  }
}

/** twine sends name and version as form fields; the presigned path may send none. */
function checkDeclared(ctx: ParseContext, meta: CoreMetadata): void {
  const name = ctx.declared?.name?.trim();
  if (name && !sameName(name, meta.name)) {
    throw badRequest(PypiCodes.NAME_MISMATCH, `the upload names the project ${JSON.stringify(name)}, but the file's metadata says ${JSON.stringify(meta.name)}`);
  }
  const version = ctx.declared?.version?.trim();
  if (version && !sameVersion(version, meta.version)) {
    throw badRequest(PypiCodes.VERSION_MISMATCH, `the upload declares version ${JSON.stringify(version)}, but the file's metadata says ${JSON.stringify(meta.version)}`);
  }
}

/** The DistInfo a parse stored in metadata. */
export function readDistInfo(pkg: ParsedPackage): DistInfo {
  const m = pkg.metadata;
  return {
    filename: m.filename,
    kind: m.kind === 'wheel' ? 'wheel' : 'sdist',
    displayName: m.displayName,
    versionText: m.versionText,
    metadataVersion: m.metadataVersion,
    ...(m.summary ? { summary: m.summary } : {}),
    ...(m.requiresPython ? { requiresPython: m.requiresPython } : {}),
  };
}
