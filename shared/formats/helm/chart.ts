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
  dependencies?: Record<string, unknown>[];
  kubeVersion?: string;
  deprecated?: boolean;
  annotations?: Record<string, string>;
}

const FIELDS = ['apiVersion', 'name', 'version', 'kubeVersion', 'description', 'type', 'keywords', 'home', 'sources', 'dependencies', 'maintainers', 'icon', 'appVersion', 'deprecated', 'annotations'] as const;
/** Helm's own rule for chart names (helm lint): lower-case letters, digits and dashes. */
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const LIMITS = { maxUnpackedBytes: 256 * 1024 * 1024, maxEntries: 20_000, maxChartYamlBytes: 256 * 1024 };

/** Reads and validates a packaged chart: one top folder named after the chart, holding Chart.yaml. */
export async function readChart(bytes: Uint8Array): Promise<ChartMetadata> {
  const { entries, kept } = await readTarGz(bytes, {
    label: 'the chart',
    maxUnpackedBytes: LIMITS.maxUnpackedBytes,
    maxEntries: LIMITS.maxEntries,
    keep: (path) => /^[^/]+\/Chart\.yaml$/.test(path),
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
  return meta;
}

export function parseChartYaml(raw: Uint8Array): ChartMetadata {
  let doc: unknown;
  try {
    doc = YAML.parse(Buffer.from(raw).toString('utf8'), { maxAliasCount: 100, uniqueKeys: true });
  } catch (e) {
    throw badRequest(HelmCodes.BAD_CHART_YAML, `Chart.yaml is not valid YAML (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw badRequest(HelmCodes.BAD_CHART_YAML, 'Chart.yaml must be a mapping');
  const y = doc as Record<string, unknown>;
  if (y.apiVersion !== 'v1' && y.apiVersion !== 'v2') {
    throw badRequest(HelmCodes.BAD_CHART_YAML, `Chart.yaml's apiVersion must be v1 or v2 (got ${JSON.stringify(y.apiVersion ?? null)}); Helm refuses charts with no API version`);
  }
  if (typeof y.name !== 'string' || !NAME.test(y.name) || y.name.length > 63) {
    throw badRequest(HelmCodes.BAD_NAME, `Chart.yaml's name must be lower-case letters, digits and dashes, at most 63 characters (got ${JSON.stringify(y.name ?? null)})`);
  }
  const version = typeof y.version === 'number' ? String(y.version) : y.version;
  if (typeof version !== 'string' || !semver.valid(version) || version.includes('#')) {
    throw badRequest(HelmCodes.BAD_VERSION, `Chart.yaml's version must be a SemVer 2 version (got ${JSON.stringify(y.version ?? null)})`);
  }
  const meta: Record<string, unknown> = {};
  for (const f of FIELDS) if (y[f] !== undefined && y[f] !== null) meta[f] = y[f];
  meta.version = version;
  if (typeof meta.appVersion === 'number') meta.appVersion = String(meta.appVersion);
  return meta as unknown as ChartMetadata;
}

export const chartFilename = (name: string, version: string): string => `${name}-${version}.tgz`;
export const chartKey = (repo: string, filename: string): string => `${repo}/helm/charts/${filename}`;
export const indexKey = (repo: string): string => `${repo}/helm/index.yaml`;
