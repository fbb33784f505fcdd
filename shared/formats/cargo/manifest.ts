import { badRequest, isPackyardError } from '../../domain/errors';
import { CargoCodes } from './codes';
import { checkCrateName, isCrateName } from './name';
import { parseToml, TomlError, type TomlTable, type TomlValue } from './toml';
import { checkCrateVersion } from './version';

/** How the index names crates.io for dependencies that come from it (`registry: null` means "this registry"). */
export const CRATES_IO_INDEX = 'https://github.com/rust-lang/crates.io-index';

export type DependencyKind = 'normal' | 'dev' | 'build';

/** One dependency as a sparse index line lists it. */
export interface IndexDependency {
  /** The name the depending crate uses (the alias of a renamed dependency). */
  name: string;
  req: string;
  features: string[];
  optional: boolean;
  default_features: boolean;
  target: string | null;
  kind: DependencyKind;
  /** Index URL of the registry it comes from; the render turns this registry's own URL into null. */
  registry: string | null;
  /** The real crate name when the dependency is renamed. */
  package: string | null;
}

/** What the registry takes from a crate's normalised Cargo.toml. */
export interface CrateManifest {
  name: string;
  vers: string;
  deps: IndexDependency[];
  features: Record<string, string[]>;
  links: string | null;
  rust_version: string | null;
  description?: string;
  license?: string;
}

const invalid = (message: string) => badRequest(CargoCodes.INVALID_MANIFEST, `Cargo.toml: ${message}`);

const isTable = (v: TomlValue | undefined): v is TomlTable => typeof v === 'object' && v !== null && !Array.isArray(v);

function optionalString(t: TomlTable, key: string, where: string): string | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(`${where}.${key} must be a string`);
  return v;
}

function optionalBool(t: TomlTable, keys: string[], where: string, fallback: boolean): boolean {
  for (const key of keys) {
    const v = t[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw invalid(`${where}.${key} must be true or false`);
    return v;
  }
  return fallback;
}

function stringArray(v: TomlValue | undefined, where: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalid(`${where} must be an array of strings`);
  return v as string[];
}

const COMPARATOR = /^(=|>=|<=|>|<|~|\^)?\s*(.*)$/;
const PLAIN_VERSION = /^\d+(?:\.\d+(?:\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)?)?$/;
const WILDCARD_VERSION = /^(?:[*xX]|\d+\.[*xX](?:\.[*xX])?|\d+\.\d+\.[*xX])$/;

/**
 * A version requirement written the way Cargo sends it in the publish JSON (`0.1` -> `^0.1`,
 * `>= 3, <4` -> `>=3, <4`, `1.x` -> `1.*`), so the index reads the same whichever way a crate arrived.
 */
export function normaliseRequirement(req: string, where: string): string {
  const parts = req.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw invalid(`${where} has an empty version requirement ${JSON.stringify(req)}`);
  return parts
    .map((p) => {
      const [, op, rest] = COMPARATOR.exec(p) as RegExpExecArray;
      const v = rest.trim();
      if (WILDCARD_VERSION.test(v)) return `${op ?? ''}${v.replace(/[xX]/g, '*')}`;
      if (!PLAIN_VERSION.test(v)) throw invalid(`${where} has an invalid version requirement ${JSON.stringify(req)}`);
      return `${op ?? '^'}${v}`;
    })
    .join(', ');
}

function dependency(alias: string, spec: TomlValue, kind: DependencyKind, target: string | null, where: string): IndexDependency {
  if (typeof spec !== 'string' && !isTable(spec)) throw invalid(`${where} must be a version string or a table`);
  const t: TomlTable = typeof spec === 'string' ? { version: spec } : spec;
  const version = optionalString(t, 'version', where);
  // Cargo refuses to publish path or git dependencies without a version, so a packaged crate always has one.
  if (version === undefined) throw invalid(`${where} has no version requirement`);
  if (t.registry !== undefined) throw invalid(`${where} names a registry; \`cargo package\` writes registry-index instead`);
  const pkg = optionalString(t, 'package', where);
  if (!isCrateName(alias) || (pkg !== undefined && !isCrateName(pkg))) throw invalid(`${where} is not a valid crate name`);
  return {
    name: alias,
    req: normaliseRequirement(version, where),
    features: stringArray(t.features, `${where}.features`),
    optional: optionalBool(t, ['optional'], where, false),
    default_features: optionalBool(t, ['default-features', 'default_features'], where, true),
    target,
    kind,
    registry: optionalString(t, 'registry-index', where) ?? CRATES_IO_INDEX,
    package: pkg ?? null,
  };
}

const SECTIONS: [string, DependencyKind][] = [
  ['dependencies', 'normal'],
  ['dev-dependencies', 'dev'],
  ['dev_dependencies', 'dev'],
  ['build-dependencies', 'build'],
  ['build_dependencies', 'build'],
];

function dependencies(t: TomlTable, target: string | null, prefix: string): IndexDependency[] {
  const out: IndexDependency[] = [];
  for (const [section, kind] of SECTIONS) {
    const deps = t[section];
    if (deps === undefined) continue;
    if (!isTable(deps)) throw invalid(`${prefix}${section} must be a table`);
    for (const [alias, spec] of Object.entries(deps)) out.push(dependency(alias, spec, kind, target, `${prefix}${section}.${alias}`));
  }
  return out;
}

function features(v: TomlValue | undefined): Record<string, string[]> {
  if (v === undefined) return {};
  if (!isTable(v)) throw invalid('[features] must be a table');
  // fromEntries defines own properties, so a feature called `__proto__` stays data.
  return Object.fromEntries(Object.entries(v).map(([k, list]) => [k, stringArray(list, `features.${k}`)]));
}

/** Reads the normalised manifest of a `.crate`: identity, dependencies and features for the index line. */
export function readManifest(text: string): CrateManifest {
  let doc: TomlTable;
  try {
    doc = parseToml(text);
  } catch (e) {
    if (e instanceof TomlError) throw invalid(`not valid TOML (${e.message})`);
    throw e;
  }
  // `[project]` is the pre-2018 spelling of `[package]`.
  const pkg = doc.package ?? doc.project;
  if (!isTable(pkg)) throw invalid('no [package] table');
  let name: string;
  let vers: string;
  try {
    name = checkCrateName(pkg.name);
    vers = checkCrateVersion(pkg.version);
  } catch (e) {
    if (isPackyardError(e)) throw badRequest(e.code, `Cargo.toml: ${e.message}`);
    throw e;
  }
  const deps = dependencies(doc, null, '');
  const targets = doc.target;
  if (targets !== undefined) {
    if (!isTable(targets)) throw invalid('[target] must be a table');
    for (const [cfg, t] of Object.entries(targets)) {
      if (!isTable(t)) throw invalid(`target.${cfg} must be a table`);
      deps.push(...dependencies(t, cfg, `target.${JSON.stringify(cfg)}.`));
    }
  }
  const description = optionalString(pkg, 'description', 'package');
  const license = optionalString(pkg, 'license', 'package');
  return {
    name,
    vers,
    deps,
    features: features(doc.features),
    links: optionalString(pkg, 'links', 'package') ?? null,
    rust_version: optionalString(pkg, 'rust-version', 'package') ?? null,
    ...(description !== undefined ? { description } : {}),
    ...(license !== undefined ? { license } : {}),
  };
}
