import { badRequest } from '../../domain/errors';
import { readChangelogs } from './changelog';
import { RpmCodes } from './codes';
import { readDependencies } from './dependencies';
import { evrPartProblem } from './evr';
import { readFiles } from './files';
import type { RpmPackageInfo } from './model';
import type { RpmFile } from './package-file';
import { SigTag, Tag } from './tags';

/** rpmbuild's Name characters (rpmCharCheck: alphanumerics and `-._+`), starting with an alphanumeric or `_`. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,254}$/;
const ARCH = /^[A-Za-z0-9_]{1,32}$/;
/** Arch names that mean something else in the repository layout. */
const RESERVED_ARCHES: ReadonlySet<string> = new Set(['src', 'nosrc', 'SRPMS']);
const REQUIRED_TAGS = [
  ['NAME', Tag.NAME],
  ['VERSION', Tag.VERSION],
  ['RELEASE', Tag.RELEASE],
  ['ARCH', Tag.ARCH],
] as const;

/** Reads and validates what repodata needs from a structurally valid, integrity-checked package. */
export function extractInfo(rpm: RpmFile, payloadCompressor: string): RpmPackageInfo {
  const h = rpm.header;
  for (const [label, tag] of REQUIRED_TAGS) {
    if (!h.has(tag)) throw badRequest(RpmCodes.MISSING_TAG, `the package header has no ${label} tag`);
  }
  const text = (tag: number) => h.string(tag) ?? '';
  const name = text(Tag.NAME);
  if (!NAME.test(name)) {
    throw badRequest(RpmCodes.INVALID_NAME, `the package name ${JSON.stringify(name)} is not valid: use letters, digits and "-._+", starting with a letter, digit or "_"`);
  }
  const ver = text(Tag.VERSION);
  const rel = text(Tag.RELEASE);
  const problem = evrPartProblem('version', ver) ?? evrPartProblem('release', rel);
  if (problem) throw badRequest(RpmCodes.INVALID_EVR, problem);
  const epochs = h.numbers(Tag.EPOCH);
  if (epochs && epochs.length !== 1) throw badRequest(RpmCodes.INVALID_EVR, `the package has ${epochs.length} epochs`);
  // rpm stores the epoch as a 32-bit integer but compares it signed; dnf refuses negative ones.
  if (epochs && epochs[0] > 0x7fffffff) throw badRequest(RpmCodes.INVALID_EVR, `the epoch ${epochs[0]} is out of range (at most ${0x7fffffff})`);

  // rpm's own test (headerIsSource): a binary package records the source package it was built from.
  const isSource = !h.has(Tag.SOURCERPM);
  const headerArch = text(Tag.ARCH);
  if (!ARCH.test(headerArch) || (!isSource && RESERVED_ARCHES.has(headerArch))) {
    throw badRequest(RpmCodes.INVALID_ARCH, `the architecture ${JSON.stringify(headerArch)} is not valid: use 1-32 letters, digits or "_" (not src, nosrc or SRPMS)`);
  }
  const source = isSource ? (h.has(Tag.NOSOURCE) || h.has(Tag.NOPATCH) ? 'nosrc' : 'src') : undefined;

  const files = readFiles(h, isSource);
  const deps = readDependencies(h, new Set(files.map((f) => f.path)));
  const sig = rpm.signature;
  return {
    name,
    arch: source ? 'src' : headerArch,
    ...(source ? { source } : {}),
    epoch: String(epochs?.[0] ?? 0),
    ver,
    rel,
    summary: text(Tag.SUMMARY),
    description: text(Tag.DESCRIPTION),
    packager: text(Tag.PACKAGER),
    url: text(Tag.URL),
    license: text(Tag.LICENSE),
    vendor: text(Tag.VENDOR),
    group: text(Tag.GROUP),
    buildhost: text(Tag.BUILDHOST),
    sourcerpm: text(Tag.SOURCERPM),
    buildTime: h.number(Tag.BUILDTIME) ?? 0,
    installedSize: h.number(Tag.LONGSIZE) ?? h.number(Tag.SIZE) ?? 0,
    // rpm moved the archive size into the signature header; createrepo_c reads whichever is there.
    archiveSize: h.number(Tag.ARCHIVESIZE) ?? sig.number(SigTag.PAYLOADSIZE) ?? sig.number(SigTag.LONGARCHIVESIZE) ?? 0,
    headerStart: h.start,
    headerEnd: h.end,
    payloadCompressor,
    deps,
    files,
    changelogs: readChangelogs(h),
  };
}
