import { badRequest } from '../../domain/errors';
import type { ParseContext, ParsedPackage } from '../format';
import { FileCodes } from './codes';
import { nameAndVersionFromFilename } from './from-filename';
import { isSemver } from './semver';

// URL- and key-safe; '#' and '/' would break the package id and the layout. Caps keep S3 keys short.
const FILENAME = /^[A-Za-z0-9_][A-Za-z0-9._+~-]*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const MAX_FILENAME = 200;
const MAX_NAME = 100;
const MAX_VERSION = 128;

/**
 * A generic file takes any bytes; its identity is (name, version, file name), declared by the client or
 * read from a file name that carries a semantic version. The file name is the third identity component,
 * so one version can hold a file per platform.
 */
export function parseGenericFile(ctx: ParseContext): ParsedPackage {
  const filename = ctx.filename ?? '';
  if (filename === '') throw badRequest(FileCodes.MISSING_FILENAME, 'a generic file needs a file name');
  if (!FILENAME.test(filename) || filename.length > MAX_FILENAME) {
    throw badRequest(
      FileCodes.INVALID_FILENAME,
      `invalid file name ${JSON.stringify(filename)}: up to ${MAX_FILENAME} characters of A-Z, a-z, 0-9, ".", "_", "+", "~" and "-", starting with a letter, digit or "_"`,
    );
  }
  const fromName = nameAndVersionFromFilename(filename);
  const name = nonEmpty(ctx.declared?.name) ?? fromName.name;
  const version = nonEmpty(ctx.declared?.version) ?? fromName.version;
  if (name === undefined) {
    throw badRequest(FileCodes.MISSING_NAME, `no package name: pass one (--name, or the "name" field), or use a file name such as tool-1.2.3-linux-amd64.tar.gz (got ${JSON.stringify(filename)})`);
  }
  if (!NAME.test(name) || name.length > MAX_NAME) {
    throw badRequest(FileCodes.INVALID_NAME, `invalid package name ${JSON.stringify(name)}: up to ${MAX_NAME} characters of A-Z, a-z, 0-9, ".", "_", "+" and "-", starting with a letter or digit`);
  }
  if (version === undefined) {
    throw badRequest(FileCodes.MISSING_VERSION, `no version for ${JSON.stringify(filename)}: pass one (--version, or the "version" field), or use a file name carrying a semantic version such as ${name}-1.2.3.tar.gz`);
  }
  if (!isSemver(version) || version.length > MAX_VERSION) {
    const hint = /^v\d/.test(version) ? ` (drop the leading "v": ${JSON.stringify(version.slice(1))})` : '';
    throw badRequest(FileCodes.INVALID_VERSION, `invalid version ${JSON.stringify(version)}: expected a semantic version MAJOR.MINOR.PATCH[-prerelease][+build] such as 1.2.3 or 2.0.0-rc.1${hint}`);
  }
  return { name, version, arch: filename, metadata: { filename } };
}

const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
