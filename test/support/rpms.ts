import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { run, runOk } from './exec';

/** Fails with the apt-get package to install when a tool the test drives is missing (`.ci/run` installs them). */
export async function requireTool(cmd: string, aptPackage: string): Promise<void> {
  const r = await run('sh', ['-c', `command -v ${cmd}`]);
  if (r.code !== 0) throw new Error(`${cmd} is not installed: apt-get install ${aptPackage}`);
}

export interface RpmSpec {
  name: string;
  version: string;
  release?: string;
  epoch?: number;
  /** `noarch`, or a target such as `x86_64`/`aarch64` (data-only packages build for any target). */
  arch?: string;
  summary?: string;
  description?: string;
  license?: string;
  url?: string;
  vendor?: string;
  packager?: string;
  group?: string;
  /** Dependency lines, written as in a spec file: `Requires: bar >= 2`, `Requires(pre): /bin/sh`, `Requires: (a or b)`. */
  deps?: string[];
  /** Files to install: absolute path -> content (bytes for binaries, e.g. a real ELF file). */
  files?: Record<string, string | Uint8Array>;
  /** Installed files made executable (mode 0755): rpmbuild's generators then add ELF and interpreter requires. */
  executables?: string[];
  /** Directories the package owns (`%dir`). */
  dirs?: string[];
  /** Files listed as `%ghost`. */
  ghosts?: string[];
  /** Changelog entries, newest first: `* Tue Jan 02 2024 Name <mail> - 1.0-1` then `- text`. */
  changelog?: { date: string; author: string; text: string }[];
  /** Extra shell lines for %install and extra %files lines, for packages the options above cannot describe. */
  install?: string[];
  fileLines?: string[];
  /** Build the source package (`rpmbuild -bs`) instead of the binary one. */
  source?: boolean;
  /** Payload compression, e.g. `w9.gzdio`, `w2.xzdio`, `w19.zstdio`. */
  payload?: string;
}

/** Builds a real .rpm (or .src.rpm) with rpmbuild in `dir` and returns its path. */
export async function buildRpm(dir: string, spec: RpmSpec): Promise<string> {
  await requireTool('rpmbuild', 'rpm');
  const top = await fsp.mkdtemp(join(dir, `${spec.name}-rpmbuild-`));
  for (const d of ['SPECS', 'SOURCES', 'BUILD', 'RPMS', 'SRPMS', 'BUILDROOT']) await fsp.mkdir(join(top, d));
  const files: Record<string, string | Uint8Array> = spec.files ?? { [`/usr/share/${spec.name}/README`]: `${spec.name} ${spec.version}\n` };
  // Each file travels as a numbered Source, so contents never pass through the shell or the spec parser.
  const payload = Object.entries(files);
  const install = payload
    .map(([path], i) => `mkdir -p "%{buildroot}$(dirname '${path}')"\ncp '%{_sourcedir}/file-${i}' '%{buildroot}${path}'`)
    .concat((spec.executables ?? []).map((path) => `chmod 0755 '%{buildroot}${path}'`))
    .concat((spec.dirs ?? []).map((d) => `mkdir -p '%{buildroot}${d}'`))
    .concat(spec.install ?? [])
    .join('\n');
  for (const [i, [, content]] of payload.entries()) await fsp.writeFile(join(top, 'SOURCES', `file-${i}`), content);
  const lines = [
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    `Release: ${spec.release ?? '1'}`,
    ...(spec.epoch !== undefined ? [`Epoch: ${spec.epoch}`] : []),
    `Summary: ${spec.summary ?? `${spec.name} for the Packyard tests`}`,
    `License: ${spec.license ?? 'MIT'}`,
    ...(spec.url ? [`URL: ${spec.url}`] : []),
    ...(spec.vendor ? [`Vendor: ${spec.vendor}`] : []),
    ...(spec.packager ? [`Packager: ${spec.packager}`] : []),
    ...(spec.group ? [`Group: ${spec.group}`] : []),
    ...(spec.arch === 'noarch' ? ['BuildArch: noarch'] : []),
    ...payload.map((_, i) => `Source${i}: file-${i}`),
    ...(spec.deps ?? []),
    '',
    '%description',
    spec.description ?? `${spec.name} is built by the Packyard test suite.`,
    '',
    '%prep',
    '%build',
    '%install',
    install,
    '',
    '%files',
    ...payload.map(([path]) => `"${path}"`),
    ...(spec.dirs ?? []).map((d) => `%dir "${d}"`),
    ...(spec.ghosts ?? []).map((g) => `%ghost "${g}"`),
    ...(spec.fileLines ?? []),
    '',
    ...(spec.changelog?.length ? ['%changelog', ...spec.changelog.flatMap((c) => [`* ${c.date} ${c.author}`, `- ${c.text}`, ''])] : []),
  ];
  const specFile = join(top, 'SPECS', `${spec.name}.spec`);
  await fsp.writeFile(specFile, lines.join('\n') + '\n');
  const defines = [
    ['_topdir', top],
    // Data-only test packages: no debuginfo, no stripping or byte-compiling, no build-id links.
    ['debug_package', '%{nil}'],
    ['__os_install_post', '%{nil}'],
    ['_build_id_links', 'none'],
    ['_binary_payload', spec.payload ?? 'w9.gzdio'],
    ['_source_payload', spec.payload ?? 'w9.gzdio'],
  ].flatMap(([k, v]) => ['--define', `${k} ${v}`]);
  const target = spec.arch && spec.arch !== 'noarch' && !spec.source ? ['--target', spec.arch] : [];
  await runOk('rpmbuild', [spec.source ? '-bs' : '-bb', ...defines, ...target, specFile], { env: { ...process.env, LC_ALL: 'C' } });
  const outDir = join(top, spec.source ? 'SRPMS' : 'RPMS');
  const built = await findRpm(outDir);
  const out = join(dir, built.split('/').pop()!);
  await fsp.rename(built, out);
  await fsp.rm(top, { recursive: true, force: true });
  return out;
}

async function findRpm(dir: string): Promise<string> {
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = await findRpm(p).catch(() => undefined);
      if (inner) return inner;
    } else if (entry.name.endsWith('.rpm')) return p;
  }
  throw new Error(`rpmbuild wrote no .rpm under ${dir}`);
}
