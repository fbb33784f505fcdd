import { unscopedName } from './name';

/** The registry's folder of a package, below `{owner}/{repo}/`: `npm/{name}` (scoped: `npm/@scope/name`). */
const packageDir = (repo: string, name: string): string => `${repo}/npm/${name}`;

/** `{unscoped}-{version}.tgz`, as npm names tarballs. */
export const tarballFilename = (name: string, version: string): string => `${unscopedName(name)}-${version}.tgz`;

/** `{name}/-/{unscoped}-{version}.tgz`: the tarball's path below the registry URL. */
export const tarballPath = (name: string, version: string): string => `${name}/-/${tarballFilename(name, version)}`;

export const tarballKey = (repo: string, name: string, version: string): string => `${repo}/npm/${tarballPath(name, version)}`;

/** The full packument (`GET /{name}`, `?write=true`). */
export const packumentKey = (repo: string, name: string): string => `${packageDir(repo, name)}/index.json`;

/** The abbreviated packument (`Accept: application/vnd.npm.install-v1+json`). */
export const abbreviatedKey = (repo: string, name: string): string => `${packageDir(repo, name)}/index.abbrev.json`;

/** `GET /-/package/{name}/dist-tags`. */
export const distTagsKey = (repo: string, name: string): string => `${packageDir(repo, name)}/dist-tags.json`;

/** The absolute tarball URL clients download (`dist.tarball`), under the registry URL so npm sends its token. */
export const tarballUrl = (baseUrl: string, repo: string, name: string, version: string): string =>
  `${baseUrl}/${repo}/npm/${tarballPath(name, version)}`;
