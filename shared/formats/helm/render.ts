import semver from 'semver';
import YAML from 'yaml';
import { CATALOG_SCOPE, requireBaseUrl, type RenderedIndex, type RenderInput } from '../format';
import type { ChartMetadata } from './chart';
import { chartKey, indexKey } from './chart';

/** What the rebuild keeps of a chart: its Chart.yaml fields, its file and its digest. */
export interface HelmFragment {
  chart: ChartMetadata;
  filename: string;
  digest: string;
}

export const readHelmFragment = (fragment: string): HelmFragment => JSON.parse(fragment) as HelmFragment;

/** Newest first by SemVer precedence; versions differing only in build metadata keep a stable order. */
export const newestFirst = (a: { version: string }, b: { version: string }): number => semver.compareBuild(b.version, a.version);

/**
 * A chart's absolute URL. A version's build metadata (`1.0.0+build.7`) puts a `+` in the file name, which some
 * hops read as an encoded space: percent-encoded it is unambiguous, and decodes back to the object key.
 */
export const chartUrl = (base: string, repo: string, filename: string): string => `${base}/${chartKey(repo, encodeURIComponent(filename))}`;

/** One index.yaml entry: Chart.yaml's fields, then what the repository adds (Helm's ChartVersion). */
export function indexEntry(base: string, repo: string, m: { fragment: string; uploadedAt?: string }, now: Date): Record<string, unknown> {
  const f = readHelmFragment(m.fragment);
  return { ...f.chart, urls: [chartUrl(base, repo, f.filename)], created: m.uploadedAt ?? now.toISOString(), digest: f.digest };
}

/**
 * index.yaml, the repository-wide index Helm reads: entries per chart, newest version first (SemVer order),
 * with absolute URLs on the same host (Helm sends credentials only there), the sha256 digest and the upload
 * time. Per-chart scopes have nothing of their own to render.
 */
export async function renderHelm(input: RenderInput): Promise<RenderedIndex> {
  if (input.scope !== CATALOG_SCOPE) return { content: [], top: [], byHashPrefixes: [] };
  const base = requireBaseUrl(input);
  const entries: Record<string, Record<string, unknown>[]> = {};
  const live = input.members.filter((m) => !m.yanked);
  for (const name of [...new Set(live.map((m) => m.name))].sort()) {
    entries[name] = live
      .filter((m) => m.name === name)
      .sort(newestFirst)
      .map((m) => indexEntry(base, input.repo, m, input.now));
  }
  const doc = { apiVersion: 'v1', entries, generated: input.now.toISOString(), serverInfo: { contextPath: `/${input.repo}/helm` } };
  // Helm reads index.yaml with a YAML 1.1 parser (go-yaml v2), where a bare on/yes/no is a boolean and a bare
  // timestamp a time: writing YAML 1.1 quotes such strings, so a keyword "on" never breaks a typed field.
  const body = Buffer.from(YAML.stringify(doc, { lineWidth: 0, version: '1.1' }), 'utf8');
  return { content: [], top: [{ key: indexKey(input.repo), body, contentType: 'application/x-yaml' }], byHashPrefixes: [] };
}
