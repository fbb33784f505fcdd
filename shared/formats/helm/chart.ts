import semver from 'semver';
import YAML from 'yaml';
import { badRequest } from '../../domain/errors';
import { readTarGz } from '../archive/tar-gz';
import { HelmCodes } from './codes';

/** Chart.yaml, as index.yaml carries it (every field Helm defines, nothing else). */
export interface ChartMetadata {
  apiVersion: 'v1' | 'v2';
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  type?: string;
  keywords?: string[];
  home?: string;
  sources?: string[];
  icon?: string;
  maintainers?: { name: string; email?: string; url?: string }[];
  dependencies?: ChartDependency[];
  kubeVersion?: string;
  deprecated?: boolean;
  annotations?: Record<string, string>;
  /** Helm v1-era fields that Helm's Metadata still carries. */
  condition?: string;
  tags?: string;
}

export interface ChartDependency {
  name: string;
  version?: string;
  repository?: string;
  condition?: string;
  alias?: string;
  tags?: string[];
  enabled?: boolean;
  'import-values'?: unknown[];
}

/**
 * Helm only asks that a chart name be a single path component; it also becomes an object key, a URL path
 * segment and part of the record's key, so it is held to letters, digits, `.`, `_` and `-` (helm create's set).
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_NAME = 250;
/** Helm's rule for a dependency alias (pkg/chart/dependency.go). */
const ALIAS = /^[a-zA-Z0-9_-]+$/;

export const LIMITS = { maxUnpackedBytes: 256 * 1024 * 1024, maxEntries: 20_000, maxChartYamlBytes: 256 * 1024 };

/** Reads and validates a packaged chart: one top folder named after the chart, holding Chart.yaml. */
export async function readChart(bytes: Uint8Array): Promise<ChartMetadata> {
  const { entries, kept } = await readTarGz(bytes, {
    label: 'the chart',
    maxUnpackedBytes: LIMITS.maxUnpackedBytes,
    maxEntries: LIMITS.maxEntries,
    keep: (path) => /^[^/]+\/(Chart|requirements)\.yaml$/.test(path),
    maxKeptBytes: LIMITS.maxChartYamlBytes,
    codes: { corrupt: HelmCodes.CORRUPT, tooLarge: HelmCodes.TOO_LARGE, unsafe: HelmCodes.UNSAFE_PATH },
  });
  const tops = new Set(entries.map((e) => e.path.split('/')[0]));
  if (tops.size !== 1) throw badRequest(HelmCodes.CORRUPT, `a chart archive holds one folder named after the chart; this one holds ${[...tops].slice(0, 5).join(', ')}`);
  const [top] = tops;
  const raw = kept.get(`${top}/Chart.yaml`);
  if (!raw) throw badRequest(HelmCodes.NO_CHART_YAML, `the chart has no ${top}/Chart.yaml`);
  const meta = parseChartYaml(raw);
  if (meta.name !== top) throw badRequest(HelmCodes.BAD_NAME, `the chart's folder is ${top}/ but Chart.yaml names it ${meta.name}`);
  // apiVersion v1 charts list their dependencies in requirements.yaml; Helm reads them into the metadata.
  const requirements = kept.get(`${top}/requirements.yaml`);
  if (meta.apiVersion === 'v1' && !meta.dependencies && requirements) {
    const deps = parseYamlMap(requirements, 'requirements.yaml').dependencies;
    if (deps !== undefined && deps !== null) meta.dependencies = dependencies(deps);
  }
  return meta;
}

const fail = (message: string) => badRequest(HelmCodes.BAD_CHART_YAML, message);
const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

// Helm reads Chart.yaml (and index.yaml, strictly) into typed Go structs: a list where a string belongs makes
// the chart unloadable, and one such entry in index.yaml would break the whole repository for every client.
// So each field is checked against Helm's type, and unknown keys inside maintainers/dependencies are dropped.
const STRINGS = ['kubeVersion', 'description', 'type', 'home', 'icon', 'condition', 'tags'] as const;
const STRING_LISTS = ['keywords', 'sources'] as const;
const MAINTAINER_KEYS = ['name', 'email', 'url'] as const;
const DEPENDENCY_STRINGS = ['name', 'version', 'repository', 'condition', 'alias'] as const;

function stringList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw fail(`Chart.yaml's ${what} must be a list of strings`);
  return v as string[];
}

function pickStrings<K extends string>(from: Record<string, unknown>, keys: readonly K[], what: string): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) {
    const v = from[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw fail(`Chart.yaml's ${what}${k} must be a string (got ${JSON.stringify(v)})`);
    out[k] = v;
  }
  return out;
}

function maintainers(v: unknown): ChartMetadata['maintainers'] {
  if (!Array.isArray(v)) throw fail("Chart.yaml's maintainers must be a list");
  return v.map((m, i) => {
    if (!isMap(m)) throw fail(`Chart.yaml's maintainers[${i}] must be a mapping (name, email, url)`);
    const out = pickStrings(m, MAINTAINER_KEYS, `maintainers[${i}].`);
    if (!out.name) throw fail(`Chart.yaml's maintainers[${i}] has no name`);
    return out as { name: string; email?: string; url?: string };
  });
}

function dependencies(v: unknown): ChartDependency[] {
  if (!Array.isArray(v)) throw fail("Chart.yaml's dependencies must be a list");
  const seen = new Set<string>();
  return v.map((d, i) => {
    if (!isMap(d)) throw fail(`Chart.yaml's dependencies[${i}] must be a mapping`);
    const out: ChartDependency = { ...(pickStrings(d, DEPENDENCY_STRINGS, `dependencies[${i}].`) as ChartDependency) };
    if (!out.name) throw fail(`Chart.yaml's dependencies[${i}] has no name`);
    if (out.alias !== undefined && !ALIAS.test(out.alias)) throw fail(`Chart.yaml's dependencies[${i}].alias must be letters, digits, _ and - (got ${JSON.stringify(out.alias)})`);
    // Helm refuses a chart (and skips its index entry) when two dependencies share a name or alias.
    const key = out.alias || out.name;
    if (seen.has(key)) throw fail(`Chart.yaml has more than one dependency with name or alias ${JSON.stringify(key)}`);
    seen.add(key);
    if (d.tags !== undefined && d.tags !== null) out.tags = stringList(d.tags, `dependencies[${i}].tags`);
    if (d.enabled !== undefined && d.enabled !== null) {
      if (typeof d.enabled !== 'boolean') throw fail(`Chart.yaml's dependencies[${i}].enabled must be true or false`);
      out.enabled = d.enabled;
    }
    if (d['import-values'] !== undefined && d['import-values'] !== null) {
      if (!Array.isArray(d['import-values'])) throw fail(`Chart.yaml's dependencies[${i}].import-values must be a list`);
      out['import-values'] = d['import-values'] as unknown[];
    }
    return out;
  });
}

/** A plain scalar as written: `appVersion: 1.10` means "1.10", not the number 1.1. */
function scalarText(doc: YAML.Document, key: string): string | undefined {
  const node = doc.get(key, true);
  if (!YAML.isScalar(node)) return undefined;
  if (typeof node.value === 'string') return node.value;
  if (typeof node.value === 'number') return node.srcToken && 'source' in node.srcToken ? node.srcToken.source : String(node.value);
  return undefined;
}

function parseYamlDocument(raw: Uint8Array, file: string): { doc: YAML.Document; y: Record<string, unknown> } {
  let doc: YAML.Document;
  let y: unknown;
  try {
    doc = YAML.parseDocument(Buffer.from(raw).toString('utf8'), { uniqueKeys: true, keepSourceTokens: true });
    if (doc.errors.length) throw doc.errors[0];
    // A cap on alias expansion stops "billion laughs" documents.
    y = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw fail(`${file} is not valid YAML (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  if (!isMap(y)) throw fail(`${file} must be a mapping`);
  return { doc, y };
}

const parseYamlMap = (raw: Uint8Array, file: string) => parseYamlDocument(raw, file).y;

export function parseChartYaml(raw: Uint8Array): ChartMetadata {
  const { doc, y } = parseYamlDocument(raw, 'Chart.yaml');
  if (y.apiVersion !== 'v1' && y.apiVersion !== 'v2') {
    throw fail(`Chart.yaml's apiVersion must be v1 or v2 (got ${JSON.stringify(y.apiVersion ?? null)}); Helm refuses charts with no API version`);
  }
  if (typeof y.name !== 'string' || !NAME.test(y.name) || y.name.length > MAX_NAME) {
    throw badRequest(HelmCodes.BAD_NAME, `Chart.yaml's name must be letters, digits, ".", "_" and "-", starting with a letter or digit, at most ${MAX_NAME} characters (got ${JSON.stringify(y.name ?? null)})`);
  }
  const version = scalarText(doc, 'version');
  // node-semver's strict parse still tolerates a leading "v" or "=", which SemVer 2 does not; build metadata is fine.
  if (version === undefined || !/^[0-9]/.test(version) || !semver.parse(version)) {
    throw badRequest(HelmCodes.BAD_VERSION, `Chart.yaml's version must be a SemVer 2 version such as 1.2.3 (got ${JSON.stringify(version ?? y.version ?? null)})`);
  }
  const meta: ChartMetadata = { apiVersion: y.apiVersion, name: y.name, version, ...pickStrings(y, STRINGS, '') };
  if (meta.type !== undefined && meta.type !== 'application' && meta.type !== 'library') {
    throw fail(`Chart.yaml's type must be application or library (got ${JSON.stringify(meta.type)})`);
  }
  if (y.appVersion !== undefined && y.appVersion !== null) {
    const appVersion = scalarText(doc, 'appVersion');
    if (appVersion === undefined) throw fail("Chart.yaml's appVersion must be a string");
    meta.appVersion = appVersion;
  }
  for (const k of STRING_LISTS) if (y[k] !== undefined && y[k] !== null) meta[k] = stringList(y[k], k);
  if (y.maintainers !== undefined && y.maintainers !== null) meta.maintainers = maintainers(y.maintainers);
  if (y.dependencies !== undefined && y.dependencies !== null) meta.dependencies = dependencies(y.dependencies);
  if (y.deprecated !== undefined && y.deprecated !== null) {
    if (typeof y.deprecated !== 'boolean') throw fail("Chart.yaml's deprecated must be true or false");
    meta.deprecated = y.deprecated;
  }
  if (y.annotations !== undefined && y.annotations !== null) {
    if (!isMap(y.annotations) || !Object.values(y.annotations).every((v) => typeof v === 'string')) {
      throw fail("Chart.yaml's annotations must map names to strings (quote numbers and booleans)");
    }
    meta.annotations = y.annotations as Record<string, string>;
  }
  return meta;
}

export const chartFilename = (name: string, version: string): string => `${name}-${version}.tgz`;
export const chartKey = (repo: string, filename: string): string => `${repo}/helm/charts/${filename}`;
export const indexKey = (repo: string): string => `${repo}/helm/index.yaml`;
