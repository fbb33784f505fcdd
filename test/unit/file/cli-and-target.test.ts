import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePushTarget } from '../../../cli/args';
import { run } from '../../../cli/main';
import { distributionName, parseDistribution } from '../../../shared/domain/distribution';
import { isPackyardError } from '../../../shared/domain/errors';
import { formatForDistribution } from '../../../shared/formats/registry';
import { captureIo } from '../cli/support/capture-io';
import { FakeRegistry } from '../cli/support/fake-registry';

describe('the files target', () => {
  it('is the single word "files"; the two-part rules for other targets are unchanged', () => {
    expect(parseDistribution('files')).toEqual({ distro: 'files', release: '' });
    expect(distributionName(parseDistribution('files'))).toBe('files');
    expect(formatForDistribution(parseDistribution('files')).id).toBe('file');
    expect(parseDistribution('debian/bookworm')).toEqual({ distro: 'debian', release: 'bookworm' });
    for (const bad of ['files/', '/files', 'Files', 'file', 'debian', 'debian/', 'debian/bookworm/main', 'files/x/y', '']) {
      let error: unknown;
      try {
        parseDistribution(bad);
      } catch (e) {
        error = e;
      }
      expect(isPackyardError(error) && error.code).toBe('INVALID_DISTRIBUTION');
    }
    // Two parts under "files" parse as a distribution, but no format serves it.
    expect(() => formatForDistribution(parseDistribution('files/x'))).toThrow(/no format serves/);
  });

  it('is accepted by the CLI as <owner>/<repo>/files', () => {
    expect(parsePushTarget('acme/tools/files')).toEqual({ owner: 'acme', repo: 'tools', name: 'acme/tools', distribution: 'files' });
    expect(parsePushTarget('acme/tools/debian/bookworm').distribution).toBe('debian/bookworm');
    expect(() => parsePushTarget('acme/tools/debian')).toThrow(/<owner>\/<repo>\/<files\|npm\|pypi/);
    expect(parsePushTarget('acme/tools/npm').distribution).toBe('npm');
  });
});

describe('packyard push --name --version', () => {
  const fake = new FakeRegistry();
  let dir: string;
  const cli = (argv: string[]) => {
    const c = captureIo({ env: { PACKYARD_URL: fake.url, PACKYARD_TOKEN: 'pky_test' }, cwd: dir });
    return run(argv, c.io).then((code) => ({ code, out: c.stdout.text, err: c.stderr.text }));
  };

  beforeAll(async () => {
    await fake.start();
    dir = mkdtempSync(path.join(os.tmpdir(), 'packyard-push-files-'));
    writeFileSync(path.join(dir, 'tool-linux-amd64.tar.gz'), 'linux build');
    writeFileSync(path.join(dir, 'tool-darwin-arm64.tar.gz'), 'darwin build');
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => fake.reset());

  it('sends the declared name and version with each upload request of the files target', async () => {
    const r = await cli(['push', 'acme/tools/files', 'tool-*.tar.gz', '--name', 'tool', '--version', '1.2.3']);
    expect(r.code).toBe(0);
    const tickets = fake.requests.filter((q) => q.method === 'POST' && q.path === '/api/v1/repos/acme/tools/uploads').map((q) => JSON.parse(q.body.toString()));
    expect(tickets.map((t) => [t.filename, t.distribution, t.name, t.version]).sort()).toEqual([
      ['tool-darwin-arm64.tar.gz', 'files', 'tool', '1.2.3'],
      ['tool-linux-amd64.tar.gz', 'files', 'tool', '1.2.3'],
    ]);
  });

  it('sends neither when they are not given (the server reads the file name)', async () => {
    const r = await cli(['push', 'acme/tools/files', 'tool-linux-amd64.tar.gz']);
    expect(r.code).toBe(0);
    const [ticket] = fake.requests.filter((q) => q.method === 'POST').map((q) => JSON.parse(q.body.toString()));
    expect(ticket).not.toHaveProperty('name');
    expect(ticket).not.toHaveProperty('version');
  });

  it('refuses --name/--version for a distribution target, before sending anything', async () => {
    const r = await cli(['push', 'acme/tools/debian/bookworm', 'tool-linux-amd64.tar.gz', '--version', '1.2.3']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--name and --version apply to generic files and Maven files only/);
    expect(fake.requests).toHaveLength(0);
  });
});
