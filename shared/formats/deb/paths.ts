import type { Distribution } from '../../domain/distribution';
import { versionWithoutEpoch } from './version';

/** The only component Packyard publishes. */
export const COMPONENT = 'main';

/** `{name}_{version without epoch}_{arch}.deb`, as dpkg-name and the Debian archive name files. */
export const debFilename = (name: string, version: string, arch: string): string => `${name}_${versionWithoutEpoch(version)}_${arch}.deb`;

/** Debian pool prefix: the first letter, or `lib` plus the next letter for library packages. */
export const poolPrefix = (name: string): string => (name.startsWith('lib') && name.length > 3 ? name.slice(0, 4) : name.slice(0, 1));

/** The apt base URL's path: `{owner}/{repo}/{distro}`; Filename and dists/ are relative to it. */
export const aptBase = (repo: string, d: Distribution): string => `${repo}/${d.distro}`;

/** Pool path relative to the apt base; the release is part of it so one file name may differ per release. */
export const poolPath = (d: Distribution, name: string, filename: string): string =>
  `pool/${d.release}/${COMPONENT}/${poolPrefix(name)}/${name}/${filename}`;

/** `{owner}/{repo}/{distro}/dists/{release}/` */
export const distsDir = (repo: string, d: Distribution): string => `${aptBase(repo, d)}/dists/${d.release}/`;
