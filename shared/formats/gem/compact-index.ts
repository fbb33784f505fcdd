import { createHash } from 'node:crypto';
import type { GemFragment } from './fragment';
import { RUBY } from './platform';
import { compareGemVersions } from './version';

/** A gem file with what the compact index orders and filters by. */
export interface IndexedGem {
  fragment: GemFragment;
  uploadedAt: string;
  yankedAt?: string;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** `1.0.0` or `1.0.0-x86_64-linux`, as /versions and /info name a gem file. */
export const versionAndPlatform = (f: GemFragment): string => (f.platform === RUBY ? f.version : `${f.version}-${f.platform}`);

/** `{version} {dep:req,...}|checksum:{sha256}[,ruby:{req}][,rubygems:{req}]` */
export function infoLine(f: GemFragment): string {
  const deps = f.dependencies.map(([name, req]) => `${name}:${req}`).join(',');
  const requirements = [`checksum:${f.sha256}`, ...(f.ruby ? [`ruby:${f.ruby}`] : []), ...(f.rubygems ? [`rubygems:${f.rubygems}`] : [])];
  return `${versionAndPlatform(f)} ${deps}|${requirements.join(',')}`;
}

/** Upload order, so a new version is appended to /info and Bundler's Range request fetches just that line. */
function byUpload(a: IndexedGem, b: IndexedGem): number {
  if (a.uploadedAt !== b.uploadedAt) return a.uploadedAt < b.uploadedAt ? -1 : 1;
  return compareGemVersions(a.fragment.version, b.fragment.version) || (a.fragment.platform < b.fragment.platform ? -1 : a.fragment.platform > b.fragment.platform ? 1 : 0);
}

const infoText = (live: IndexedGem[]) => `---\n${live.map((g) => `${infoLine(g.fragment)}\n`).join('')}`;

/** `/info/{name}`: one line per file of the gem that is not yanked (a yank rewrites the file). */
export function infoFile(gems: IndexedGem[]): string {
  return infoText(gems.filter((g) => !g.yankedAt).sort(byUpload));
}

/** `/names`: every gem with a version that is not yanked. */
export function namesFile(gems: IndexedGem[]): string {
  const names = [...new Set(gems.filter((g) => !g.yankedAt).map((g) => g.fragment.name))].sort();
  return `---\n${names.map((n) => `${n}\n`).join('')}`;
}

interface Event {
  at: string;
  yank: boolean;
  gem: IndexedGem;
}

const isoSeconds = (at: string | undefined): string => {
  const t = at === undefined ? NaN : Date.parse(at);
  return new Date(Number.isFinite(t) ? t : 0).toISOString().replace(/\.\d{3}Z$/, 'Z');
};

/**
 * `/versions` as the log rubygems.org keeps: one line per upload (`name version md5`) and per yank
 * (`name -version md5`) in the order they happened, each with the MD5 of `/info/{name}` as it was then.
 * Rebuilt from the records every time, it is still append-only, so Bundler's `Range: bytes={size-1}-`
 * fetches only new lines; the last MD5 of a name is that of the current /info file.
 */
export function versionsFile(gems: IndexedGem[]): string {
  const events: Event[] = gems.flatMap((gem) => [
    { at: gem.uploadedAt, yank: false, gem },
    ...(gem.yankedAt ? [{ at: gem.yankedAt > gem.uploadedAt ? gem.yankedAt : gem.uploadedAt, yank: true, gem }] : []),
  ]);
  events.sort((a, b) => (a.at !== b.at ? (a.at < b.at ? -1 : 1) : a.yank !== b.yank ? (a.yank ? 1 : -1) : byUpload(a.gem, b.gem)));
  const live = new Map<string, IndexedGem[]>();
  const lines = events.map(({ yank, gem }) => {
    const name = gem.fragment.name;
    const current = live.get(name) ?? [];
    // Upload events arrive in byUpload order, so appending keeps each list in /info order.
    const next = yank ? current.filter((g) => g !== gem) : [...current, gem];
    live.set(name, next);
    return `${name} ${yank ? '-' : ''}${versionAndPlatform(gem.fragment)} ${md5(infoText(next))}\n`;
  });
  return `created_at: ${isoSeconds(events[0]?.at)}\n---\n${lines.join('')}`;
}
