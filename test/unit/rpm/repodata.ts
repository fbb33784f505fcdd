import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';

/**
 * Reads repodata XML with a real XML parser (fast-xml-parser) into plain objects, so Packyard's output and
 * createrepo_c's can be compared field by field. `@`-prefixed keys are attributes, `#text` is text.
 */
const ARRAYS = new Set(['package', 'rpm:entry', 'file', 'changelog', 'data']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ARRAYS.has(name),
});

export type Xml = Record<string, unknown>;

export function parseXml(data: Uint8Array | string): Xml {
  const text = typeof data === 'string' ? data : Buffer.from(data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data).toString('utf8');
  return parser.parse(text) as Xml;
}

const text = (v: unknown): string => (v === undefined || v === '' ? '' : typeof v === 'object' ? String((v as Xml)['#text'] ?? '') : String(v));

export interface PackageView {
  nevra: string;
  checksum: string;
  summary: string;
  description: string;
  packager: string;
  url: string;
  buildTime: string;
  size: Xml;
  location: string;
  format: Record<string, unknown>;
  files: string[];
  changelogs: string[];
}

const DEP_KINDS = ['provides', 'requires', 'conflicts', 'obsoletes', 'suggests', 'enhances', 'recommends', 'supplements'];
const fileLine = (f: unknown) => (typeof f === 'object' ? `${(f as Xml)['@type']}:${text(f)}` : `:${text(f)}`);

/** Everything the three files say about each package, keyed by pkgid (the sha256 of the .rpm). */
export function packagesByPkgid(primary: Uint8Array, filelists: Uint8Array, other: Uint8Array): Map<string, PackageView> {
  const out = new Map<string, PackageView>();
  const meta = parseXml(primary).metadata as Xml;
  for (const p of (meta.package as Xml[] | undefined) ?? []) {
    const v = p.version as Xml;
    const fmt = p.format as Xml;
    const checksum = text(p.checksum);
    const format: Record<string, unknown> = {};
    for (const k of ['license', 'vendor', 'group', 'buildhost', 'sourcerpm']) format[k] = text(fmt[`rpm:${k}`]);
    format.headerRange = fmt['rpm:header-range'];
    for (const kind of DEP_KINDS) format[kind] = ((fmt[`rpm:${kind}`] as Xml | undefined)?.['rpm:entry'] as Xml[] | undefined) ?? [];
    format.primaryFiles = ((fmt.file as unknown[] | undefined) ?? []).map(fileLine);
    out.set(checksum, {
      nevra: `${text(p.name)}-${v['@epoch']}:${v['@ver']}-${v['@rel']}.${text(p.arch)}`,
      checksum,
      summary: text(p.summary),
      description: text(p.description),
      packager: text(p.packager),
      url: text(p.url),
      buildTime: String((p.time as Xml)['@build']),
      size: p.size as Xml,
      location: String((p.location as Xml)['@href']),
      format,
      files: [],
      changelogs: [],
    });
  }
  for (const p of ((parseXml(filelists).filelists as Xml).package as Xml[] | undefined) ?? []) {
    const view = out.get(String(p['@pkgid']));
    if (view) view.files = ((p.file as unknown[] | undefined) ?? []).map(fileLine);
  }
  for (const p of ((parseXml(other).otherdata as Xml).package as Xml[] | undefined) ?? []) {
    const view = out.get(String(p['@pkgid']));
    if (view) view.changelogs = ((p.changelog as Xml[] | undefined) ?? []).map((c) => `${c['@date']} ${c['@author']}: ${text(c)}`);
  }
  return out;
}

export interface RepomdRecord {
  type: string;
  checksum: string;
  openChecksum: string;
  href: string;
  size: number;
  openSize: number;
  timestamp: number;
}

export function repomdRecords(repomd: Uint8Array | string): { revision: string; records: RepomdRecord[] } {
  const r = parseXml(repomd).repomd as Xml;
  return {
    revision: text(r.revision),
    records: (r.data as Xml[]).map((d) => ({
      type: String(d['@type']),
      checksum: text(d.checksum),
      openChecksum: text(d['open-checksum']),
      href: String((d.location as Xml)['@href']),
      size: Number(text(d.size)),
      openSize: Number(text(d['open-size'])),
      timestamp: Number(text(d.timestamp)),
    })),
  };
}
