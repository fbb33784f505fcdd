import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { runOk } from './exec';

/** An environment that keeps gem and bundle away from the machine's own configuration and gems. */
export function gemEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: home,
    GEM_HOME: join(home, 'gems'),
    GEM_PATH: join(home, 'gems'),
    GEM_SPEC_CACHE: join(home, 'spec-cache'),
    GEMRC: join(home, '.gemrc'),
    BUNDLE_USER_HOME: join(home, 'bundle-home'),
    BUNDLE_USER_CONFIG: join(home, 'bundle-config'),
    BUNDLE_USER_CACHE: join(home, 'bundle-cache'),
    BUNDLE_DISABLE_VERSION_CHECK: 'true',
    ...extra,
  };
}

export interface GemOptions {
  name: string;
  version: string;
  platform?: string;
  /** Runtime dependencies: name and requirement strings (`['~> 1.0']`). */
  dependencies?: [string, ...string[]][];
  requiredRuby?: string;
  /** The module's body; defaults to a method returning the version. */
  code?: string;
}

/** Builds a real .gem with `gem build` in its own folder and returns its path. */
export async function buildGem(dir: string, env: NodeJS.ProcessEnv, opts: GemOptions): Promise<string> {
  const src = join(dir, `${opts.name}-${opts.version}${opts.platform ? `-${opts.platform}` : ''}-src`);
  await fsp.mkdir(join(src, 'lib'), { recursive: true });
  const mod = opts.name.replace(/(^|[-_])(\w)/g, (_m, _s, c: string) => c.toUpperCase());
  await fsp.writeFile(join(src, 'lib', `${opts.name}.rb`), `module ${mod}\n${opts.code ?? `  def self.version\n    ${JSON.stringify(opts.version)}\n  end`}\nend\n`);
  const lines = [
    'Gem::Specification.new do |s|',
    `  s.name = ${JSON.stringify(opts.name)}`,
    `  s.version = ${JSON.stringify(opts.version)}`,
    `  s.summary = "The ${opts.name} test gem"`,
    '  s.authors = ["Packyard tests"]',
    '  s.email = "tests@example.com"',
    '  s.homepage = "https://example.com/gems"',
    '  s.license = "MIT"',
    `  s.files = ["lib/${opts.name}.rb"]`,
    ...(opts.platform ? [`  s.platform = ${JSON.stringify(opts.platform)}`] : []),
    ...(opts.requiredRuby ? [`  s.required_ruby_version = ${JSON.stringify(opts.requiredRuby)}`] : []),
    ...(opts.dependencies ?? []).map(([n, ...reqs]) => `  s.add_dependency ${[n, ...reqs].map((x) => JSON.stringify(x)).join(', ')}`),
    '  s.add_development_dependency "rspec", "~> 3"',
    'end',
  ];
  await fsp.writeFile(join(src, `${opts.name}.gemspec`), lines.join('\n') + '\n');
  const r = await runOk('gem', ['build', `${opts.name}.gemspec`], { cwd: src, env });
  const file = /File: (\S+)/.exec(r.stdout)?.[1];
  if (!file) throw new Error(`gem build printed no file name:\n${r.stdout}`);
  const out = join(dir, file);
  await fsp.rename(join(src, file), out);
  return out;
}

/** The members of a .gem (a plain tar), in order. */
export async function gemMembers(bytes: Uint8Array): Promise<[string, Buffer][]> {
  const out: [string, Buffer][] = [];
  const extract = tar.extract();
  extract.end(Buffer.from(bytes));
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.push([entry.header.name, Buffer.concat(chunks)]);
  }
  return out;
}

export interface TarEntry {
  name: string;
  body?: Buffer;
  type?: 'file' | 'symlink' | 'directory' | 'link' | 'fifo';
  linkname?: string;
}

export async function packTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.type === 'directory' ? 0o755 : 0o644, mtime: new Date(0) }, e.body ?? Buffer.alloc(0));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** checksums.yaml.gz for the given members, as gem build writes it. */
export function checksumsFor(members: Map<string, Buffer>): Buffer {
  const files = ['metadata.gz', 'data.tar.gz'].filter((f) => members.has(f));
  const block = (alg: string) => [`${alg.toUpperCase()}:`, ...files.map((f) => `  ${f}: ${createHash(alg).update(members.get(f)!).digest('hex')}`)];
  return gzipSync(['---', ...block('sha256'), ...block('sha512'), ''].join('\n'));
}

/**
 * A copy of a real .gem with some members changed: `edit` gets the members (metadata YAML already
 * decompressed as `metadata`), and checksums.yaml.gz is recomputed unless `keepChecksums` is set.
 */
export async function repackGem(
  bytes: Uint8Array,
  edit: (members: Map<string, Buffer>, yaml: { text: string }) => void,
  opts: { keepChecksums?: boolean } = {},
): Promise<Buffer> {
  const members = new Map(await gemMembers(bytes));
  const yaml = { text: gunzipSync(members.get('metadata.gz')!).toString('utf8') };
  const before = yaml.text;
  edit(members, yaml);
  if (yaml.text !== before) members.set('metadata.gz', gzipSync(yaml.text));
  if (!opts.keepChecksums && members.has('checksums.yaml.gz')) members.set('checksums.yaml.gz', checksumsFor(members));
  return packTar([...members].map(([name, body]) => ({ name, body })));
}

/** A data.tar.gz holding the given entries. */
export async function dataTarGz(entries: TarEntry[]): Promise<Buffer> {
  return gzipSync(await packTar(entries));
}
