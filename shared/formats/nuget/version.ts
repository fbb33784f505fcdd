import { badRequest } from '../../domain/errors';
import { NugetCodes } from './codes';

const VERSION = /^(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export interface NugetVersion {
  parts: [number, number, number, number];
  prerelease: string[];
  /** The normalised string: leading zeros stripped, a zero fourth part and build metadata dropped. */
  normalized: string;
}

/** NuGet's version rules and normalisation (`1.01.1` -> `1.1.1`, `1.0.0.0` -> `1.0.0`, `1.0.0+git` -> `1.0.0`). */
export function parseNugetVersion(raw: string): NugetVersion {
  const m = VERSION.exec(raw.trim());
  if (!m) throw badRequest(NugetCodes.BAD_VERSION, `${JSON.stringify(raw)} is not a NuGet version (major.minor[.patch[.revision]][-prerelease][+metadata])`);
  const parts = [m[1], m[2], m[3] ?? '0', m[4] ?? '0'].map((p) => Number(p)) as NugetVersion['parts'];
  const prerelease = m[5] ? m[5].split('.') : [];
  const numbers = parts[3] === 0 ? parts.slice(0, 3) : parts;
  return { parts, prerelease, normalized: numbers.join('.') + (prerelease.length ? `-${prerelease.join('.')}` : '') };
}

/** NuGet's order: numeric parts, then a release after its pre-releases, labels compared as SemVer 2 (case-insensitively). */
export function compareNugetVersions(a: string, b: string): number {
  const x = parseNugetVersion(a);
  const y = parseNugetVersion(b);
  for (let i = 0; i < 4; i++) if (x.parts[i] !== y.parts[i]) return x.parts[i] - y.parts[i];
  if (!x.prerelease.length || !y.prerelease.length) return (x.prerelease.length ? -1 : 0) + (y.prerelease.length ? 1 : 0);
  for (let i = 0; i < Math.max(x.prerelease.length, y.prerelease.length); i++) {
    const p = x.prerelease[i];
    const q = y.prerelease[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn && Number(p) !== Number(q)) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    const c = p.toLowerCase().localeCompare(q.toLowerCase(), 'en');
    if (c !== 0) return c;
  }
  return 0;
}

const ID = /^\w+(?:[.-]\w+)*$/;

export function checkNugetId(id: string): string {
  if (!ID.test(id) || id.length > 100) throw badRequest(NugetCodes.BAD_ID, `${JSON.stringify(id)} is not a NuGet package id (letters, digits, _, and single . or - between them; at most 100 characters)`);
  return id;
}
