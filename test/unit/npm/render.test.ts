import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileHashes } from '../../../shared/domain/hashes';
import { npmFormat } from '../../../shared/formats/npm';
import { effectiveTags, packumentRev } from '../../../shared/formats/npm/packument';
import type { IndexMember, RenderedIndex, Signer } from '../../../shared/formats/format';
import { pkgJson, tgz } from './tgz';

const GOLDEN = join(__dirname, '../../fixtures/npm/golden');
// Regenerate deliberately with: UPDATE_GOLDEN=1 npx jest test/unit/npm/render.test.ts
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const NOW = new Date('2024-01-02T15:04:05.678Z');
const NPM = { distro: 'npm', release: '' };
const REPO = 'acme/js';
const BASE = 'https://pkgs.example.com';
const unusedSigner: Signer = {
  clearsign: async () => {
    throw new Error('npm indexes are not signed');
  },
  detachSign: async () => {
    throw new Error('npm indexes are not signed');
  },
};

async function member(version: string, uploadedAt: string, fields: Record<string, unknown>, extra: Partial<IndexMember> = {}, files: { name: string; body: string }[] = []): Promise<IndexMember> {
  const bytes = await tgz([pkgJson({ name: '@acme/left', version, ...fields }), ...files]);
  const pkg = await npmFormat.parse(bytes, {});
  // File hashes derived from the identity, so the golden output never changes by accident.
  const hashes = fileHashes(Buffer.from(`@acme/left ${version}`));
  const fragment = npmFormat.fragment(REPO, NPM, pkg, { blobKey: npmFormat.blobKey(REPO, NPM, pkg), size: bytes.length, hashes });
  return { name: pkg.name, version: pkg.version, arch: '', fragment, uploadedAt, ...extra };
}

const render = async (members: IndexMember[], attributes?: Record<string, string>) => {
  const r = await npmFormat.render({ repo: REPO, scope: '@acme/left', members, now: NOW, baseUrl: `${BASE}/`, ...(attributes ? { attributes } : {}) }, unusedSigner);
  return new Map([...r.content, ...r.top].map((f) => [f.key.replace(`${REPO}/npm/@acme/left/`, ''), f]));
};
const json = (r: Map<string, RenderedIndex['top'][number]>, file: string) => JSON.parse(Buffer.from(r.get(file)!.body).toString('utf8'));

describe('rendering an npm package', () => {
  let members: IndexMember[];

  beforeAll(async () => {
    members = [
      await member('1.1.0', '2023-02-01T10:00:00.000Z', { description: 'newest', license: 'MIT', homepage: 'https://example.com', dependencies: { right: '^2.0.0' }, bin: 'cli.js', engines: { node: '>=18' }, scripts: { postinstall: 'node x' }, keywords: ['a'] }, {}, [{ name: 'package/README.md', body: '# left' }]),
      await member('1.0.0', '2023-01-15T10:00:00.000Z', { description: 'older', devDependencies: { jest: '*' } }, { deprecated: 'use 1.1.0' }),
      await member('2.0.0-beta.1', '2023-02-20T10:00:00.000Z', { description: 'beta', os: ['linux'] }, {}, [{ name: 'package/npm-shrinkwrap.json', body: '{}' }]),
      await member('0.9.0', '2023-01-09T00:00:00.000Z', { description: 'gone' }, { yanked: { at: '2023-03-01T00:00:00.000Z', reason: 'npm unpublish' } }),
    ];
  });

  it('writes the full and abbreviated packuments and the dist-tags, matching the golden files', async () => {
    const r = await render(members, { beta: '2.0.0-beta.1', old: '0.9.0', latest: '1.1.0' });
    expect([...r.keys()]).toEqual(['index.json', 'index.abbrev.json', 'dist-tags.json']);
    expect(r.get('index.json')!.contentType).toBe('application/json');
    expect(r.get('index.abbrev.json')!.contentType).toBe('application/vnd.npm.install-v1+json');
    expect(r.get('dist-tags.json')!.contentType).toBe('application/json');
    // npm honours max-age in its own cache, so a tag or publish would stay invisible to it for a minute.
    for (const f of r.values()) expect(f.cacheControl).toBe('max-age=0, s-maxage=60, must-revalidate');
    for (const file of r.keys()) {
      const path = join(GOLDEN, file);
      const body = Buffer.from(r.get(file)!.body).toString('utf8');
      if (UPDATE || !existsSync(path)) {
        if (!UPDATE) throw new Error(`golden file ${path} is missing; run with UPDATE_GOLDEN=1 to create it`);
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(path, JSON.stringify(JSON.parse(body), null, 2) + '\n');
      }
      // Pretty in the repository, compact on the wire; the key order is part of the comparison.
      expect(body).toBe(JSON.stringify(JSON.parse(readFileSync(path, 'utf8'))));
    }
  });

  it('leaves unpublished versions out but keeps their time, and drops tags pointing at them', async () => {
    const r = await render(members, { beta: '2.0.0-beta.1', old: '0.9.0', latest: '1.1.0' });
    const full = json(r, 'index.json');
    expect(Object.keys(full.versions)).toEqual(['1.0.0', '1.1.0', '2.0.0-beta.1']);
    expect(Object.keys(full.time)).toEqual(['created', 'modified', '0.9.0', '1.0.0', '1.1.0', '2.0.0-beta.1']);
    expect(full.time.created).toBe('2023-01-09T00:00:00.000Z');
    expect(full['dist-tags']).toEqual({ latest: '1.1.0', beta: '2.0.0-beta.1' });
    expect(full.versions['1.1.0'].dist.tarball).toBe(`${BASE}/acme/js/npm/@acme/left/-/left-1.1.0.tgz`);
    expect(full._rev).toBe(packumentRev(['1.0.0', '1.1.0', '2.0.0-beta.1']));
  });

  it('always has a latest tag while a version exists: the highest release when none is stored', async () => {
    const r = await render(members);
    expect(json(r, 'dist-tags.json')).toEqual({ latest: '1.1.0' });
    expect(json(r, 'index.abbrev.json')['dist-tags']).toEqual({ latest: '1.1.0' });
    expect(effectiveTags({ latest: '9.9.9', next: '1.0.0' }, ['1.0.0', '2.0.0-rc.1'])).toEqual({ latest: '1.0.0', next: '1.0.0' });
    expect(effectiveTags({}, ['2.0.0-rc.1', '2.0.0-rc.2'])).toEqual({ latest: '2.0.0-rc.2' });
    expect(effectiveTags({ beta: '1.0.0' }, [])).toEqual({});
  });

  it('renders a package whose versions were all unpublished', async () => {
    const gone = members.map((m) => ({ ...m, yanked: { at: '2023-04-01T00:00:00.000Z' } }));
    const r = await render(gone, { latest: '1.1.0' });
    const full = json(r, 'index.json');
    expect(full.versions).toEqual({});
    expect(full['dist-tags']).toEqual({});
    expect(full.time.unpublished).toEqual({ time: '2023-04-01T00:00:00.000Z', versions: ['0.9.0', '1.0.0', '1.1.0', '2.0.0-beta.1'] });
    expect(json(r, 'dist-tags.json')).toEqual({});
  });

  it('changes its revision exactly when the published versions change', () => {
    expect(packumentRev(['1.0.0', '2.0.0'])).toBe(packumentRev(['2.0.0', '1.0.0']));
    expect(packumentRev(['1.0.0'])).not.toBe(packumentRev(['1.0.0', '2.0.0']));
    expect(packumentRev([])).toMatch(/^1-[0-9a-f]{32}$/);
  });

  it('needs the public base URL', async () => {
    await expect(npmFormat.render({ repo: REPO, scope: '@acme/left', members, now: NOW }, unusedSigner)).rejects.toThrow(/base URL/);
  });
});
