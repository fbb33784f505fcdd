import { run } from '../../../cli/main';
import { captureIo } from './support/capture-io';
import { FakeRegistry } from './support/fake-registry';

describe('packyard repo and token', () => {
  const fake = new FakeRegistry();
  const cli = async (argv: string[]) => {
    const c = captureIo({ env: { PACKYARD_TOKEN: 'pky_test', PACKYARD_URL: 'http://127.0.0.1:9' } });
    // The flag overrides the (unreachable) PACKYARD_URL.
    const code = await run([...argv, '--url', fake.url], c.io);
    return { code, out: c.stdout.text, err: c.stderr.text };
  };
  const lastBody = () => JSON.parse(fake.requests[fake.requests.length - 1].body.toString());

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  it('repo create posts the repository and prints how to use it', async () => {
    const r = await cli(['repo', 'create', 'acme/tools', '--description', 'Our tools']);
    expect(r.code).toBe(0);
    expect(fake.requests[0].method).toBe('POST');
    expect(fake.requests[0].path).toBe('/api/v1/repos');
    expect(fake.requests[0].headers.authorization).toBe('Bearer pky_test');
    expect(lastBody()).toEqual({ name: 'acme/tools', visibility: 'public', description: 'Our tools' });
    expect(r.out).toContain('created acme/tools\n');
    expect(r.out).toContain('visibility:  public\n');
    expect(r.out).toContain(`key URL:     ${fake.url}/acme/tools/gpgkey\n`);
    expect(r.out).toContain(`apt source:  deb [signed-by=/etc/apt/keyrings/acme-tools.asc] ${fake.url}/acme/tools/debian <codename> main\n`);
    expect(r.out).not.toContain('private:');
  });

  it('repo create --private --key-type ed25519 --json', async () => {
    fake.reset();
    const r = await cli(['--json', 'repo', 'create', 'acme/secret', '--private', '--key-type', 'ed25519']);
    expect(r.code).toBe(0);
    expect(lastBody()).toEqual({ name: 'acme/secret', visibility: 'private', signingKey: 'ed25519' });
    expect(JSON.parse(r.out)).toMatchObject({ name: 'acme/secret', visibility: 'private', signingKeyType: 'ed25519' });
  });

  it('repo create of an existing repository fails with the API code', async () => {
    const r = await cli(['repo', 'create', 'acme/tools']);
    expect(r).toEqual({ code: 1, out: '', err: 'packyard: repository acme/tools already exists (REPO_EXISTS)\n' });
  });

  it('repo list prints a table', async () => {
    const r = await cli(['repo', 'list']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'NAME         VISIBILITY  PACKAGES  CREATED\n' + 'acme/tools   public      0         2024-05-01\n' + 'acme/secret  private     0         2024-05-01\n',
    );
    const json = await cli(['repo', 'list', '--json']);
    expect(JSON.parse(json.out).map((x: { name: string }) => x.name)).toEqual(['acme/tools', 'acme/secret']);
  });

  it('repo show prints the details; a missing repository exits 1', async () => {
    const r = await cli(['repo', 'show', 'acme/secret']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('signing key: ABCDEF0123456789 (ed25519)\n');
    expect(r.out).toContain('private:     apt needs a read token');
    const missing = await cli(['repo', 'show', 'acme/nope']);
    expect(missing).toEqual({ code: 1, out: '', err: 'packyard: repository acme/nope does not exist (REPO_NOT_FOUND)\n' });
  });

  it('repo delete refuses a non-empty repository unless --force', async () => {
    fake.repos.get('acme/tools')!.packageCount = 3;
    fake.reset();
    const refused = await cli(['repo', 'delete', 'acme/tools']);
    expect(refused).toEqual({ code: 1, out: '', err: 'packyard: repository acme/tools holds packages (REPO_NOT_EMPTY)\n' });
    expect(fake.requests[0].method).toBe('DELETE');
    expect(fake.requests[0].path).toBe('/api/v1/repos/acme/tools');
    const forced = await cli(['repo', 'delete', 'acme/tools', '--force']);
    expect(forced).toEqual({ code: 0, out: 'deleted acme/tools\n', err: '' });
    expect(fake.requests[1].path).toBe('/api/v1/repos/acme/tools?force=true');
    expect(fake.repos.has('acme/tools')).toBe(false);
  });

  it('token create prints the secret alone on stdout, and warns on stderr that it is shown once', async () => {
    fake.reset();
    const r = await cli(['token', 'create', '--name', 'ci', '--grant', 'acme/tools:read,push', '--grant', 'acme/*:read', '--expires', '2099-01-01']);
    expect(r.code).toBe(0);
    expect(fake.requests[0].path).toBe('/api/v1/tokens');
    expect(lastBody()).toEqual({ name: 'ci', grants: { 'acme/tools': ['read', 'push'], 'acme/*': ['read'] }, admin: false, expiresAt: '2099-01-01T00:00:00.000Z' });
    expect(r.out).toMatch(/^pky_[0-9a-f]{32}\n$/);
    expect(r.err).toMatch(/^created token "ci" \(tok_[0-9a-f]{8}\)\n/);
    expect(r.err).toContain('only time the token is shown');
  });

  it('token create --admin --json', async () => {
    const r = await cli(['token', 'create', '--name', 'root', '--admin', '--json']);
    expect(r.code).toBe(0);
    expect(lastBody()).toEqual({ name: 'root', grants: {}, admin: true });
    expect(JSON.parse(r.out)).toMatchObject({ name: 'root', admin: true, token: expect.stringMatching(/^pky_/) });
  });

  it('token list shows access and status; token revoke revokes by id', async () => {
    const id = fake.tokens[0].id as string;
    const revoked = await cli(['token', 'revoke', id]);
    expect(revoked).toEqual({ code: 0, out: `revoked ${id}\n`, err: '' });
    expect(fake.requests[fake.requests.length - 1]).toMatchObject({ method: 'DELETE', path: `/api/v1/tokens/${id}` });
    const r = await cli(['token', 'list']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^ID +NAME +ACCESS +EXPIRES +STATUS +CREATED$/);
    expect(lines[1]).toMatch(new RegExp(`^${id} +ci +acme/tools:read,push acme/\\*:read +2099-01-01 +revoked +2024-05-01$`));
    expect(lines[2]).toMatch(/^tok_\w+ +root +admin +- +active +2024-05-01$/);
    const missing = await cli(['token', 'revoke', 'tok_nope']);
    expect(missing).toEqual({ code: 1, out: '', err: 'packyard: token tok_nope does not exist (TOKEN_NOT_FOUND)\n' });
  });
});
