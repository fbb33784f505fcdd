/** Object keys and URLs of the feed, below `{owner}/{repo}/nuget/`. */
export const flatDir = (repo: string, lowerId: string): string => `${repo}/nuget/v3/flatcontainer/${lowerId}/`;
export const nupkgKey = (repo: string, lowerId: string, lowerVersion: string): string => `${flatDir(repo, lowerId)}${lowerVersion}/${lowerId}.${lowerVersion}.nupkg`;
export const nuspecKey = (repo: string, lowerId: string, lowerVersion: string): string => `${flatDir(repo, lowerId)}${lowerVersion}/${lowerId}.nuspec`;
export const versionsKey = (repo: string, lowerId: string): string => `${flatDir(repo, lowerId)}index.json`;
export const registrationDir = (repo: string, lowerId: string): string => `${repo}/nuget/v3/registration/${lowerId}/`;

/** The service index: where each resource of the feed lives, with the exact `@type` names clients look for. */
export function serviceIndex(feedBase: string): Record<string, unknown> {
  const resource = (id: string, types: string[], comment: string) => types.map((t) => ({ '@id': id, '@type': t, comment }));
  return {
    version: '3.0.0',
    resources: [
      ...resource(`${feedBase}/api/v2/package`, ['PackagePublish/2.0.0'], 'Push (PUT) and unlist (DELETE) packages'),
      ...resource(`${feedBase}/v3/flatcontainer/`, ['PackageBaseAddress/3.0.0'], 'Package versions, .nupkg and .nuspec files'),
      ...resource(`${feedBase}/v3/registration/`, ['RegistrationsBaseUrl', 'RegistrationsBaseUrl/3.0.0-rc', 'RegistrationsBaseUrl/3.0.0-beta', 'RegistrationsBaseUrl/3.4.0', 'RegistrationsBaseUrl/3.6.0'], 'Package metadata'),
      ...resource(`${feedBase}/v3/search`, ['SearchQueryService', 'SearchQueryService/3.0.0-rc', 'SearchQueryService/3.0.0-beta', 'SearchQueryService/3.5.0'], 'Search'),
    ],
  };
}
