import type { Distribution } from '../../domain/distribution';

/** The only repository Packyard publishes per branch (`{base}/alpine/v3.19/main`). */
export const APK_REPOSITORY = 'main';
export const NOARCH = 'noarch';
export const INDEX_NAME = 'APKINDEX.tar.gz';

/** Alpine branches: `v3.19`, `v3.20`, ... and `edge`. */
export const ALPINE_RELEASE = /^(v[0-9]+\.[0-9]+|edge)$/;

/** `{owner}/{repo}/alpine`: where the branches and the public key live. */
export const alpineRoot = (repo: string): string => `${repo}/alpine`;

/** `{owner}/{repo}/alpine/{branch}/main/{arch}/`: the index and the packages beside it. */
export const archDir = (repo: string, d: Distribution, arch: string): string => `${alpineRoot(repo)}/${d.release}/${APK_REPOSITORY}/${arch}/`;

/** `{name}-{version}.apk`, the name apk asks for. */
export const apkFilename = (name: string, version: string): string => `${name}-${version}.apk`;

/** The public key apk users install as /etc/apk/keys/{keyName}.rsa.pub. */
export const publicKeyKey = (repo: string, keyName: string): string => `${alpineRoot(repo)}/${keyName}.rsa.pub`;
