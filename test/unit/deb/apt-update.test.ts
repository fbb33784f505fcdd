import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileHashes } from '../../../shared/domain/hashes';
import { debFormat } from '../../../shared/formats/deb';
import type { IndexMember, PublishedFile } from '../../../shared/formats/format';
import { createSigner, generateSigningKey } from '../../../shared/signing/openpgp';
import { buildDeb } from '../../support/debs';
import { run, runOk } from '../../support/exec';

/**
 * The whole format plug-in against apt itself: real .debs parsed, pooled and indexed, the suite signed, and
 * `apt-get update` + `apt-get download` run over a file: URI with only by-hash index files present.
 */
describe('apt accepts a rendered suite', () => {
  let root: string;
  let apt: string[];
  const built = new Map<string, string>();

  beforeAll(async () => {
    root = await fsp.mkdtemp(join(tmpdir(), 'packyard-apt-'));
    const repo = 'acme/tools';
    const dist = { distro: 'debian', release: 'bookworm' };
    const specs = [
      { name: 'hello', version: '1.0-1', compression: 'gzip' as const },
      { name: 'hello', version: '1.1-1', compression: 'zstd' as const, fields: { Depends: 'hello-doc (>= 1:2.0)' } },
      { name: 'hello-doc', version: '1:2.0-1', arch: 'all', compression: 'xz' as const },
      { name: 'libhello1', version: '0.1', arch: 'arm64' },
    ];
    const members: IndexMember[] = [];
    for (const spec of specs) {
      const bytes = await fsp.readFile(await buildDeb(root, spec));
      const pkg = await debFormat.parse(bytes, {});
      const blobKey = debFormat.blobKey(repo, dist, pkg);
      await write(blobKey, bytes);
      built.set(`${pkg.name} ${pkg.version}`, blobKey);
      const fragment = debFormat.fragment(repo, dist, pkg, { blobKey, size: bytes.length, hashes: fileHashes(bytes) });
      members.push({ name: pkg.name, version: pkg.version, arch: pkg.arch, fragment });
    }

    const key = await generateSigningKey({ type: 'ed25519', name: 'Packyard acme/tools', email: 'tools@acme.packyard' });
    await fsp.writeFile(join(root, 'keyring.gpg'), key.publicKeyBinary);
    const rendered = await debFormat.render({ repo, scope: `${dist.distro}/${dist.release}`, distribution: dist, members, now: new Date() }, await createSigner(key.privateKeyArmored));
    // Only by-hash copies: apt must follow Acquire-By-Hash to find the indexes.
    for (const f of rendered.content.filter((c) => c.key.includes('/by-hash/'))) await write(f.key, f.body);
    for (const f of rendered.top) await write(f.key, f.body);

    const a = join(root, 'apt');
    for (const d of ['lists/partial', 'cache/archives/partial', 'sources.list.d', 'trusted.gpg.d', 'p.d', 'download']) await fsp.mkdir(join(a, d), { recursive: true });
    await fsp.writeFile(join(a, 'sources.list'), `deb [signed-by=${root}/keyring.gpg] file:${root}/acme/tools/debian bookworm main\n`);
    apt = [
      `-o=Dir::Etc::SourceList=${a}/sources.list`, `-o=Dir::Etc::SourceParts=${a}/sources.list.d`, `-o=Dir::Etc::Trusted=${a}/trusted.gpg`,
      `-o=Dir::Etc::TrustedParts=${a}/trusted.gpg.d`, `-o=Dir::Etc::Preferences=${a}/p`, `-o=Dir::Etc::PreferencesParts=${a}/p.d`,
      `-o=Dir::State::Lists=${a}/lists`, `-o=Dir::State::extended_states=${a}/es`, `-o=Dir::Cache=${a}/cache`, '-o=Dir::Cache::pkgcache=',
      '-o=Dir::Cache::srcpkgcache=', '-o=Debug::NoLocking=1', '-o=APT::Architecture=amd64', '-o=APT::Architectures::=amd64',
      '-o=Acquire::Languages=none', '-o=APT::Sandbox::User=root',
    ];

    async function write(key: PublishedFile['key'], body: Uint8Array) {
      await fsp.mkdir(dirname(join(root, key)), { recursive: true });
      await fsp.writeFile(join(root, key), body);
    }
  });

  afterAll(async () => {
    await fsp.rm(root, { recursive: true, force: true });
  });

  it('runs apt-get update cleanly, verifying InRelease with the signed-by keyring', async () => {
    const r = await run('apt-get', [...apt, 'update']);
    expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^(W|E|Err):/m);
    expect(r.code).toBe(0);
    const lists = await fsp.readdir(join(root, 'apt/lists'));
    expect(lists.some((f) => f.endsWith('_InRelease'))).toBe(true);
    expect(lists.some((f) => /binary-amd64_Packages(\.\w+)?$/.test(f))).toBe(true);
  });

  it('sees the packages with the versions and relations of their control files', async () => {
    const policy = await runOk('apt-cache', [...apt, 'policy', 'hello']);
    expect(policy.stdout).toMatch(/Candidate: 1\.1-1/);
    const show = await runOk('apt-cache', [...apt, 'show', 'hello=1.1-1']);
    expect(show.stdout).toContain('Depends: hello-doc (>= 1:2.0)');
    expect(show.stdout).toContain('Filename: pool/bookworm/main/h/hello/hello_1.1-1_amd64.deb');
    const doc = await runOk('apt-cache', [...apt, 'show', 'hello-doc']);
    expect(doc.stdout).toMatch(/^Version: 1:2\.0-1$/m);
    // arm64 is not configured here, so its package stays invisible.
    expect((await run('apt-cache', [...apt, 'show', 'libhello1'])).code).not.toBe(0);
  });

  it('downloads pool files whose checksums match the index', async () => {
    const cwd = join(root, 'apt/download');
    await runOk('apt-get', [...apt, 'download', 'hello=1.1-1', 'hello-doc'], { cwd });
    expect(await fsp.readFile(join(cwd, 'hello_1.1-1_amd64.deb'))).toEqual(await fsp.readFile(join(root, built.get('hello 1.1-1')!)));
    expect(await fsp.readFile(join(cwd, 'hello-doc_1%3a2.0-1_all.deb'))).toEqual(await fsp.readFile(join(root, built.get('hello-doc 1:2.0-1')!)));
  });
});
