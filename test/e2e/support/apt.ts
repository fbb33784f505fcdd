import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { run, type RunResult } from '../../support/exec';

/**
 * Drives the real apt-get with its own Dir:: settings, never the machine's sources, state or cache.
 * Installs go into a private dpkg root (`root/`) with its own status database.
 */
export class AptClient {
  private constructor(readonly dir: string) {}

  static async create(dir: string): Promise<AptClient> {
    for (const d of ['sources.list.d', 'trusted.gpg.d', 'preferences.d', 'lists/partial', 'cache/archives/partial', 'dpkg/info', 'dpkg/updates', 'dpkg/triggers', 'root', 'log']) {
      await fsp.mkdir(join(dir, d), { recursive: true });
    }
    await fsp.writeFile(join(dir, 'dpkg/status'), '');
    await fsp.writeFile(join(dir, 'extended_states'), '');
    await fsp.writeFile(join(dir, 'sources.list'), '');
    return new AptClient(dir);
  }

  /** One sources line; `key` is the armored public key served by the repository. */
  async setSource(line: string, key?: string, auth?: { machine: string; login: string; password: string }): Promise<void> {
    if (key !== undefined) await fsp.writeFile(join(this.dir, 'repo-key.asc'), key);
    await fsp.writeFile(join(this.dir, 'sources.list'), line.replace('{key}', join(this.dir, 'repo-key.asc')) + '\n');
    const authFile = join(this.dir, 'auth.conf');
    if (auth) await fsp.writeFile(authFile, `machine ${auth.machine} login ${auth.login} password ${auth.password}\n`, { mode: 0o600 });
    else await fsp.rm(authFile, { force: true });
  }

  private options(): string[] {
    const d = this.dir;
    const o = (k: string, v: string) => ['-o', `${k}=${v}`];
    return [
      ...o('Dir::Etc::SourceList', join(d, 'sources.list')),
      ...o('Dir::Etc::SourceParts', join(d, 'sources.list.d')),
      ...o('Dir::Etc::Trusted', join(d, 'trusted.gpg')),
      ...o('Dir::Etc::TrustedParts', join(d, 'trusted.gpg.d')),
      ...o('Dir::Etc::Preferences', join(d, 'preferences')),
      ...o('Dir::Etc::PreferencesParts', join(d, 'preferences.d')),
      ...o('Dir::Etc::netrc', join(d, 'auth.conf')),
      ...o('Dir::Etc::netrcparts', join(d, 'auth.conf.d')),
      ...o('Dir::State::Lists', join(d, 'lists')),
      ...o('Dir::State::extended_states', join(d, 'extended_states')),
      ...o('Dir::State::status', join(d, 'dpkg/status')),
      ...o('Dir::Cache', join(d, 'cache')),
      ...o('Dir::Cache::pkgcache', ''),
      ...o('Dir::Cache::srcpkgcache', ''),
      ...o('Dir::Log', join(d, 'log')),
      ...o('Debug::NoLocking', '1'),
      ...o('APT::Sandbox::User', 'root'),
      ...o('Acquire::Retries', '0'),
      ...o('APT::Architecture', 'amd64'),
      ...o('DPkg::Options::', `--admindir=${join(d, 'dpkg')}`),
      ...o('DPkg::Options::', `--instdir=${join(d, 'root')}`),
      ...o('DPkg::Options::', '--force-not-root'),
      ...o('DPkg::Options::', '--force-bad-path'),
      ...o('DPkg::Options::', '--log=' + join(d, 'log/dpkg.log')),
      ...o('DPkg::Use-Pty', '0'),
      ...o('DPkg::Pre-Invoke::', ''),
      ...o('DPkg::Post-Invoke::', ''),
      ...o('APT::Update::Post-Invoke-Success::', ''),
    ];
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' };
  }

  aptGet(args: string[]): Promise<RunResult> {
    return run('apt-get', [...this.options(), ...args], { env: this.env(), cwd: this.dir });
  }

  aptCache(args: string[]): Promise<RunResult> {
    return run('apt-cache', [...this.options(), ...args], { env: this.env(), cwd: this.dir });
  }

  update(): Promise<RunResult> {
    return this.aptGet(['update']);
  }

  install(...pkgs: string[]): Promise<RunResult> {
    return this.aptGet(['install', '-y', '--no-install-recommends', ...pkgs]);
  }

  /** The version apt would install, or undefined. */
  async candidate(pkg: string): Promise<string | undefined> {
    const r = await this.aptCache(['policy', pkg]);
    const m = /Candidate:\s*(\S+)/.exec(r.stdout);
    return m && m[1] !== '(none)' ? m[1] : undefined;
  }

  installedFile(path: string): Promise<string> {
    return fsp.readFile(join(this.dir, 'root', path), 'utf8');
  }
}
