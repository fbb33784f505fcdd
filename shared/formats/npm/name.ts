import { badRequest } from '../../domain/errors';
import { NpmCodes } from './codes';

const MAX_NAME = 214;
// npm's rules for new packages: lower case, URL-safe, no leading "." or "_". This also keeps '#' (the package
// id separator), '%' and '/' (outside the scope) out of bucket keys.
const PART = /^[a-z0-9~-][a-z0-9._~-]*$/;
const RESERVED = new Set(['node_modules', 'favicon.ico', '-']);

/** Why `name` is not a valid name for a new npm package, or undefined when it is. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'a package name is required';
  if (name.length > MAX_NAME) return `a package name is at most ${MAX_NAME} characters`;
  if (name !== name.trim()) return 'a package name cannot start or end with spaces';
  const parts = name.startsWith('@') ? name.slice(1).split('/') : [name];
  if (name.startsWith('@') && parts.length !== 2) return 'a scoped package name looks like @scope/name';
  if (!name.startsWith('@') && name.includes('/')) return 'only a scoped package name (@scope/name) may contain "/"';
  for (const part of parts) {
    if (part === '') return 'a scoped package name looks like @scope/name';
    if (part !== part.toLowerCase()) return 'a new package name must be lower case';
    if (part.startsWith('.') || part.startsWith('_')) return 'a package name cannot start with "." or "_"';
    if (!PART.test(part)) return 'a package name may only hold a-z, 0-9, "-", ".", "_" and "~"';
  }
  if (!name.startsWith('@') && RESERVED.has(name)) return `${JSON.stringify(name)} is a reserved name`;
  return undefined;
}

/** Throws NPM_INVALID_NAME unless `name` is a valid npm package name. */
export function checkName(name: unknown): string {
  const problem = nameProblem(name);
  if (problem) throw badRequest(NpmCodes.INVALID_NAME, `invalid package name ${JSON.stringify(name)}: ${problem}`);
  return name as string;
}

/** `@scope/name` -> `name`; what tarball file names are built from. */
export const unscopedName = (name: string): string => name.slice(name.lastIndexOf('/') + 1);

/** The name as npm puts it in a URL: `@scope%2fname`. */
export const escapedName = (name: string): string => name.replace('/', '%2f');
