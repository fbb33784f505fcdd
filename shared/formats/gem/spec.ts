import { parseDocument, type Tags } from 'yaml';
import { badRequest } from '../../domain/errors';
import { GemCodes } from './codes';
import { parsePlatform, platformString, RUBY, type GemPlatform } from './platform';
import { normaliseVersion } from './version';

/** One `op version` pair of a Gem::Requirement. */
export interface Constraint {
  op: string;
  version: string;
}

export interface GemDependency {
  name: string;
  type: 'runtime' | 'development';
  requirement: Constraint[];
  prerelease: boolean;
}

/** What Packyard keeps of a gem's metadata.gz: everything its indexes and its quick gemspec need. */
export interface GemSpec {
  name: string;
  /** Normal form (Gem::Version#to_s). */
  version: string;
  /** Gem::Platform#to_s ('ruby' for pure-Ruby gems): the platform of file names and index lines. */
  platform: string;
  /** The platform exactly as the gemspec gave it (Gem::Specification#original_platform). */
  originalPlatform: string;
  /** The parsed platform; absent for pure-Ruby gems. */
  platformParts?: GemPlatform;
  summary: string | null;
  description: string | null;
  homepage: string | null;
  email: string | string[] | null;
  authors: string[];
  licenses: string[];
  metadata: [string, string][];
  /** `YYYY-MM-DD` */
  date: string;
  rubygemsVersion: string | null;
  specificationVersion: number;
  requiredRubyVersion: Constraint[];
  requiredRubygemsVersion: Constraint[];
  dependencies: GemDependency[];
}

// Gem::SpecificationPolicy's name rules; the length cap keeps bucket keys and package ids short.
const NAME = /^[a-zA-Z0-9._-]+$/;
const MAX_NAME = 128;
const PLATFORM = /^[a-zA-Z0-9_.-]+$/;
const MAX_PLATFORM = 64;
const OPS = new Set(['=', '!=', '>', '<', '>=', '<=', '~>']);
const DATE = /^(\d{4})-(\d{2})-(\d{2})/;

const bad = (message: string) => badRequest(GemCodes.BAD_METADATA, `the gem's metadata.gz ${message}`);

// Psych tags the objects of a gemspec; each resolves to its mapping, read by shape below.
const RUBY_OBJECTS = ['Specification', 'Version', 'Requirement', 'Dependency', 'Platform'].map((c) => ({
  tag: `!ruby/object:Gem::${c}`,
  collection: 'map' as const,
  resolve: (map: unknown) => map,
}));
// Psych writes strings that are not valid UTF-8 as !binary (base64).
const BINARY = { tag: '!binary', resolve: (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8') };

/**
 * The core schema without its number tags: versions such as `1.10` must stay the strings Psych meant
 * (Psych quotes a number-like string, but not every writer does), and nothing in a gemspec needs numbers.
 */
const isNumberTag = (t: Tags[number]) => (typeof t === 'string' ? /^(int|float)/.test(t) : /:(int|float)$/.test(t.tag));
const schemaTags = (tags: Tags): Tags => [...tags.filter((t) => !isNumberTag(t)), ...RUBY_OBJECTS, BINARY];

/** Parses and validates a gem's metadata YAML (a Gem::Specification). */
export function parseGemSpec(yamlText: string): GemSpec {
  const doc = parseDocument(yamlText, { schema: 'core', customTags: schemaTags, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) throw bad(`is not valid YAML (${doc.errors[0].message.split('\n')[0]})`);
  let root: unknown;
  try {
    // Alias expansion is capped: a billion-laughs gemspec fails here instead of exhausting memory.
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw bad(`cannot be read (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isMap(root)) throw bad('is not a Gem::Specification');

  const name = scalar(root.name);
  if (name === null || name === '') throw badRequest(GemCodes.INVALID_NAME, 'the gemspec has no name');
  checkGemName(name, GemCodes.INVALID_NAME, 'gem name');

  const versionText = versionOf(root.version);
  const version = versionText === null ? undefined : normaliseVersion(versionText);
  if (!version) {
    throw badRequest(GemCodes.INVALID_VERSION, `invalid version ${JSON.stringify(versionText ?? '')} for ${name}: expected a version such as 1.2.3 or 2.0.0.rc1`);
  }

  const { platform, originalPlatform, platformParts } = readPlatform(root.platform);
  return {
    name,
    version,
    platform,
    originalPlatform,
    ...(platformParts ? { platformParts } : {}),
    summary: scalar(root.summary),
    description: scalar(root.description),
    homepage: scalar(root.homepage),
    email: Array.isArray(root.email) ? strings(root.email) : scalar(root.email),
    authors: Array.isArray(root.authors) ? strings(root.authors) : listOfOne(scalar(root.authors)),
    licenses: Array.isArray(root.licenses) ? strings(root.licenses) : listOfOne(scalar(root.license)),
    metadata: isMap(root.metadata)
      ? Object.entries(root.metadata).flatMap(([k, v]) => {
          const s = scalar(v);
          return s === null ? [] : [[k, s] as [string, string]];
        })
      : [],
    date: dateOf(scalar(root.date)),
    rubygemsVersion: scalar(root.rubygems_version),
    specificationVersion: specVersion(scalar(root.specification_version)),
    requiredRubyVersion: requirement(root.required_ruby_version, 'required_ruby_version'),
    requiredRubygemsVersion: requirement(root.required_rubygems_version, 'required_rubygems_version'),
    dependencies: dependencies(root.dependencies),
  };
}

/** Gem::SpecificationPolicy#validate_name, for the gem and its dependencies. */
export function checkGemName(name: string, code: string, what: string): void {
  const problem = !NAME.test(name)
    ? 'can only include letters, numbers, dots, dashes and underscores'
    : !/[a-zA-Z]/.test(name)
      ? 'must include at least one letter'
      : /^[._-]/.test(name)
        ? 'can not begin with a period, dash, or underscore'
        : name.length > MAX_NAME
          ? `is longer than ${MAX_NAME} characters`
          : undefined;
  if (problem) throw badRequest(code, `invalid ${what} ${JSON.stringify(name)}: it ${problem}`);
}

function readPlatform(value: unknown): Pick<GemSpec, 'platform' | 'originalPlatform' | 'platformParts'> {
  let original: string;
  if (isMap(value)) {
    // An object form: Gem::Platform's cpu, os and version.
    original = [scalar(value.cpu), scalar(value.os), scalar(value.version)].filter((x) => x !== null && x !== '').join('-');
  } else {
    original = scalar(value) ?? '';
  }
  if (original === '' || original === RUBY) return { platform: RUBY, originalPlatform: RUBY };
  if (!PLATFORM.test(original) || original.length > MAX_PLATFORM) {
    throw badRequest(GemCodes.INVALID_PLATFORM, `invalid platform ${JSON.stringify(original)}: expected a platform such as ruby, java, x86_64-linux or arm64-darwin`);
  }
  const parts = parsePlatform(original);
  const platform = platformString(parts);
  if (!PLATFORM.test(platform) || platform === RUBY) {
    throw badRequest(GemCodes.INVALID_PLATFORM, `invalid platform ${JSON.stringify(original)}`);
  }
  return { platform, originalPlatform: original, platformParts: parts };
}

function dependencies(value: unknown): GemDependency[] {
  if (value === null || value === undefined || value === '') return [];
  if (!Array.isArray(value)) throw bad('lists its dependencies in an unexpected form');
  return value.map((d) => {
    if (!isMap(d)) throw bad('lists a dependency in an unexpected form');
    const name = scalar(d.name) ?? '';
    checkGemName(name, GemCodes.INVALID_DEPENDENCY, 'dependency name');
    const type = scalar(d.type);
    if (type !== null && type !== ':runtime' && type !== ':development' && type !== 'runtime' && type !== 'development') {
      throw badRequest(GemCodes.INVALID_DEPENDENCY, `dependency ${name} has an unknown type ${JSON.stringify(type)}`);
    }
    return {
      name,
      type: type?.replace(/^:/, '') === 'development' ? 'development' : 'runtime',
      requirement: requirement(d.requirement ?? d.version_requirements, `the requirement of ${name}`),
      prerelease: d.prerelease === true || d.prerelease === 'true',
    };
  });
}

/** A Gem::Requirement (`requirements: [[op, Gem::Version], ...]`); absent means `>= 0`. */
function requirement(value: unknown, what: string): Constraint[] {
  if (value === null || value === undefined || value === '') return [{ op: '>=', version: '0' }];
  const list = isMap(value) ? value.requirements : value;
  if (!Array.isArray(list)) throw badRequest(GemCodes.INVALID_REQUIREMENT, `${what} is not a list of requirements`);
  const out = list.map((pair): Constraint => {
    const [op, v] = Array.isArray(pair) ? pair : [];
    const opText = scalar(op) ?? '';
    const versionText = versionOf(v);
    const version = versionText === null ? undefined : normaliseVersion(versionText);
    if (!OPS.has(opText) || !version) {
      throw badRequest(GemCodes.INVALID_REQUIREMENT, `${what} holds an invalid constraint ${JSON.stringify(`${opText} ${versionText ?? ''}`.trim())}`);
    }
    return { op: opText, version };
  });
  return out.length ? out : [{ op: '>=', version: '0' }];
}

/** A Gem::Version mapping (`version: "1.0"`) or a plain string. */
function versionOf(value: unknown): string | null {
  return isMap(value) ? scalar(value.version) : scalar(value);
}

function dateOf(text: string | null): string {
  const m = text === null ? null : DATE.exec(text);
  // Without a usable date RubyGems' reproducible-build date stands in.
  return m ? `${m[1]}-${m[2]}-${m[3]}` : '1980-01-02';
}

/** Gem::Specification's format version; 4 (today's) when absent or odd. */
const specVersion = (text: string | null): number => (text !== null && /^\d{1,3}$/.test(text) ? Number(text) : 4);

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

function scalar(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  return null;
}

const strings = (list: unknown[]): string[] => list.map(scalar).filter((s): s is string => s !== null);

const listOfOne = (s: string | null): string[] => (s === null || s === '' ? [] : [s]);
