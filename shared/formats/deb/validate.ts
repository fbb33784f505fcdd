import { badRequest } from '../../domain/errors';
import { DebCodes } from './codes';
import { type Field, fieldValue } from './control';
import { parseVersion } from './version';

export const REQUIRED_FIELDS = ['Package', 'Version', 'Architecture', 'Maintainer', 'Description'] as const;

// Debian policy 5.6.1 and 5.6.8; the length caps keep storage keys well inside S3's 1024-byte limit.
const NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const ARCH = /^[a-z0-9][a-z0-9-]*$/;
const MAX_NAME = 128;
const MAX_VERSION = 128;
const MAX_ARCH = 32;

export interface DebIdentity {
  name: string;
  version: string;
  arch: string;
}

/** Checks the fields every binary package needs and returns the package's identity. */
export function validateControl(fields: readonly Field[]): DebIdentity {
  for (const f of REQUIRED_FIELDS) {
    const value = fieldValue(fields, f);
    if (value === undefined) throw badRequest(DebCodes.MISSING_FIELD, `the control file has no ${f} field`);
    if (value.trim() === '') throw badRequest(DebCodes.MISSING_FIELD, `the control file's ${f} field is empty`);
  }
  const name = fieldValue(fields, 'Package') ?? '';
  const version = fieldValue(fields, 'Version') ?? '';
  const arch = fieldValue(fields, 'Architecture') ?? '';

  if (!NAME.test(name) || name.length > MAX_NAME) {
    throw badRequest(
      DebCodes.INVALID_NAME,
      `invalid package name ${JSON.stringify(name)}: Debian names are 2-${MAX_NAME} characters of a-z, 0-9, "+", "-" and ".", starting with a letter or digit`,
    );
  }
  const parsed = parseVersion(version);
  if (typeof parsed === 'string') throw badRequest(DebCodes.INVALID_VERSION, `invalid version ${JSON.stringify(version)}: ${parsed}`);
  if (version.length > MAX_VERSION) throw badRequest(DebCodes.INVALID_VERSION, `invalid version: longer than ${MAX_VERSION} characters`);
  if (!ARCH.test(arch) || arch.length > MAX_ARCH) {
    throw badRequest(
      DebCodes.INVALID_ARCH,
      `invalid architecture ${JSON.stringify(arch)}: expected one architecture name such as amd64, arm64 or all (a-z, 0-9 and "-")`,
    );
  }
  // `any` is a source-package wildcard; a built package names the architecture it was built for.
  if (arch === 'any') throw badRequest(DebCodes.INVALID_ARCH, 'invalid architecture "any": a binary package must name a concrete architecture or "all"');
  return { name, version, arch };
}
