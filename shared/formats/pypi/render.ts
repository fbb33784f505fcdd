import { CATALOG_SCOPE, requireBaseUrl, type IndexMember, type PublishedFile, type RenderedIndex, type RenderInput } from '../format';
import { readFragment, type DistFragment } from './fragment';
import { catalogPageKey, distFileKey, projectPageKey } from './paths';
import { compareVersions } from './version';

/** PEP 691 JSON and PEP 503 HTML; 1.1 (PEP 700) adds `versions`, `size` and `upload-time`. */
export const API_VERSION = '1.1';
export const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
export const HTML_TYPE = 'text/html; charset=utf-8';

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** PEP 700 wants microseconds: `2024-01-02T15:04:05.123000Z`. */
const uploadTime = (iso: string): string => iso.replace(/\.(\d{3})Z$/, '.$1000Z');

interface ListedFile {
  fragment: DistFragment;
  version: string;
  url: string;
  uploadedAt?: string;
  yanked?: { reason?: string };
}

const byVersionThenName = (a: ListedFile, b: ListedFile) =>
  compareVersions(a.version, b.version) || (a.fragment.filename < b.fragment.filename ? -1 : a.fragment.filename > b.fragment.filename ? 1 : 0);

function listFiles(input: RenderInput): ListedFile[] {
  const base = requireBaseUrl(input);
  return input.members
    .map((m) => {
      const fragment = readFragment(m.fragment);
      const key = distFileKey(input.repo, input.scope, fragment.filename);
      return {
        fragment,
        version: m.version,
        // Absolute, on the index's own host: pip sends index credentials to that host only.
        url: `${base}/${key.split('/').map(encodeURIComponent).join('/')}`,
        ...(m.uploadedAt ? { uploadedAt: m.uploadedAt } : {}),
        ...(m.yanked ? { yanked: { ...(m.yanked.reason ? { reason: m.yanked.reason } : {}) } } : {}),
      };
    })
    .sort(byVersionThenName);
}

export function projectJson(input: RenderInput): Record<string, unknown> {
  const files = listFiles(input);
  const versions = [...new Set(input.members.map((m) => m.version))].sort(compareVersions);
  return {
    meta: { 'api-version': API_VERSION },
    name: input.scope,
    versions,
    files: files.map((f) => {
      const metadata = f.fragment.metadataSha256 ? { sha256: f.fragment.metadataSha256 } : undefined;
      return {
        filename: f.fragment.filename,
        url: f.url,
        hashes: { sha256: f.fragment.sha256 },
        ...(f.fragment.requiresPython ? { 'requires-python': f.fragment.requiresPython } : {}),
        // Only PEP 714's name: pip 22.3-23.0 (Debian 12's pip) crashes on a `dist-info-metadata` object, which
        // is why PEP 714 renamed the key; those versions then simply download the wheel. HTML keeps both names.
        ...(metadata ? { 'core-metadata': metadata } : {}),
        yanked: f.yanked ? f.yanked.reason || true : false,
        size: f.fragment.size,
        ...(f.uploadedAt ? { 'upload-time': uploadTime(f.uploadedAt) } : {}),
      };
    }),
  };
}

export function projectHtml(input: RenderInput): string {
  const links = listFiles(input).map((f) => {
    const attrs = [`href="${escapeHtml(`${f.url}#sha256=${f.fragment.sha256}`)}"`];
    if (f.fragment.requiresPython) attrs.push(`data-requires-python="${escapeHtml(f.fragment.requiresPython)}"`);
    if (f.fragment.metadataSha256) {
      attrs.push(`data-core-metadata="sha256=${f.fragment.metadataSha256}"`, `data-dist-info-metadata="sha256=${f.fragment.metadataSha256}"`);
    }
    if (f.yanked) attrs.push(`data-yanked="${escapeHtml(f.yanked.reason ?? '')}"`);
    return `    <a ${attrs.join(' ')}>${escapeHtml(f.fragment.filename)}</a><br />`;
  });
  return page(`Links for ${input.scope}`, links);
}

const page = (title: string, lines: string[]): string =>
  [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    `    <meta name="pypi:repository-version" content="${API_VERSION}">`,
    `    <title>${escapeHtml(title)}</title>`,
    '  </head>',
    '  <body>',
    `    <h1>${escapeHtml(title)}</h1>`,
    ...lines,
    '  </body>',
    '</html>',
    '',
  ].join('\n');

/** Every project of the repository, by normalised name, shown as its newest file's metadata spells it. */
function projects(members: IndexMember[]): { normalized: string; name: string }[] {
  const newest = new Map<string, { name: string; at: string }>();
  for (const m of members) {
    const at = m.uploadedAt ?? '';
    const seen = newest.get(m.name);
    if (!seen || at > seen.at) newest.set(m.name, { name: readFragment(m.fragment).name, at });
  }
  return [...newest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([normalized, { name }]) => ({ normalized, name }));
}

export function catalogJson(members: IndexMember[]): Record<string, unknown> {
  return { meta: { 'api-version': API_VERSION }, projects: projects(members).map((p) => ({ name: p.name })) };
}

export function catalogHtml(members: IndexMember[]): string {
  return page('Simple index', projects(members).map((p) => `    <a href="${escapeHtml(p.normalized)}/">${escapeHtml(p.name)}</a><br />`));
}

const file = (key: string, body: string, contentType: string): PublishedFile => ({ key, body: Buffer.from(body, 'utf8'), contentType });

/** A project's two pages, or (for the catalog scope) the project list in both representations. */
export async function renderPypi(input: RenderInput): Promise<RenderedIndex> {
  const top =
    input.scope === CATALOG_SCOPE
      ? [
          file(catalogPageKey(input.repo, 'json'), JSON.stringify(catalogJson(input.members)), JSON_TYPE),
          file(catalogPageKey(input.repo, 'html'), catalogHtml(input.members), HTML_TYPE),
        ]
      : [
          file(projectPageKey(input.repo, input.scope, 'json'), JSON.stringify(projectJson(input)), JSON_TYPE),
          file(projectPageKey(input.repo, input.scope, 'html'), projectHtml(input), HTML_TYPE),
        ];
  return { content: [], top, byHashPrefixes: [] };
}
