import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { run, type RunResult } from '../../support/exec';
import { requireTool } from '../../support/rpms';

export interface DnfRepo {
  id: string;
  baseurl: string;
  /** URL (or file://) of the armored public key that signs repomd.xml. */
  gpgkey: string;
  /** Credentials as a private repository's .repo file carries them. */
  username?: string;
  password?: string;
}

/**
 * Drives the real dnf against its own install root, configuration, cache and repository files, never the
 * machine's. Metadata signatures are checked (`repo_gpgcheck=1`); package signatures are not
 * (`gpgcheck=0`): a registry cannot sign user RPMs without changing their bytes (protocols.md §2.1).
 */
export class DnfClient {
  private constructor(readonly dir: string, private readonly arch?: string) {}

  /** `arch` makes dnf behave as on another host (`--forcearch`), e.g. aarch64. */
  static async create(dir: string, arch?: string): Promise<DnfClient> {
    await requireTool('dnf', 'dnf');
    for (const d of ['root', 'repos']) await fsp.mkdir(join(dir, d), { recursive: true });
    // Paths below are taken relative to the install root by dnf itself.
    await fsp.writeFile(
      join(dir, 'dnf.conf'),
      ['[main]', 'cachedir=/var/cache/dnf', 'logdir=/var/log', 'persistdir=/var/lib/dnf', 'install_weak_deps=False', 'keepcache=False', ''].join('\n'),
    );
    return new DnfClient(dir, arch);
  }

  get root(): string {
    return join(this.dir, 'root');
  }

  async setRepo(repo: DnfRepo): Promise<void> {
    const lines = [
      `[${repo.id}]`,
      `name=${repo.id}`,
      `baseurl=${repo.baseurl}`,
      'enabled=1',
      'repo_gpgcheck=1',
      'gpgcheck=0',
      `gpgkey=${repo.gpgkey}`,
      'skip_if_unavailable=False',
      ...(repo.username !== undefined ? [`username=${repo.username}`] : []),
      ...(repo.password !== undefined ? [`password=${repo.password}`] : []),
    ];
    await fsp.writeFile(join(this.dir, 'repos', `${repo.id}.repo`), lines.join('\n') + '\n', { mode: 0o600 });
  }

  dnf(args: string[]): Promise<RunResult> {
    return run(
      'dnf',
      [
        '-y',
        '-c',
        join(this.dir, 'dnf.conf'),
        `--installroot=${this.root}`,
        '--releasever=9',
        `--setopt=reposdir=${join(this.dir, 'repos')}`,
        '--noplugins',
        '--setopt=retries=1',
        ...(this.arch ? [`--forcearch=${this.arch}`] : []),
        ...args,
      ],
      { env: { ...process.env, LC_ALL: 'C.UTF-8' }, timeoutMs: 120_000 },
    );
  }

  makecache(): Promise<RunResult> {
    return this.dnf(['makecache']);
  }

  install(...pkgs: string[]): Promise<RunResult> {
    return this.dnf(['install', ...pkgs]);
  }

  upgrade(): Promise<RunResult> {
    return this.dnf(['--refresh', 'upgrade']);
  }

  /** `name-epoch:version-release.arch` of the packages dnf sees for one name, after refreshing its metadata. */
  async available(name: string): Promise<string[]> {
    const r = await this.dnf(['repoquery', '--refresh', '--quiet', '--qf', '%{name}-%{epoch}:%{version}-%{release}.%{arch}', name]);
    if (r.code !== 0) throw new Error(`dnf repoquery failed:\n${r.stdout}\n${r.stderr}`);
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  /** The installed EVRA of a package, from the install root's rpm database, or undefined. */
  async installed(name: string): Promise<string | undefined> {
    const r = await run('rpm', ['--root', this.root, '-q', '--qf', '%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}', name]);
    return r.code === 0 ? r.stdout : undefined;
  }

  installedFile(path: string): Promise<string> {
    return fsp.readFile(join(this.root, path), 'utf8');
  }
}

/** dnf's own words for the whole run, for matching errors. */
export const output = (r: RunResult): string => `${r.stdout}\n${r.stderr}`;
