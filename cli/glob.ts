import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors';

export const hasWildcard = (s: string): boolean => /[*?]/.test(s);

/** `*` and `?` in one path segment, shell style: they never match `/`, nor a leading dot unless written. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const hidden = pattern.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${hidden}${re}$`);
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * The files named by the arguments, in order, without duplicates. The shell usually expands globs; a pattern
 * that arrives unexpanded (quoted, or on Windows) is expanded here in its file-name part. Every argument must
 * name at least one regular file, so nothing is uploaded when one of them is wrong.
 */
export async function expandFileArgs(args: string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (display: string) => {
    const abs = path.resolve(cwd, display);
    if (!seen.has(abs)) {
      seen.add(abs);
      out.push(display);
    }
  };
  for (const arg of args) {
    const literal = path.resolve(cwd, arg);
    // A file may really be called `a*.deb`: the shell already expanded the pattern to it.
    if (await isFile(literal)) {
      add(arg);
      continue;
    }
    const base = path.basename(arg);
    if (!hasWildcard(base)) {
      const exists = await fs.stat(literal).then(() => true, () => false);
      throw new UsageError(exists ? `not a regular file: ${arg}` : `no such file: ${arg}`, exists ? 'NOT_A_FILE' : 'FILE_NOT_FOUND', 'push');
    }
    const dir = arg.slice(0, arg.length - base.length);
    const re = globToRegExp(base);
    let names: string[];
    try {
      names = await fs.readdir(path.resolve(cwd, dir || '.'));
    } catch {
      throw new UsageError(`no such directory: ${dir}`, 'FILE_NOT_FOUND', 'push');
    }
    const matches: string[] = [];
    for (const name of names.filter((n) => re.test(n)).sort()) {
      if (await isFile(path.resolve(cwd, dir || '.', name))) matches.push(dir + name);
    }
    if (matches.length === 0) throw new UsageError(`no files match ${arg}`, 'NO_MATCH', 'push');
    matches.forEach(add);
  }
  return out;
}
