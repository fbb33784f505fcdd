import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import YAML from 'yaml';
import { isPackyardError } from '../../../shared/domain/errors';
import { CATALOG_SCOPE, type IndexMember } from '../../../shared/formats/format';
import { helmFormat } from '../../../shared/formats/helm';
import { renderHelm } from '../../../shared/formats/helm/render';
import { chart, tgz } from './charts';

const GOLDEN = join(__dirname, '../../fixtures/helm/index.yaml');
const codeOf = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (isPackyardError(e) ? e.code : String(e)));

describe('Helm chart parsing', () => {
  it('reads Chart.yaml and keeps every field Helm defines', async () => {
    const bytes = await chart('web', '1.2.3', 'appVersion: 4.5\ndescription: A web app\ntype: application\nkeywords: [web]\nmaintainers:\n  - name: Ann\n    email: ann@example.com\ndependencies:\n  - name: redis\n    version: 17.x\n    repository: https://charts.example.com\nkubeVersion: ">=1.22"\nannotations:\n  team: core\nunknownField: dropped\n');
    const p = await helmFormat.parse(bytes, { filename: 'web-1.2.3.tgz' });
    expect(p).toMatchObject({ name: 'web', version: '1.2.3', arch: '' });
    expect(JSON.parse(p.control!)).toEqual({
      apiVersion: 'v2', name: 'web', version: '1.2.3', appVersion: '4.5', description: 'A web app', type: 'application', keywords: ['web'],
      maintainers: [{ name: 'Ann', email: 'ann@example.com' }], dependencies: [{ name: 'redis', version: '17.x', repository: 'https://charts.example.com' }],
      kubeVersion: '>=1.22', annotations: { team: 'core' },
    });
  });

  it.each([
    ['no apiVersion', () => tgz([{ name: 'x/Chart.yaml', body: 'name: x\nversion: 1.0.0\n' }]), 'HELM_BAD_CHART_YAML'],
    ['apiVersion v3', () => tgz([{ name: 'x/Chart.yaml', body: 'apiVersion: v3\nname: x\nversion: 1.0.0\n' }]), 'HELM_BAD_CHART_YAML'],
    ['a version that is not SemVer', () => chart('x', '1.0'), 'HELM_BAD_VERSION'],
    ['a name with a space', () => chart('a b', '1.0.0'), 'HELM_BAD_NAME'],
    ['a name starting with a dash', () => chart('-web', '1.0.0'), 'HELM_BAD_NAME'],
    ['a name longer than 250 characters', () => chart('w'.repeat(251), '1.0.0'), 'HELM_BAD_NAME'],
    ['a folder that is not the chart name', () => chart('x', '1.0.0', '', 'y'), 'HELM_BAD_NAME'],
    ['no Chart.yaml', () => tgz([{ name: 'x/values.yaml', body: '' }]), 'HELM_NO_CHART_YAML'],
    ['two top folders', () => tgz([{ name: 'x/Chart.yaml', body: 'apiVersion: v2\nname: x\nversion: 1.0.0\n' }, { name: 'y/a', body: '' }]), 'HELM_CORRUPT'],
    ['a path with ..', () => tgz([{ name: 'x/Chart.yaml', body: 'apiVersion: v2\nname: x\nversion: 1.0.0\n' }, { name: 'x/../../etc/passwd', body: '' }]), 'HELM_UNSAFE_PATH'],
    ['a symbolic link', () => tgz([{ name: 'x/Chart.yaml', body: 'apiVersion: v2\nname: x\nversion: 1.0.0\n' }, { name: 'x/l', type: 'symlink', linkname: '/etc/passwd' }]), 'HELM_UNSAFE_PATH'],
    ['YAML alias bombs', () => tgz([{ name: 'x/Chart.yaml', body: 'apiVersion: v2\nname: x\nversion: 1.0.0\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n' }]), 'HELM_BAD_CHART_YAML'],
    ['not gzip', async () => Buffer.from('hello'), 'HELM_CORRUPT'],
  ])('refuses %s', async (_what, make, code) => {
    expect(await codeOf(helmFormat.parse(await make(), {}))).toBe(code);
  });

  // Helm itself only asks for a single path component (chart.metadata.name == filepath.Base(name)).
  it.each(['Web', 'my_chart', 'cert-manager.io', 'a'])('accepts the chart name %s, as Helm does', async (name) => {
    expect((await helmFormat.parse(await chart(name, '1.0.0'), { filename: `${name}-1.0.0.tgz` })).name).toBe(name);
  });

  it('keeps versions as written (appVersion 1.10 is not 1.1) and accepts SemVer build metadata', async () => {
    const p = await helmFormat.parse(await chart('web', '1.0.0+build.7', 'appVersion: 1.10\n'), {});
    expect(p.version).toBe('1.0.0+build.7');
    expect(JSON.parse(p.control!)).toMatchObject({ version: '1.0.0+build.7', appVersion: '1.10' });
  });

  it('keeps the Helm v1 fields and the dependency keys Helm knows, dropping unknown keys inside them', async () => {
    const p = await helmFormat.parse(await chart('web', '1.0.0', 'condition: web.enabled\ntags: front\ndeprecated: true\nmaintainers:\n  - {name: Ann, twitter: ann}\ndependencies:\n  - {name: db, version: "1.x", alias: pg, tags: [data], enabled: false, import-values: [child], extra: 1}\n'), {});
    expect(JSON.parse(p.control!)).toMatchObject({
      condition: 'web.enabled', tags: 'front', deprecated: true, maintainers: [{ name: 'Ann' }],
      dependencies: [{ name: 'db', version: '1.x', alias: 'pg', tags: ['data'], enabled: false, 'import-values': ['child'] }],
    });
  });

  it('reads the dependencies of an apiVersion v1 chart from requirements.yaml, as Helm does', async () => {
    const bytes = await tgz([
      { name: 'old/Chart.yaml', body: 'apiVersion: v1\nname: old\nversion: 0.9.0\n' },
      { name: 'old/requirements.yaml', body: 'dependencies:\n  - name: mysql\n    version: 1.x\n    repository: https://charts.example.com\n' },
    ]);
    expect(JSON.parse((await helmFormat.parse(bytes, {})).control!)).toEqual({
      apiVersion: 'v1', name: 'old', version: '0.9.0', dependencies: [{ name: 'mysql', version: '1.x', repository: 'https://charts.example.com' }],
    });
    const broken = await tgz([{ name: 'old/Chart.yaml', body: 'apiVersion: v1\nname: old\nversion: 0.9.0\n' }, { name: 'old/requirements.yaml', body: 'dependencies: [{version: 1}]\n' }]);
    expect(await codeOf(helmFormat.parse(broken, {}))).toBe('HELM_BAD_CHART_YAML');
  });

  // A value of the wrong type would make index.yaml unloadable for every Helm client of the repository.
  it.each([
    ['keywords that are not a list', 'keywords: web\n'],
    ['a description that is a list', 'description: [a]\n'],
    ['a maintainer without a name', 'maintainers:\n  - email: a@b.c\n'],
    ['a dependency without a name', 'dependencies:\n  - version: 1.0.0\n'],
    ['a dependency with tags that are not a list', 'dependencies:\n  - {name: db, tags: x}\n'],
    ['annotations with a number', 'annotations:\n  replicas: 3\n'],
    ['deprecated that is not a boolean', 'deprecated: "yes"\n'],
    ['a type other than application or library', 'type: plugin\n'],
    ['an appVersion that is a list', 'appVersion: [1]\n'],
    ['duplicate keys', 'description: a\ndescription: b\n'],
    ['a dependency alias with a dot', 'dependencies:\n  - {name: db, alias: pg.main}\n'],
    ['two dependencies with one name', 'dependencies:\n  - {name: db, version: 1.x}\n  - {name: db, version: 2.x}\n'],
    ['a dependency whose alias is another one\'s name', 'dependencies:\n  - {name: db}\n  - {name: cache, alias: db}\n'],
  ])('refuses a Chart.yaml with %s', async (_what, extra) => {
    expect(await codeOf(helmFormat.parse(await chart('web', '1.0.0', extra), {}))).toBe('HELM_BAD_CHART_YAML');
  });

  it.each(['v1.0.0', '=1.0.0', '1.0.0.0', '01.2.3'])('refuses the version %s, which is not SemVer 2', async (version) => {
    expect(await codeOf(helmFormat.parse(await chart('x', version), {}))).toBe('HELM_BAD_VERSION');
  });

  it('refuses a chart whose identity differs from what the upload declared', async () => {
    const bytes = await chart('web', '1.0.0');
    expect(await codeOf(helmFormat.parse(bytes, { declared: { name: 'web', version: '1.0.1' } }))).toBe('HELM_DECLARED_MISMATCH');
    expect(await codeOf(helmFormat.parse(bytes, { declared: { name: 'api' } }))).toBe('HELM_DECLARED_MISMATCH');
    expect((await helmFormat.parse(bytes, { declared: { name: 'web', version: '1.0.0' } })).name).toBe('web');
  });

  it('refuses an archive with more entries than the cap', async () => {
    const many = [{ name: 'x/Chart.yaml', body: 'apiVersion: v2\nname: x\nversion: 1.0.0\n' }, ...Array.from({ length: 20_001 }, (_, i) => ({ name: `x/t/${i}`, body: '' }))];
    expect(await codeOf(helmFormat.parse(await tgz(many), {}))).toBe('HELM_TOO_LARGE');
  }, 60_000);

  it('refuses a file name that disagrees with the chart', async () => {
    expect(await codeOf(helmFormat.parse(await chart('web', '1.0.0'), { filename: 'web-2.0.0.tgz' }))).toBe('HELM_FILENAME_MISMATCH');
  });

  it('stops decompressing a gzip bomb', async () => {
    const bomb = await tgz([{ name: 'x/Chart.yaml', body: 'apiVersion: v2\nname: x\nversion: 1.0.0\n' }, { name: 'x/big', body: '\0'.repeat(300 * 1024 * 1024) }]);
    expect(await codeOf(helmFormat.parse(bomb, {}))).toBe('HELM_TOO_LARGE');
  }, 60_000);
});

/** Every Chart.yaml field Helm's index carries. */
const FULL = [
  'appVersion: "4.5"', 'description: Web', 'type: application', 'keywords: [web, http]', 'home: https://web.example.com',
  'sources: [https://git.example.com/web]', 'icon: https://web.example.com/icon.png', 'maintainers:', '  - {name: Ann, email: ann@example.com, url: https://ann.example.com}',
  'dependencies:', '  - {name: redis, version: "17.x", repository: https://charts.example.com, condition: redis.enabled}',
  'kubeVersion: ">=1.22.0-0"', 'deprecated: false', 'annotations:', '  category: Web', '',
].join('\n');

describe('index.yaml', () => {
  it('quotes strings that YAML 1.1 (go-yaml, as Helm reads index.yaml) would take for booleans or numbers', async () => {
    const bytes = await chart('web', '1.0.0', 'appVersion: "1.10"\ndescription: "no"\nkeywords: ["on", "yes", "0755"]\nannotations:\n  "on": "off"\n');
    const p = await helmFormat.parse(bytes, {});
    const fragment = helmFormat.fragment('acme/charts', { distro: 'helm', release: '' }, p, { blobKey: '', size: bytes.length, hashes: { md5: '', sha1: '', sha256: 'a'.repeat(64), sha512: '' } });
    const out = await renderHelm({ repo: 'acme/charts', scope: CATALOG_SCOPE, members: [{ name: 'web', version: '1.0.0', arch: '', uploadedAt: '2024-01-01T00:00:00.000Z', fragment }], now: new Date('2024-02-01T00:00:00Z'), baseUrl: 'https://pkgs.example.com' });
    const doc = YAML.parse(Buffer.from(out.top[0].body).toString('utf8'), { version: '1.1' }) as { entries: { web: Record<string, unknown>[] }; generated: unknown };
    expect(doc.entries.web[0]).toMatchObject({ appVersion: '1.10', description: 'no', keywords: ['on', 'yes', '0755'], annotations: { on: 'off' }, created: '2024-01-01T00:00:00.000Z' });
    expect(doc.generated).toBe('2024-02-01T00:00:00.000Z');
  });

  const member = async (name: string, version: string, uploadedAt: string, extra = ''): Promise<IndexMember> => {
    const bytes = await chart(name, version, extra);
    const p = await helmFormat.parse(bytes, {});
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { name, version, arch: '', uploadedAt, fragment: helmFormat.fragment('acme/charts', { distro: 'helm', release: '' }, p, { blobKey: '', size: bytes.length, hashes: { md5: '', sha1: '', sha256, sha512: '' } }) };
  };

  it('percent-encodes the + of build metadata in chart URLs and orders such versions deterministically', async () => {
    const members = [await member('web', '1.0.0+b', '2024-01-01T00:00:00.000Z'), await member('web', '1.0.0+a', '2024-01-01T00:00:00.000Z'), await member('web', '1.0.1', '2024-01-01T00:00:00.000Z')];
    for (const order of [members, [...members].reverse()]) {
      const out = await renderHelm({ repo: 'acme/charts', scope: CATALOG_SCOPE, members: order, now: new Date(0), baseUrl: 'https://pkgs.example.com' });
      const doc = YAML.parse(Buffer.from(out.top[0].body).toString('utf8'), { version: '1.1' }) as { entries: { web: { version: string; urls: string[] }[] } };
      expect(doc.entries.web.map((e) => e.version)).toEqual(['1.0.1', '1.0.0+b', '1.0.0+a']);
      expect(doc.entries.web[1].urls).toEqual(['https://pkgs.example.com/acme/charts/helm/charts/web-1.0.0%2Bb.tgz']);
    }
  });

  it('lists charts with entries newest first, absolute URLs, digests and apiVersion v1 (golden file)', async () => {
    const members = [
      await member('web', '1.2.0', '2024-01-01T00:00:00.000Z', FULL),
      await member('web', '1.10.0', '2024-01-03T00:00:00.000Z'),
      await member('web', '2.0.0-rc.1', '2024-01-04T00:00:00.000Z'),
      await member('api', '0.1.0', '2024-01-02T00:00:00.000Z'),
      // A yanked version leaves the index.
      { ...(await member('api', '0.2.0', '2024-01-05T00:00:00.000Z')), yanked: { at: '2024-01-06T00:00:00.000Z' } },
    ];
    const perChart = await renderHelm({ repo: 'acme/charts', scope: 'web', members, now: new Date(), baseUrl: 'https://pkgs.example.com' });
    expect(perChart.top).toEqual([]);
    const out = await renderHelm({ repo: 'acme/charts', scope: CATALOG_SCOPE, members, now: new Date('2024-02-01T00:00:00Z'), baseUrl: 'https://pkgs.example.com' });
    expect(out.top.map((f) => f.key)).toEqual(['acme/charts/helm/index.yaml']);
    const text = Buffer.from(out.top[0].body).toString('utf8');
    if (process.env.UPDATE_GOLDEN || !existsSync(GOLDEN)) writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));

    // Read back the way Helm's repo.LoadIndexFile does (YAML 1.1): apiVersion required, entries by name, SemVer-sorted.
    const doc = YAML.parse(text, { version: '1.1' }) as { apiVersion: string; entries: Record<string, { version: string; urls: string[]; digest: string; created: string }[]> };
    expect(doc.apiVersion).toBe('v1');
    expect(Object.keys(doc.entries)).toEqual(['api', 'web']);
    const versions = doc.entries.web.map((e) => e.version);
    expect(versions).toEqual(['2.0.0-rc.1', '1.10.0', '1.2.0']);
    expect([...versions].sort(semver.rcompare)).toEqual(versions);
    expect(doc.entries.api.map((e) => e.version)).toEqual(['0.1.0']);
    expect(doc.entries.web[2]).toMatchObject({
      apiVersion: 'v2', name: 'web', version: '1.2.0', appVersion: '4.5', description: 'Web', type: 'application', keywords: ['web', 'http'],
      home: 'https://web.example.com', sources: ['https://git.example.com/web'], icon: 'https://web.example.com/icon.png',
      maintainers: [{ name: 'Ann', email: 'ann@example.com', url: 'https://ann.example.com' }],
      dependencies: [{ name: 'redis', version: '17.x', repository: 'https://charts.example.com', condition: 'redis.enabled' }],
      kubeVersion: '>=1.22.0-0', deprecated: false, annotations: { category: 'Web' },
    });
    for (const e of Object.values(doc.entries).flat()) {
      expect(e.urls[0]).toMatch(/^https:\/\/pkgs\.example\.com\/acme\/charts\/helm\/charts\/[a-z]+-[0-9.a-z-]+\.tgz$/);
      expect(e.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(Date.parse(e.created)).not.toBeNaN();
    }
  });
});
