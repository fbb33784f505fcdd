import { badRequest } from '../../domain/errors';
import { RpmCodes } from './codes';
import type { RpmHeader } from './header';
import type { RpmFileEntry } from './model';
import { FileFlag, Tag } from './tags';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
// C0 controls and DEL: never part of a real file name, and most are not even representable in XML 1.0.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The files that go into primary.xml besides filelists.xml (createrepo_c `cr_is_primary`): dnf resolves
 * file dependencies on these without downloading filelists.
 */
export const isPrimaryFile = (path: string): boolean => path.startsWith('/etc/') || path === '/usr/lib/sendmail' || path.includes('bin/');

const unsafe = (path: string, why: string) => badRequest(RpmCodes.UNSAFE_PATH, `the package contains the file name ${JSON.stringify(path)}, which ${why}`);

/**
 * The package's file list (path = DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]) with dir/ghost types, checked so
 * that no name can escape the install root: binary packages hold absolute, normalised paths; source
 * packages hold bare file names.
 */
export function readFiles(h: RpmHeader, source: boolean): RpmFileEntry[] {
  const paths = filePaths(h);
  const modes = h.numbers(Tag.FILEMODES);
  const flags = h.numbers(Tag.FILEFLAGS);
  for (const [name, values] of [['FILEMODES', modes], ['FILEFLAGS', flags]] as const) {
    if (values && values.length !== paths.length) {
      throw badRequest(RpmCodes.BAD_HEADER, `the package lists ${paths.length} files but ${values.length} ${name}`);
    }
  }
  return paths.map((path, i) => {
    checkPath(path, source);
    const type = ((modes?.[i] ?? 0) & S_IFMT) === S_IFDIR ? 'dir' : ((flags?.[i] ?? 0) & FileFlag.GHOST) !== 0 ? 'ghost' : undefined;
    return type ? { path, type } : { path };
  });
}

function filePaths(h: RpmHeader): string[] {
  const basenames = h.strings(Tag.BASENAMES);
  if (!basenames) return h.strings(Tag.OLDFILENAMES) ?? [];
  const dirnames = h.strings(Tag.DIRNAMES);
  const indexes = h.numbers(Tag.DIRINDEXES);
  if (!dirnames || !indexes || indexes.length !== basenames.length) {
    throw badRequest(RpmCodes.BAD_HEADER, `the file list is inconsistent: ${basenames.length} BASENAMES, ${indexes?.length ?? 0} DIRINDEXES, ${dirnames?.length ?? 0} DIRNAMES`);
  }
  return basenames.map((base, i) => {
    const dir = dirnames[indexes[i]];
    if (dir === undefined) throw badRequest(RpmCodes.BAD_HEADER, `file ${i} (${JSON.stringify(base)}) refers to directory ${indexes[i]} of ${dirnames.length}`);
    if (base.includes('/')) throw unsafe(dir + base, 'has a "/" inside its base name');
    return dir + base;
  });
}

function checkPath(path: string, source: boolean): void {
  if (CONTROL.test(path)) throw unsafe(path, 'contains a control character');
  if (source) {
    // rpmbuild stores sources and the spec with an empty directory: they unpack into the build tree.
    if (path === '' || path.includes('/') || path === '.' || path === '..') throw unsafe(path, 'is not a plain file name, as source packages need');
    return;
  }
  if (!path.startsWith('/')) throw unsafe(path, 'is not absolute');
  const parts = path.split('/').slice(1);
  if (parts.some((p) => p === '.' || p === '..')) throw unsafe(path, 'has a "." or ".." component');
  if (parts.some((p, i) => p === '' && !(i === parts.length - 1 && parts.length === 1))) throw unsafe(path, 'is not normalised (empty component)');
}
