import { indexPath } from './name';

/** `{owner}/{repo}/cargo/crates/{name}/{name}-{version}.crate`, the `dl` template of config.json. */
export const crateKey = (repo: string, name: string, vers: string): string => `${repo}/cargo/crates/${name}/${name}-${vers}.crate`;

/** `{owner}/{repo}/cargo/index/{shard}/{name}`: one sparse index file per crate. */
export const indexKey = (repo: string, name: string): string => `${repo}/cargo/index/${indexPath(name)}`;

/** The registry's own index URL as Cargo writes it into `registry-index` of a packaged manifest. */
export const ownIndexUrl = (baseUrl: string, repo: string): string => `sparse+${baseUrl.replace(/\/+$/, '')}/${repo}/cargo/index/`;

/**
 * The sparse registry's config.json. `registryBase` is `{base}/{owner}/{repo}/cargo`: Cargo appends
 * `/api/v1/...` to `api`, and fills `{crate}`/`{version}` in `dl` from the index line.
 */
export function registryConfig(registryBase: string, authRequired: boolean): Record<string, string | boolean> {
  const base = registryBase.replace(/\/+$/, '');
  return { dl: `${base}/crates/{crate}/{crate}-{version}.crate`, api: base, ...(authRequired ? { 'auth-required': true } : {}) };
}
