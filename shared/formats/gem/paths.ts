/** Object keys below `{owner}/{repo}/gems/`, the layout RubyGems and Bundler read. */
const base = (repo: string) => `${repo}/gems/`;

/** `gems/gems/{full_name}.gem` */
export const gemKey = (repo: string, fullName: string): string => `${base(repo)}gems/${fullName}.gem`;

/** `gems/quick/Marshal.4.8/{full_name}.gemspec.rz`, fetched by `gem install` for the version it picked. */
export const quickSpecKey = (repo: string, fullName: string): string => `${base(repo)}quick/Marshal.4.8/${fullName}.gemspec.rz`;

/** Compact index: `gems/info/{name}`. */
export const infoKey = (repo: string, name: string): string => `${base(repo)}info/${name}`;

export const versionsKey = (repo: string): string => `${base(repo)}versions`;

export const namesKey = (repo: string): string => `${base(repo)}names`;

/** Legacy full index: `specs.4.8.gz`, `latest_specs.4.8.gz`, `prerelease_specs.4.8.gz`. */
export const specsKey = (repo: string, which: 'specs' | 'latest_specs' | 'prerelease_specs'): string => `${base(repo)}${which}.4.8.gz`;

/** RubyGems' full name: `name-version`, plus `-platform` unless the gem is pure Ruby. */
export const fullName = (name: string, version: string, platform: string): string =>
  platform === '' || platform === 'ruby' ? `${name}-${version}` : `${name}-${version}-${platform}`;
