import type { Distribution } from '../../domain/distribution';

/** The directory source packages are indexed in, beside the architecture directories (Fedora's name). */
export const SOURCE_DIR = 'SRPMS';
/** noarch packages live once, in their own directory; every architecture's index points there. */
export const NOARCH = 'noarch';

/** `{owner}/{repo}/{distro}/{release}`: the architecture directories (dnf's `$basearch`) live below it. */
export const rpmBase = (repo: string, d: Distribution): string => `${repo}/${d.distro}/${d.release}`;

/** The directory a package's file lives in: its arch, `noarch`, or SRPMS for source packages. */
export const packageDir = (arch: string): string => (arch === 'src' || arch === 'nosrc' ? SOURCE_DIR : arch);

/** `{name}-{version}-{release}.{arch}.rpm`, as rpmbuild names it (no epoch). */
export const rpmFilename = (name: string, ver: string, rel: string, arch: string): string => `${name}-${ver}-${rel}.${arch}.rpm`;

/** Path of the file below the release directory: `{dir}/Packages/{first letter}/{file}`, Fedora's layout. */
export const poolPath = (name: string, arch: string, filename: string): string =>
  `${packageDir(arch)}/Packages/${name.slice(0, 1).toLowerCase()}/${filename}`;

/**
 * `location href` as seen from the index directory that lists the package: relative to that directory,
 * so noarch packages, listed in every architecture's index, are reached through `../noarch/`.
 */
export const locationHref = (name: string, arch: string, filename: string): string =>
  arch === NOARCH ? `../${poolPath(name, arch, filename)}` : poolPath(name, arch, filename).slice(packageDir(arch).length + 1);
