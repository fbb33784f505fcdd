import { badRequest } from '../../domain/errors';
import { RpmCodes } from './codes';
import { rpmvercmp, splitEvr } from './evr';
import type { RpmHeader } from './header';
import { isPrimaryFile } from './files';
import { type DepFlag, type DependencyKind, type RpmDependencies, type RpmDependency, DEPENDENCY_KINDS } from './model';
import { Sense, Tag } from './tags';

/** One dependency as stored: three parallel header arrays. */
interface RawDep {
  name: string;
  flags: number;
  version: string;
}

const SETS: readonly [DependencyKind | 'oldsuggests' | 'oldenhances', number, number, number][] = [
  ['provides', Tag.PROVIDENAME, Tag.PROVIDEFLAGS, Tag.PROVIDEVERSION],
  ['conflicts', Tag.CONFLICTNAME, Tag.CONFLICTFLAGS, Tag.CONFLICTVERSION],
  ['obsoletes', Tag.OBSOLETENAME, Tag.OBSOLETEFLAGS, Tag.OBSOLETEVERSION],
  ['requires', Tag.REQUIRENAME, Tag.REQUIREFLAGS, Tag.REQUIREVERSION],
  ['suggests', Tag.SUGGESTNAME, Tag.SUGGESTFLAGS, Tag.SUGGESTVERSION],
  ['enhances', Tag.ENHANCENAME, Tag.ENHANCEFLAGS, Tag.ENHANCEVERSION],
  ['recommends', Tag.RECOMMENDNAME, Tag.RECOMMENDFLAGS, Tag.RECOMMENDVERSION],
  ['supplements', Tag.SUPPLEMENTNAME, Tag.SUPPLEMENTFLAGS, Tag.SUPPLEMENTVERSION],
  // SUSE's pre-4.12 weak dependencies; the STRONG bit makes them recommends/supplements.
  ['oldsuggests', Tag.OLDSUGGESTSNAME, Tag.OLDSUGGESTSFLAGS, Tag.OLDSUGGESTSVERSION],
  ['oldenhances', Tag.OLDENHANCESNAME, Tag.OLDENHANCESFLAGS, Tag.OLDENHANCESVERSION],
];

const FLAG_NAMES: Readonly<Record<number, DepFlag>> = {
  [Sense.LESS]: 'LT',
  [Sense.GREATER]: 'GT',
  [Sense.EQUAL]: 'EQ',
  [Sense.LESS | Sense.EQUAL]: 'LE',
  [Sense.GREATER | Sense.EQUAL]: 'GE',
};
const COMPARISON_BITS = 0xf;
const PRE_BITS = Sense.PREREQ | Sense.SCRIPT_PRE | Sense.SCRIPT_POST;

function rawSet(h: RpmHeader, kind: string, nameTag: number, flagsTag: number, versionTag: number): RawDep[] {
  const names = h.strings(nameTag);
  if (!names) return [];
  const flags = h.numbers(flagsTag);
  const versions = h.strings(versionTag);
  if (!flags || !versions || flags.length !== names.length || versions.length !== names.length) {
    throw badRequest(RpmCodes.INVALID_DEPENDENCY, `the ${kind} have ${names.length} names, ${flags?.length ?? 0} flags and ${versions?.length ?? 0} versions`);
  }
  return names.map((name, i) => {
    if (name === '') throw badRequest(RpmCodes.INVALID_DEPENDENCY, `${kind} entry ${i} has an empty name`);
    return { name, flags: flags[i], version: versions[i] };
  });
}

/** The repodata entry of one raw dependency; the version attributes appear only with a comparison. */
function entry(kind: string, d: RawDep): RpmDependency {
  const flags = FLAG_NAMES[d.flags & COMPARISON_BITS];
  if (!flags) return { name: d.name };
  const evr = splitEvr(d.version);
  if (!evr) throw badRequest(RpmCodes.INVALID_DEPENDENCY, `the ${kind} entry ${JSON.stringify(`${d.name} ${d.version}`)} has a non-numeric epoch`);
  if (d.version === '') return { name: d.name, flags };
  return evr.rel !== undefined ? { name: d.name, flags, epoch: evr.epoch, ver: evr.ver, rel: evr.rel } : { name: d.name, flags, epoch: evr.epoch, ver: evr.ver };
}

/** The version inside the first parentheses of `libc.so.6(GLIBC_2.34)(64bit)`, from its first digit. */
function libcVersion(name: string): string {
  const open = name.indexOf('(');
  const close = open >= 0 ? name.indexOf(')', open) : -1;
  if (close < 0) return '';
  return name.slice(open + 1, close).replace(/^[^0-9]*/, '');
}

/**
 * Reads every dependency set and applies createrepo_c's rules, so dnf sees what it would see from a
 * createrepo_c repository: requires drop `rpmlib(...)`, the package's own primary files, anything it
 * provides itself (same name, flags and version) and exact repeats; of the `libc.so.6` requires only the
 * highest symbol version is kept (it implies the others), listed last.
 */
export function readDependencies(h: RpmHeader, ownFiles: ReadonlySet<string>): RpmDependencies {
  const deps = Object.fromEntries(DEPENDENCY_KINDS.map((k) => [k, [] as RpmDependency[]])) as RpmDependencies;
  const provided = new Set<string>();
  const key = (d: RawDep) => `${d.name}\u0000${FLAG_NAMES[d.flags & COMPARISON_BITS] ?? ''}\u0000${d.version}`;
  for (const [kind, nameTag, flagsTag, versionTag] of SETS) {
    const raw = rawSet(h, kind, nameTag, flagsTag, versionTag);
    if (kind === 'oldsuggests' || kind === 'oldenhances') {
      for (const d of raw) {
        const strong = (d.flags & Sense.STRONG) !== 0;
        const target = kind === 'oldsuggests' ? (strong ? 'recommends' : 'suggests') : strong ? 'supplements' : 'enhances';
        deps[target].push(entry(kind, d));
      }
      continue;
    }
    if (kind !== 'requires') {
      for (const d of raw) {
        deps[kind].push(entry(kind, d));
        if (kind === 'provides') provided.add(key(d));
      }
      continue;
    }
    const last = new Map<string, { flags: DepFlag | undefined; version: string; pre: boolean }>();
    let libc: RpmDependency | undefined;
    for (const d of raw) {
      if (d.name.startsWith('rpmlib(')) continue;
      if (d.name.startsWith('/') && ownFiles.has(d.name) && isPrimaryFile(d.name)) continue;
      if (provided.has(key(d))) continue;
      const pre = (d.flags & PRE_BITS) !== 0;
      const flags = FLAG_NAMES[d.flags & COMPARISON_BITS];
      const seen = last.get(d.name);
      if (seen && seen.flags === flags && seen.version === d.version && seen.pre === pre) continue;
      // Old SUSE packages mark weak dependencies as requires that may be missing.
      if ((d.flags & Sense.MISSINGOK) !== 0) {
        deps.recommends.push(entry(kind, d));
        continue;
      }
      const e = entry(kind, d);
      if (pre) e.pre = true;
      if (d.name.startsWith('libc.so.6')) {
        if (!libc || rpmvercmp(libcVersion(d.name), libcVersion(libc.name)) > 0) libc = e;
        continue;
      }
      deps.requires.push(e);
      last.set(d.name, { flags, version: d.version, pre });
    }
    if (libc) deps.requires.push(libc);
  }
  return deps;
}
