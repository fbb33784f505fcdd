import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { run, runOk, type RunResult } from './exec';

/**
 * The real npm, cut off from the machine's configuration: its own HOME, user config, an empty global config
 * and a cache under `dir`, and no `npm_config_*` variables inherited from whatever started the tests.
 */
export class Npm {
  readonly userconfig: string;
  private readonly globalconfig: string;
  private readonly cache: string;
  private readonly home: string;

  constructor(readonly dir: string) {
    this.userconfig = join(dir, 'npmrc');
    this.globalconfig = join(dir, 'global-npmrc');
    this.cache = join(dir, 'cache');
    this.home = join(dir, 'home');
  }

  /** Writes the configuration: the registry URL and, when given, the token npm sends as Bearer to it. */
  async configure(registry: string, token?: string): Promise<void> {
    await fsp.mkdir(this.home, { recursive: true });
    await fsp.writeFile(this.globalconfig, '');
    const key = registry.replace(/^https?:/, '');
    const lines = [`registry=${registry}`, 'audit=false', 'fund=false', 'update-notifier=false', 'loglevel=warn'];
    if (token) lines.push(`${key}:_authToken=${token}`);
    await fsp.writeFile(this.userconfig, lines.join('\n') + '\n');
  }

  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
    return { ...env, HOME: this.home, NO_UPDATE_NOTIFIER: '1', NO_COLOR: '1' };
  }

  args(args: string[]): string[] {
    return [...args, '--userconfig', this.userconfig, '--globalconfig', this.globalconfig, '--cache', this.cache, '--audit=false', '--fund=false', '--update-notifier=false'];
  }

  run(args: string[], cwd: string = this.dir): Promise<RunResult> {
    return run('npm', this.args(args), { cwd, env: this.env(), timeoutMs: 60_000 });
  }

  runOk(args: string[], cwd: string = this.dir): Promise<RunResult> {
    return runOk('npm', this.args(args), { cwd, env: this.env(), timeoutMs: 60_000 });
  }
}

export interface PackageSpec {
  name: string;
  version: string;
  /** Further package.json fields. */
  fields?: Record<string, unknown>;
  /** Extra files, path -> content. */
  files?: Record<string, string | Buffer>;
}

/** Writes a package folder and packs it with `npm pack`; returns the absolute path of the .tgz. */
export async function packNpm(npm: Npm, into: string, spec: PackageSpec): Promise<string> {
  const src = join(into, 'src', `${spec.name.replace('/', '__')}-${spec.version}`);
  await fsp.mkdir(src, { recursive: true });
  const manifest = { name: spec.name, version: spec.version, description: `${spec.name} for tests`, main: 'index.js', license: 'MIT', ...spec.fields };
  await fsp.writeFile(join(src, 'package.json'), JSON.stringify(manifest, null, 2));
  await fsp.writeFile(join(src, 'index.js'), `module.exports = ${JSON.stringify(`${spec.name}@${spec.version}`)};\n`);
  for (const [path, content] of Object.entries(spec.files ?? {})) {
    await fsp.mkdir(join(src, path, '..'), { recursive: true });
    await fsp.writeFile(join(src, path), content);
  }
  const r = await npm.runOk(['pack', '--json', '--pack-destination', into], src);
  const [{ filename }] = JSON.parse(r.stdout) as { filename: string }[];
  return join(into, filename);
}
