import { badRequest } from '../../domain/errors';
import { CargoCodes } from './codes';

// crates.io's rules: ASCII letters, digits, `-` and `_`, starting with a letter, at most 64 characters.
const CRATE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const MAX_CRATE_NAME = 64;

export const isCrateName = (name: string): boolean => CRATE_NAME.test(name);

export function checkCrateName(name: unknown): string {
  if (typeof name !== 'string' || !isCrateName(name)) {
    throw badRequest(
      CargoCodes.INVALID_NAME,
      `invalid crate name ${JSON.stringify(name)}: up to ${MAX_CRATE_NAME} ASCII letters, digits, "-" and "_", starting with a letter`,
    );
  }
  return name;
}

/**
 * The name two crates may not share: case and `-`/`_` do not count (crates.io's rule), so `Foo-Bar` and
 * `foo_bar` land in one index scope and the second spelling is refused there.
 */
export const canonicalCrateName = (name: string): string => name.toLowerCase().replace(/-/g, '_');

/** The sparse index path of a crate (`1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd`), lower-cased as Cargo asks for it. */
export function indexPath(name: string): string {
  const n = name.toLowerCase();
  if (n.length === 1) return `1/${n}`;
  if (n.length === 2) return `2/${n}`;
  if (n.length === 3) return `3/${n[0]}/${n}`;
  return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
}
