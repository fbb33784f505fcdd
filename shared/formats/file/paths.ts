/** `{owner}/{repo}/files/{name}/`: a package's versions and its index.json. */
export const packageDir = (repo: string, name: string): string => `${repo}/files/${name}/`;

/** `{owner}/{repo}/files/{name}/{version}/{filename}` */
export const fileKey = (repo: string, name: string, version: string, filename: string): string => `${packageDir(repo, name)}${version}/${filename}`;

export const indexKey = (repo: string, name: string): string => `${packageDir(repo, name)}index.json`;
