import { badRequest } from '../../domain/errors';
import type { ParseContext, ParsedPackage } from '../format';
import { NpmCodes } from './codes';
import { checkName, unscopedName } from './name';
import { readTarball, TARBALL_LIMITS, type TarballLimits } from './tarball';
import { canonicalVersion } from './version';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** What the index needs from a tarball besides its hashes; kept as `ParsedPackage.control` (JSON). */
export interface PackageInfo {
  /** package.json as the packument shows it (see normaliseManifest). */
  manifest: JsonObject;
  fileCount: number;
  unpackedSize: number;
  hasShrinkwrap: boolean;
  hasInstallScript: boolean;
  readme?: string;
  readmeFilename?: string;
}

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/**
 * package.json as npm publishes it: name and cleaned version, `bin` as an object, node-gyp's implicit
 * install script, and without the fields the registry owns (`dist`, `deprecated`) or npm's own `_` fields,
 * which a tarball must not get to choose.
 */
export function normaliseManifest(raw: JsonObject, name: string, version: string, rootFiles: readonly string[]): JsonObject {
  const manifest: JsonObject = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!k.startsWith('_') && k !== 'dist' && k !== 'deprecated') manifest[k] = v;
  }
  manifest.name = name;
  manifest.version = version;
  if (typeof raw.bin === 'string') manifest.bin = { [unscopedName(name)]: raw.bin };
  else if (isObject(raw.bin)) manifest.bin = Object.fromEntries(Object.entries(raw.bin).filter(([, v]) => typeof v === 'string'));
  else delete manifest.bin;
  const scripts = isObject(raw.scripts) ? { ...raw.scripts } : undefined;
  if (rootFiles.includes('binding.gyp') && raw.gypfile !== false && !scripts?.install && !scripts?.preinstall) {
    manifest.scripts = { ...scripts, install: 'node-gyp rebuild' };
    manifest.gypfile = true;
  }
  return manifest;
}

function decodeManifest(bytes: Uint8Array): JsonObject {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest(NpmCodes.BAD_MANIFEST, 'package.json is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw badRequest(NpmCodes.BAD_MANIFEST, `package.json is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(value)) throw badRequest(NpmCodes.BAD_MANIFEST, 'package.json must hold a JSON object');
  return value;
}

/**
 * Reads and checks an npm package tarball: a gzip'd tar holding `<folder>/package.json` whose name is a valid
 * npm name and whose version is semver, both equal to what the client declared (the publish document).
 */
export async function parseNpmPackage(bytes: Uint8Array, ctx: ParseContext, limits: TarballLimits = TARBALL_LIMITS): Promise<ParsedPackage> {
  const contents = await readTarball(bytes, limits);
  const raw = decodeManifest(contents.manifest);
  const name = checkName(raw.name);
  const version = canonicalVersion(raw.version);
  if (!version) {
    throw badRequest(NpmCodes.INVALID_VERSION, `invalid version ${JSON.stringify(raw.version)} in package.json: expected a semantic version such as 1.2.3 or 2.0.0-rc.1`);
  }
  const declared = ctx.declared ?? {};
  if (declared.name !== undefined && declared.name !== '' && declared.name !== name) {
    throw badRequest(NpmCodes.NAME_MISMATCH, `the tarball's package.json names ${JSON.stringify(name)}, but ${JSON.stringify(declared.name)} is being published`);
  }
  if (declared.version !== undefined && declared.version !== '' && canonicalVersion(declared.version) !== version) {
    throw badRequest(NpmCodes.VERSION_MISMATCH, `the tarball's package.json has version ${JSON.stringify(version)}, but ${JSON.stringify(declared.version)} is being published`);
  }
  const manifest = normaliseManifest(raw, name, version, contents.rootFiles);
  const scripts = isObject(manifest.scripts) ? manifest.scripts : {};
  const info: PackageInfo = {
    manifest,
    fileCount: contents.fileCount,
    unpackedSize: contents.unpackedSize,
    hasShrinkwrap: contents.rootFiles.includes('npm-shrinkwrap.json'),
    hasInstallScript: INSTALL_SCRIPTS.some((s) => typeof scripts[s] === 'string'),
    ...(contents.readme ? { readme: contents.readme.text, readmeFilename: contents.readme.filename } : {}),
  };
  const metadata: Record<string, string> = {};
  if (typeof manifest.description === 'string') metadata.description = manifest.description;
  if (typeof manifest.license === 'string') metadata.license = manifest.license;
  return { name, version, arch: '', metadata, control: JSON.stringify(info) };
}

export function readPackageInfo(pkg: ParsedPackage): PackageInfo {
  // control is written only by parseNpmPackage.
  return JSON.parse(pkg.control ?? '{}') as PackageInfo;
}
