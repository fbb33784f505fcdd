import { badRequest } from '../../domain/errors';
import { PypiCodes } from './codes';
import { isValidName } from './name';
import { isValidVersion } from './version';

export interface WheelFilename {
  kind: 'wheel';
  filename: string;
  /** The distribution part, `_` for `-` (older wheels may keep `.` and upper case). */
  name: string;
  version: string;
  build?: string;
  /** `{python tag}-{abi tag}-{platform tag}`, e.g. `py3-none-any`. */
  tags: string;
}

export interface SdistFilename {
  kind: 'sdist';
  filename: string;
  /** `{name}-{version}`: also the archive's top-level folder. */
  stem: string;
}

export type DistFilename = WheelFilename | SdistFilename;

// URL- and key-safe; `#` and `/` would break the package id and the layout. `!` (epochs) and `+` (local
// versions) appear in real wheel names.
const SAFE = /^[A-Za-z0-9][A-Za-z0-9._+!-]*$/;
const MAX_FILENAME = 255;
const TAG = /^[A-Za-z0-9_.]+$/;
const EXPECTED = 'expected a wheel ({name}-{version}[-{build}]-{python}-{abi}-{platform}.whl) or a source distribution ({name}-{version}.tar.gz)';

function invalid(filename: string, why: string) {
  return badRequest(PypiCodes.INVALID_FILENAME, `invalid file name ${JSON.stringify(filename)}: ${why}`);
}

/** Reads a distribution's file name, refusing anything pip would not accept from an index. */
export function parseDistFilename(filename: string): DistFilename {
  if (!SAFE.test(filename) || filename.length > MAX_FILENAME) {
    throw invalid(filename, `up to ${MAX_FILENAME} characters of A-Z, a-z, 0-9, ".", "_", "+", "!" and "-"; ${EXPECTED}`);
  }
  if (filename.endsWith('.whl')) return parseWheelFilename(filename);
  if (filename.endsWith('.tar.gz')) {
    const stem = filename.slice(0, -'.tar.gz'.length);
    if (sdistSplits(stem).length === 0) throw invalid(filename, `no {name}-{version} before .tar.gz; ${EXPECTED}`);
    return { kind: 'sdist', filename, stem };
  }
  const legacy = /\.(zip|tar\.bz2|tar\.xz|tgz|tar|egg|exe|msi|rpm|dmg)$/i.exec(filename);
  if (legacy) {
    throw badRequest(
      PypiCodes.UNSUPPORTED_FILE,
      `${JSON.stringify(filename)}: .${legacy[1]} distributions are not accepted (PyPI takes only wheels and .tar.gz source distributions, PEP 527 and PEP 625)`,
    );
  }
  throw invalid(filename, EXPECTED);
}

function parseWheelFilename(filename: string): WheelFilename {
  const parts = filename.slice(0, -'.whl'.length).split('-');
  if (parts.length !== 5 && parts.length !== 6) throw invalid(filename, `a wheel name has 5 or 6 parts separated by "-"; ${EXPECTED}`);
  const [name, version] = parts;
  const build = parts.length === 6 ? parts[2] : undefined;
  const tags = parts.slice(-3);
  if (!isValidName(name)) throw invalid(filename, `${JSON.stringify(name)} is not a project name`);
  if (!isValidVersion(version.replace(/_/g, '-'))) throw invalid(filename, `${JSON.stringify(version)} is not a PEP 440 version`);
  if (build !== undefined && !/^\d[A-Za-z0-9_.]*$/.test(build)) throw invalid(filename, `the build tag ${JSON.stringify(build)} must start with a digit`);
  if (!tags.every((t) => TAG.test(t))) throw invalid(filename, `the compatibility tags ${JSON.stringify(tags.join('-'))} hold characters other than A-Z, a-z, 0-9, "_" and "."`);
  return { kind: 'wheel', filename, name, version, ...(build !== undefined ? { build } : {}), tags: tags.join('-') };
}

/**
 * The ways `{name}-{version}` can be split: older sdists keep `-` inside the name (`my-pkg-1.0`), so the
 * metadata decides which split is meant.
 */
export function sdistSplits(stem: string): { name: string; version: string }[] {
  const splits: { name: string; version: string }[] = [];
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    const name = stem.slice(0, i);
    const version = stem.slice(i + 1);
    if (isValidName(name) && isValidVersion(version)) splits.push({ name, version });
  }
  return splits;
}
