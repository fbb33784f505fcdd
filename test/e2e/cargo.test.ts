import { createHash } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { run, runOk, type RunResult } from '../support/exec';
import { crateBomb, crateFile, publishBody, tarGz } from '../unit/cargo/craft';
import { startHarness, type Harness } from './support/registry';

let h: Harness;
let work: string;

// rustup's proxy; CARGO_HOME is isolated per test run, the toolchain (RUSTUP_HOME) is the machine's.
const CARGO = existsSync('/root/.cargo/bin/cargo') ? '/root/.cargo/bin/cargo' : 'cargo';
const RUSTUP_HOME = process.env.RUSTUP_HOME ?? join(homedir(), '.rustup');

beforeAll(async () => {
  h = await startHarness();
  work = join(h.tmp, 'cargo');
  await fsp.mkdir(join(work, 'home'), { recursive: true });
});
afterAll(async () => h?.close());

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const indexUrl = (repo: string) => `sparse+${h.url}/${repo}/cargo/index/`;

/** One CARGO_HOME per registry setup: its config.toml names the Packyard registries, nothing else. */
async function cargoHome(name: string, registries: Record<string, string>): Promise<string> {
  const home = join(work, `cargo-home-${name}`);
  await fsp.mkdir(home, { recursive: true });
  const lines = Object.entries(registries).map(([reg, repo]) => `[registries.${reg}]\nindex = "${indexUrl(repo)}"\n`);
  await fsp.writeFile(
    join(home, 'config.toml'),
    `${lines.join('\n')}\n[registry]\nglobal-credential-providers = ["cargo:token"]\n\n[net]\nretry = 0\n\n[http]\ntimeout = 30\n`,
  );
  return home;
}

function cargo(home: string, cwd: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return run(CARGO, args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: join(work, 'home'),
      CARGO_HOME: home,
      RUSTUP_HOME,
      ...(process.env.RUSTUP_TOOLCHAIN ? { RUSTUP_TOOLCHAIN: process.env.RUSTUP_TOOLCHAIN } : {}),
      CARGO_TARGET_DIR: join(work, 'target'),
      CARGO_TERM_COLOR: 'never',
      CARGO_TERM_PROGRESS_WHEN: 'never',
      ...env,
    },
  });
}

async function cargoOk(home: string, cwd: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const r = await cargo(home, cwd, args, env);
  if (r.code !== 0) throw new Error(`cargo ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** A crate project on disk: Cargo.toml (without the [package] header) and files below it. */
async function project(dir: string, name: string, version: string, toml: string, files: Record<string, string>): Promise<string> {
  const root = join(work, dir);
  await fsp.mkdir(root, { recursive: true });
  await fsp.writeFile(join(root, 'Cargo.toml'), `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n${toml}`);
  for (const [path, body] of Object.entries(files)) {
    await fsp.mkdir(dirname(join(root, path)), { recursive: true });
    await fsp.writeFile(join(root, path), body);
  }
  return root;
}

async function token(repo: string, perms: string[]): Promise<string> {
  const res = await h.api.call<{ token: string }>('POST', '/api/v1/tokens', { name: `cargo-${perms.join('-')}`, grants: { [repo]: perms } });
  expect(res.status).toBe(201);
  return res.body.token;
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(h.url + path, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

interface CargoError {
  errors: { detail: string; code: string }[];
}

/** A raw publish, for what no real cargo sends. */
async function rawPublish(repo: string, auth: string | undefined, body: Uint8Array) {
  const res = await fetch(`${h.url}/${repo}/cargo/api/v1/crates/new`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', accept: 'application/json', ...(auth ? { authorization: auth } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as CargoError };
}

const indexLines = async (repo: string, path: string) => {
  const res = await get(`/${repo}/cargo/index/${path}`);
  expect(res.status).toBe(200);
  return res.text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
};

describe('a public Cargo registry', () => {
  const repo = 'acme/crates';
  let home: string;
  let pushToken: string;
  let app: string;

  beforeAll(async () => {
    expect((await h.api.createRepo(repo)).status).toBe(201);
    pushToken = await token(repo, ['read', 'push', 'yank']);
    home = await cargoHome('public', { local: repo });
  });

  const withToken = () => ({ CARGO_REGISTRIES_LOCAL_TOKEN: pushToken });

  test('config.json names the download and API URLs and is never cached', async () => {
    const res = await get(`/${repo}/cargo/index/config.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(res.text)).toEqual({
      dl: `${h.url}/${repo}/cargo/crates/{crate}/{crate}-{version}.crate`,
      api: `${h.url}/${repo}/cargo`,
    });
  });

  test('cargo publish, then cargo add + cargo build of a crate using it through a renamed optional dependency', async () => {
    const a = await project('a', 'packyard-a', '0.1.0', 'rust-version = "1.70"\ndescription = "the answer"\nlicense = "MIT"\npublish = ["local"]\n\n[features]\nloud = []\n', {
      'src/lib.rs': 'pub fn answer() -> u32 { if cfg!(feature = "loud") { 42 } else { 0 } }\n',
    });
    // cargo package is reproducible: the file it leaves is the one publish uploads (publish cleans up its own).
    await cargoOk(home, a, ['package', '--no-verify']);
    const crate = await fsp.readFile(join(work, 'target', 'package', 'packyard-a-0.1.0.crate'));
    const published = await cargoOk(home, a, ['publish', '--registry', 'local'], withToken());
    expect(published.stderr).toMatch(/Published packyard-a v0\.1\.0/);

    const [lineA] = await indexLines(repo, 'pa/ck/packyard-a');
    expect(lineA).toEqual({
      name: 'packyard-a',
      vers: '0.1.0',
      deps: [],
      cksum: sha256(crate),
      features: { loud: [] },
      yanked: false,
      links: null,
      rust_version: '1.70',
    });
    // The download URL from config.json serves the very bytes the checksum covers.
    const dl = await fetch(`${h.url}/${repo}/cargo/crates/packyard-a/packyard-a-0.1.0.crate`);
    expect(sha256(Buffer.from(await dl.arrayBuffer()))).toBe(sha256(crate));

    const b = await project(
      'b',
      'packyard_b',
      '0.1.0',
      'publish = ["local"]\n\n[dependencies]\nalpha = { package = "packyard-a", version = "0.1", registry = "local", optional = true, features = ["loud"] }\n\n[features]\ndefault = ["answers"]\nanswers = ["dep:alpha"]\n',
      { 'src/lib.rs': '#[cfg(feature = "answers")]\npub fn answer() -> u32 { alpha::answer() }\n' },
    );
    await cargoOk(home, b, ['publish', '--registry', 'local'], withToken());
    const [lineB] = await indexLines(repo, 'pa/ck/packyard_b');
    expect(lineB).toMatchObject({
      name: 'packyard_b',
      vers: '0.1.0',
      deps: [
        {
          name: 'alpha',
          req: '^0.1',
          features: ['loud'],
          optional: true,
          default_features: true,
          target: null,
          kind: 'normal',
          registry: null,
          package: 'packyard-a',
        },
      ],
      features: { default: ['answers'] },
      features2: { answers: ['dep:alpha'] },
      v: 2,
      yanked: false,
    });

    app = await project('app', 'app', '0.1.0', 'publish = false\n', { 'src/main.rs': 'fn main() { println!("answer={}", packyard_b::answer()); }\n' });
    await cargoOk(home, app, ['add', '--registry', 'local', 'packyard_b']);
    expect(await fsp.readFile(join(app, 'Cargo.toml'), 'utf8')).toMatch(/packyard_b = \{ version = "0\.1\.0", registry = "local" \}/);
    const ran = await cargoOk(home, app, ['run', '--quiet']);
    expect(ran.stdout.trim()).toBe('answer=42');
  });

  test('cargo search lists the crates', async () => {
    const r = await cargoOk(home, work, ['search', '--registry', 'local', 'packyard']);
    expect(r.stdout).toMatch(/^packyard-a = "0\.1\.0"\s+# the answer$/m);
    expect(r.stdout).toMatch(/^packyard_b = "0\.1\.0"/m);
  });

  test('cargo yank keeps the version in the index, marked; a fresh resolution refuses it, an existing lockfile keeps it', async () => {
    await cargoOk(home, work, ['yank', '--registry', 'local', 'packyard-a@0.1.0'], withToken());
    await h.registry.idle();
    expect((await indexLines(repo, 'pa/ck/packyard-a'))[0]).toMatchObject({ vers: '0.1.0', yanked: true });

    const fresh = await project('fresh', 'fresh', '0.1.0', 'publish = false\n\n[dependencies]\npackyard-a = { version = "0.1", registry = "local" }\n', { 'src/lib.rs': '' });
    const refused = await cargo(home, fresh, ['generate-lockfile']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/version 0\.1\.0 is yanked/);
    // The application's lockfile already pins packyard-a 0.1.0: Cargo keeps using a yanked version it has locked.
    await cargoOk(home, app, ['build', '--quiet', '--locked']);

    await cargoOk(home, work, ['yank', '--undo', '--registry', 'local', 'packyard-a@0.1.0'], withToken());
    await h.registry.idle();
    expect((await indexLines(repo, 'pa/ck/packyard-a'))[0]).toMatchObject({ vers: '0.1.0', yanked: false });
    await cargoOk(home, fresh, ['generate-lockfile']);
  });

  test('a .crate pushed through the presigned path is indexed from its Cargo.toml, dependencies included', async () => {
    const c = await project('c', 'packyard-c', '0.3.0', '\n[dependencies]\npackyard-a = { version = "0.1", registry = "local" }\n', {
      'src/lib.rs': 'pub fn twice() -> u32 { 2 * packyard_a::answer() }\n',
    });
    await cargoOk(home, c, ['package', '--no-verify']);
    const file = join(work, 'target', 'package', 'packyard-c-0.3.0.crate');
    const res = await h.api.pushDirect(repo, 'cargo', file);
    expect(res.status).toBe(201);
    await h.registry.idle();
    const [line] = await indexLines(repo, 'pa/ck/packyard-c');
    expect(line).toMatchObject({
      name: 'packyard-c',
      vers: '0.3.0',
      cksum: sha256(await fsp.readFile(file)),
      deps: [{ name: 'packyard-a', req: '^0.1', kind: 'normal', registry: null, package: null, optional: false, default_features: true, features: [] }],
    });
    const user = await project('c-user', 'c-user', '0.1.0', 'publish = false\n\n[dependencies]\npackyard-c = { version = "0.3", registry = "local" }\n', {
      'src/main.rs': 'fn main() { println!("{}", packyard_c::twice()); }\n',
    });
    expect((await cargoOk(home, user, ['run', '--quiet'])).stdout.trim()).toBe('0');
  });

  test('cargo publish of a name differing only in case or -/_ is refused by the server and changes nothing', async () => {
    const before = await h.snapshot(repo);
    const twin = await project('twin', 'Packyard_A', '0.2.0', 'publish = ["local"]\n', { 'src/lib.rs': '' });
    const r = await cargo(home, twin, ['publish', '--no-verify', '--registry', 'local'], withToken());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/409 Conflict/);
    expect(r.stderr).toMatch(/crate `Packyard_A` conflicts with the existing crate `packyard-a`/);
    expect(await h.snapshot(repo)).toEqual(before);
  });

  test('publishing needs a token with push; yanking needs yank', async () => {
    const body = publishBody({ name: 'packyard-d', vers: '0.1.0' }, await crateFile('packyard-d', '0.1.0'));
    const before = await h.snapshot(repo);
    const anonymous = await rawPublish(repo, undefined, body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(`Basic realm="${repo}"`);
    expect(anonymous.body.errors[0].detail).toBe('authentication required');
    const reader = await token(repo, ['read']);
    expect((await rawPublish(repo, reader, body)).status).toBe(403);
    const r = await cargo(home, work, ['yank', '--registry', 'local', 'packyard-a@0.1.0'], { CARGO_REGISTRIES_LOCAL_TOKEN: reader });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/403 Forbidden/);
    expect(await h.snapshot(repo)).toEqual(before);
  });

  test('cargo yank of an unknown version says so', async () => {
    const r = await cargo(home, work, ['yank', '--registry', 'local', 'packyard-a@9.9.9'], withToken());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/404 Not Found.*crate `packyard-a` has no version `9\.9\.9`/s);
  });

  describe('every rule on a publish leaves the repository unchanged', () => {
    const cases: [string, () => Promise<Buffer>, number, string, RegExp][] = [
      ['body shorter than its lengths', async () => publishBody({ name: 'bad', vers: '0.1.0' }, await crateFile('bad', '0.1.0')).subarray(0, 60), 400, 'CARGO_INVALID_PUBLISH_BODY', /declares/],
      ['metadata not JSON', async () => Buffer.concat([Buffer.from([3, 0, 0, 0]), Buffer.from('{{{'), Buffer.from([0, 0, 0, 0])]), 400, 'CARGO_INVALID_PUBLISH_BODY', /not valid UTF-8 JSON/],
      ['crate name with a dot', async () => publishBody({ name: 'bad.name', vers: '0.1.0' }, await crateFile('bad', '0.1.0')), 400, 'CARGO_INVALID_NAME', /invalid crate name "bad\.name"/],
      ['crate name starting with a digit', async () => publishBody({ name: '1bad', vers: '0.1.0' }, await crateFile('bad', '0.1.0')), 400, 'CARGO_INVALID_NAME', /starting with a letter/],
      ['crate name over 64 characters', async () => publishBody({ name: 'a'.repeat(65), vers: '0.1.0' }, await crateFile('bad', '0.1.0')), 400, 'CARGO_INVALID_NAME', /up to 64/],
      ['version not semver', async () => publishBody({ name: 'bad', vers: '1.0' }, await crateFile('bad', '0.1.0')), 400, 'CARGO_INVALID_VERSION', /semantic version/],
      ['version with a v', async () => publishBody({ name: 'bad', vers: 'v1.0.0' }, await crateFile('bad', '0.1.0')), 400, 'CARGO_INVALID_VERSION', /drop the leading "v"/],
      ['JSON name differs from Cargo.toml', async () => publishBody({ name: 'other', vers: '0.1.0' }, await crateFile('bad', '0.1.0')), 400, 'CARGO_METADATA_MISMATCH', /names the crate "other" but its Cargo\.toml says "bad"/],
      ['JSON version differs from Cargo.toml', async () => publishBody({ name: 'bad', vers: '0.2.0' }, await crateFile('bad', '0.1.0')), 400, 'CARGO_METADATA_MISMATCH', /gives version "0\.2\.0"/],
      ['directory differs from the manifest', async () => publishBody({ name: 'bad', vers: '0.1.0' }, await tarGz([{ name: 'bad-0.2.0/Cargo.toml', body: '[package]\nname = "bad"\nversion = "0.1.0"\n' }])), 400, 'CARGO_INVALID_LAYOUT', /expected bad-0\.1\.0\//],
      ['not gzip', async () => publishBody({ name: 'bad', vers: '0.1.0' }, Buffer.from('PK\x03\x04 not a crate')), 415, 'UNKNOWN_FORMAT', /expected a Cargo crate/],
      ['damaged gzip (checksum)', async () => {
        const good = await crateFile('bad', '0.1.0');
        good[good.length - 6] ^= 0xff; // inside the CRC32 trailer
        return publishBody({ name: 'bad', vers: '0.1.0' }, good);
      }, 400, 'CARGO_CORRUPT', /not a valid gzip-compressed tar/],
      ['path traversal', async () => publishBody({ name: 'bad', vers: '0.1.0' }, await crateFile('bad', '0.1.0', '', [{ name: 'bad-0.1.0/../../etc/cron.d/x', body: 'x' }])), 400, 'CARGO_UNSAFE_PATH', /"\.\." component/],
      ['symbolic link', async () => publishBody({ name: 'bad', vers: '0.1.0' }, await crateFile('bad', '0.1.0', '', [{ name: 'bad-0.1.0/passwd', type: 'symlink', linkname: '/etc/passwd' }])), 400, 'CARGO_UNSAFE_PATH', /symlink entries are not allowed/],
      ['file outside the crate directory', async () => publishBody({ name: 'bad', vers: '0.1.0' }, await crateFile('bad', '0.1.0', '', [{ name: 'other/file', body: 'x' }])), 400, 'CARGO_INVALID_LAYOUT', /below one \{name\}-\{version\}\/ directory/],
      ['no Cargo.toml', async () => publishBody({ name: 'bad', vers: '0.1.0' }, await tarGz([{ name: 'bad-0.1.0/src/lib.rs', body: '' }])), 400, 'CARGO_MISSING_MANIFEST', /no Cargo\.toml/],
      ['Cargo.toml not TOML', async () => publishBody({ name: 'bad', vers: '0.1.0' }, await tarGz([{ name: 'bad-0.1.0/Cargo.toml', body: '[package\nname = "bad"\n' }])), 400, 'CARGO_INVALID_MANIFEST', /not valid TOML/],
      ['decompression bomb', async () => publishBody({ name: 'bad', vers: '0.1.0' }, crateBomb('bad', '0.1.0', 600 * 1024 * 1024)), 400, 'CARGO_TOO_LARGE', /unpacks to more than 536870912 bytes/],
      ['version already published', async () => publishBody({ name: 'packyard-a', vers: '0.1.0' }, await crateFile('packyard-a', '0.1.0')), 409, 'CARGO_VERSION_EXISTS', /`packyard-a@0\.1\.0` is already uploaded/],
      ['version differing only in build metadata', async () => publishBody({ name: 'packyard-a', vers: '0.1.0+rebuild.2' }, await crateFile('packyard-a', '0.1.0+rebuild.2')), 409, 'CARGO_VERSION_EXISTS', /as 0\.1\.0 \(versions must differ in more than build metadata\)/],
    ];
    test.each(cases)('%s', async (_what, body, status, code, detail) => {
      const before = await h.snapshot(repo);
      const res = await rawPublish(repo, pushToken, await body());
      expect(res.status).toBe(status);
      expect(res.body.errors[0].code).toBe(code);
      expect(res.body.errors[0].detail).toMatch(detail);
      expect(res.headers.get('cache-control')).toBe('no-store');
      await h.registry.idle();
      expect(await h.snapshot(repo)).toEqual(before);
    });

    test('the presigned path refuses a version differing only in build metadata too', async () => {
      const before = await h.snapshot(repo);
      const file = join(work, 'packyard-a-0.1.0+other.crate');
      await fsp.writeFile(file, await crateFile('packyard-a', '0.1.0+other'));
      const res = await h.api.pushDirect(repo, 'cargo', file);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: { code: 'PACKAGE_EXISTS' } });
      expect(await h.snapshot(repo)).toEqual(before);
    });
  });
});

describe('a private Cargo registry', () => {
  const repo = 'acme/secret';
  let home: string;
  let secret: string;

  beforeAll(async () => {
    expect((await h.api.createRepo(repo, 'private')).status).toBe(201);
    secret = await token(repo, ['read', 'push']);
    home = await cargoHome('private', { private: repo });
  });

  test('config.json answers 401 anonymously and sets auth-required for a token', async () => {
    const anonymous = await get(`/${repo}/cargo/index/config.json`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(`Basic realm="${repo}"`);
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
    const authed = await get(`/${repo}/cargo/index/config.json`, { authorization: secret });
    expect(authed.status).toBe(200);
    expect(JSON.parse(authed.text)).toMatchObject({ 'auth-required': true });
  });

  test('cargo publishes and builds with a token from CARGO_REGISTRIES_<NAME>_TOKEN, and fails without one', async () => {
    const s = await project('s', 'secret-sauce', '1.0.0', 'publish = ["private"]\n', { 'src/lib.rs': 'pub fn sauce() -> &\'static str { "tangy" }\n' });
    await cargoOk(home, s, ['publish', '--no-verify', '--registry', 'private'], { CARGO_REGISTRIES_PRIVATE_TOKEN: secret });
    expect((await get(`/${repo}/cargo/index/se/cr/secret-sauce`)).status).toBe(401);

    const user = await project('s-user', 's-user', '0.1.0', 'publish = false\n\n[dependencies]\nsecret-sauce = { version = "1", registry = "private" }\n', {
      'src/main.rs': 'fn main() { println!("{}", secret_sauce::sauce()); }\n',
    });
    const denied = await cargo(home, user, ['generate-lockfile']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/no token found for `private`|401/);
    const ran = await cargoOk(home, user, ['run', '--quiet'], { CARGO_REGISTRIES_PRIVATE_TOKEN: secret });
    expect(ran.stdout.trim()).toBe('tangy');

    // The dynamic search enforces the repository's privacy itself (the edge passes API paths through).
    expect((await get(`/${repo}/cargo/api/v1/crates?q=sauce`)).status).toBe(401);
    const found = await cargoOk(home, work, ['search', '--registry', 'private', 'sauce'], { CARGO_REGISTRIES_PRIVATE_TOKEN: secret });
    expect(found.stdout).toMatch(/^secret-sauce = "1\.0\.0"/m);
  });
});
