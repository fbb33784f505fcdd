import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './exec';

export interface DebSpec {
  name: string;
  version: string;
  arch?: string;
  compression?: 'gzip' | 'xz' | 'zstd';
  /** Extra control fields, e.g. { Depends: 'libc6' }. */
  fields?: Record<string, string>;
  /** Files to install: path -> content. */
  files?: Record<string, string>;
  /** The control file verbatim (built with --nocheck, for invalid packages). */
  rawControl?: string;
}

/** Builds a real .deb with dpkg-deb in `dir` and returns its path. */
export async function buildDeb(dir: string, spec: DebSpec): Promise<string> {
  const arch = spec.arch ?? 'amd64';
  const root = await fsp.mkdtemp(join(dir, `${spec.name}-`));
  await fsp.mkdir(join(root, 'DEBIAN'), { recursive: true });
  const files = spec.files ?? { [`usr/share/doc/${spec.name}/README`]: `${spec.name} ${spec.version}\n` };
  for (const [path, content] of Object.entries(files)) {
    await fsp.mkdir(join(root, path, '..'), { recursive: true });
    await fsp.writeFile(join(root, path), content);
  }
  const fields: Record<string, string> = {
    Package: spec.name,
    Version: spec.version,
    Architecture: arch,
    Maintainer: 'Packyard Tests <tests@packyard.invalid>',
    'Installed-Size': '1',
    Section: 'misc',
    Priority: 'optional',
    ...spec.fields,
    Description: spec.fields?.Description ?? `test package ${spec.name}\n Built by the Packyard test suite.`,
  };
  const control = Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n') + '\n';
  await fsp.writeFile(join(root, 'DEBIAN', 'control'), spec.rawControl ?? control);
  const out = join(dir, `${spec.name}_${spec.version.replace(/^\d+:/, '').replace(/[^A-Za-z0-9.+~-]/g, '_')}_${arch}.deb`);
  const check = spec.rawControl ? ['--nocheck'] : [];
  await runOk('dpkg-deb', ['--root-owner-group', ...check, `-Z${spec.compression ?? 'gzip'}`, '--build', root, out]);
  await fsp.rm(root, { recursive: true, force: true });
  return out;
}
