import { badRequest } from '../../domain/errors';
import { ApkCodes } from './codes';
import { type PkgInfo, single } from './pkginfo';
import { apkVersionProblem } from './version';

export const REQUIRED_FIELDS = ['pkgname', 'pkgver', 'arch'] as const;

// apk-tools accepts these characters in names; the caps keep storage keys short.
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_+.-]*$/;
const ARCH = /^[a-z0-9_]+$/;
const MAX_NAME = 128;
const MAX_ARCH = 32;
/** Fields that must be whole numbers when present. */
const NUMERIC = ['size', 'builddate', 'provider_priority'] as const;

export interface ApkIdentity {
  name: string;
  version: string;
  arch: string;
}

/** Checks the fields every package needs and returns its identity. */
export function validatePkgInfo(info: PkgInfo): ApkIdentity {
  for (const f of REQUIRED_FIELDS) {
    const value = single(info, f);
    if (value === undefined || value.trim() === '') throw badRequest(ApkCodes.MISSING_FIELD, `.PKGINFO has no ${f}`);
  }
  const name = single(info, 'pkgname') ?? '';
  const version = single(info, 'pkgver') ?? '';
  const arch = single(info, 'arch') ?? '';
  if (!NAME.test(name) || name.length > MAX_NAME) {
    throw badRequest(ApkCodes.INVALID_NAME, `invalid package name ${JSON.stringify(name)}: 1-${MAX_NAME} characters of A-Z, a-z, 0-9, "_", "+", "." and "-", not starting with "+", "." or "-"`);
  }
  const problem = apkVersionProblem(version);
  if (problem) throw badRequest(ApkCodes.INVALID_VERSION, `invalid version ${JSON.stringify(version)}: ${problem}`);
  if (!ARCH.test(arch) || arch.length > MAX_ARCH) {
    throw badRequest(ApkCodes.INVALID_ARCH, `invalid architecture ${JSON.stringify(arch)}: expected one name such as x86_64, aarch64 or noarch`);
  }
  for (const f of NUMERIC) {
    const value = single(info, f);
    if (value !== undefined && !/^-?[0-9]+$/.test(value)) throw badRequest(ApkCodes.BAD_PKGINFO, `.PKGINFO ${f} must be a whole number (got ${JSON.stringify(value)})`);
  }
  return { name, version, arch };
}
