import { zipSync } from 'fflate';
import { tgz, type TgzEntry } from '../../support/tgz';

export { tgz };

/** Core metadata text as setuptools writes it. */
export function metadataText(fields: Record<string, string | string[] | undefined>, body = ''): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
  }
  return lines.join('\n') + '\n\n' + body;
}

export const meta = (name: string, version: string, extra: Record<string, string | string[]> = {}) =>
  metadataText({ 'Metadata-Version': '2.1', Name: name, Version: version, Summary: `The ${name} project`, ...extra }, `# ${name}\n`);

/** A wheel made by hand: `entries` as given, so tests can build every shape pip would refuse. */
export function zip(entries: Record<string, string | Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : v])));
}

/** A well-formed wheel of `name` (as the dist-info folder spells it) with one module. */
export function wheel(name: string, version: string, metadata = meta(name, version), extra: Record<string, string | Uint8Array> = {}): Uint8Array {
  const info = `${name.replace(/-/g, '_')}-${version}.dist-info`;
  return zip({
    [`${name.replace(/-/g, '_').toLowerCase()}/__init__.py`]: 'X = 1\n',
    [`${info}/METADATA`]: metadata,
    [`${info}/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
    [`${info}/RECORD`]: '',
    ...extra,
  });
}

export type TarEntry = TgzEntry;

/** A well-formed sdist: `{stem}/PKG-INFO`, `{stem}/setup.py` and whatever else is given. */
export const sdist = (stem: string, pkgInfo: string, extra: TarEntry[] = []) =>
  tgz([{ name: `${stem}/PKG-INFO`, body: pkgInfo }, { name: `${stem}/setup.py`, body: 'from setuptools import setup\nsetup()\n' }, ...extra]);
