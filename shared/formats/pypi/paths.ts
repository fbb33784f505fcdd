/** The Simple Repository API root below a repository: `{owner}/{repo}/pypi/simple/`. */
export const simpleRoot = (repo: string): string => `${repo}/pypi/simple/`;

/** The project list, `index.html` or `index.json` (the edge picks one by the Accept header). */
export const catalogPageKey = (repo: string, ext: 'html' | 'json'): string => `${simpleRoot(repo)}index.${ext}`;

/** A project's page under its normalised name. */
export const projectPageKey = (repo: string, project: string, ext: 'html' | 'json'): string => `${simpleRoot(repo)}${project}/index.${ext}`;

/** `{owner}/{repo}/pypi/files/{project}/{filename}`, on the index's host so pip sends its credentials. */
export const distFileKey = (repo: string, project: string, filename: string): string => `${repo}/pypi/files/${project}/${filename}`;

/** PEP 658: the wheel's METADATA beside it. */
export const metadataFileKey = (fileKey: string): string => `${fileKey}.metadata`;
