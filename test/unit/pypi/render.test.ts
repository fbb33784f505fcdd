import { CATALOG_SCOPE, type IndexMember, type RenderInput } from '../../../shared/formats/format';
import { pypiFormat } from '../../../shared/formats/pypi';
import { distFragment } from '../../../shared/formats/pypi/fragment';

const signer = { clearsign: async () => '', detachSign: async () => '' };
const sha = (c: string) => c.repeat(64);

function member(name: string, version: string, filename: string, opts: { display?: string; requiresPython?: string; metadata?: string; yanked?: IndexMember['yanked']; at?: string } = {}): IndexMember {
  return {
    name,
    version,
    arch: filename.endsWith('.whl') ? 'py3-none-any' : 'sdist',
    fragment: distFragment(
      { filename, displayName: opts.display ?? name, versionText: version, ...(opts.requiresPython ? { requiresPython: opts.requiresPython } : {}) },
      { blobKey: '', size: 100 + version.length, hashes: { md5: '', sha1: '', sha256: sha(version.slice(-1)), sha512: '' } },
      opts.metadata,
    ),
    uploadedAt: opts.at ?? '2024-01-02T15:04:05.123Z',
    ...(opts.yanked ? { yanked: opts.yanked } : {}),
  };
}

const input = (scope: string, members: IndexMember[]): RenderInput => ({ repo: 'acme/py', scope, members, now: new Date(0), baseUrl: 'http://127.0.0.1:9000/' });
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('project pages', () => {
  const members = [
    member('foo-bar', '1.10', 'foo_bar-1.10-py3-none-any.whl', { requiresPython: '>=3.8,<4', metadata: sha('a') }),
    member('foo-bar', '1.2', 'foo_bar-1.2.tar.gz', { yanked: { at: '2024-02-01T00:00:00.000Z', reason: 'broken <build> & "more"' } }),
    member('foo-bar', '1.2', 'foo_bar-1.2-py3-none-any.whl', { metadata: sha('b'), yanked: { at: '2024-02-01T00:00:00.000Z' } }),
    member('foo-bar', '1.0+local.1', 'foo_bar-1.0+local.1-py3-none-any.whl'),
  ];

  it('renders PEP 691 JSON (api 1.1): versions, absolute same-host URLs, hashes, core-metadata, yanked, size, upload-time', async () => {
    const out = await pypiFormat.render(input('foo-bar', members), signer);
    expect(out.content).toEqual([]);
    expect(out.top.map((f) => [f.key, f.contentType])).toEqual([
      ['acme/py/pypi/simple/foo-bar/index.json', 'application/vnd.pypi.simple.v1+json'],
      ['acme/py/pypi/simple/foo-bar/index.html', 'text/html; charset=utf-8'],
    ]);
    const page = JSON.parse(text(out.top[0].body));
    expect(page.meta).toEqual({ 'api-version': '1.1' });
    expect(page.name).toBe('foo-bar');
    expect(page.versions).toEqual(['1.0+local.1', '1.2', '1.10']);
    expect(page.files.map((f: { filename: string }) => f.filename)).toEqual([
      'foo_bar-1.0+local.1-py3-none-any.whl',
      'foo_bar-1.2-py3-none-any.whl',
      'foo_bar-1.2.tar.gz',
      'foo_bar-1.10-py3-none-any.whl',
    ]);
    expect(page.files[0]).toEqual({
      filename: 'foo_bar-1.0+local.1-py3-none-any.whl',
      url: 'http://127.0.0.1:9000/acme/py/pypi/files/foo-bar/foo_bar-1.0%2Blocal.1-py3-none-any.whl',
      hashes: { sha256: sha('1') },
      yanked: false,
      size: 111,
      'upload-time': '2024-01-02T15:04:05.123000Z',
    });
    expect(page.files[1]).toMatchObject({ yanked: true, 'core-metadata': { sha256: sha('b') } });
    // pip 22.3-23.0 crash on the pre-PEP 714 key in JSON.
    expect(page.files[1]['dist-info-metadata']).toBeUndefined();
    expect(page.files[2]).toMatchObject({ yanked: 'broken <build> & "more"' });
    expect(page.files[2]['core-metadata']).toBeUndefined();
    expect(page.files[3]).toMatchObject({ 'requires-python': '>=3.8,<4', yanked: false });
  });

  it('renders PEP 503 HTML with #sha256 fragments, escaped attributes and both metadata attribute names', async () => {
    const html = text((await pypiFormat.render(input('foo-bar', members), signer)).top[1].body);
    expect(html).toContain('<meta name="pypi:repository-version" content="1.1">');
    expect(html).toContain('<title>Links for foo-bar</title>');
    const links = html.split('\n').filter((l) => l.includes('<a '));
    expect(links).toEqual([
      `    <a href="http://127.0.0.1:9000/acme/py/pypi/files/foo-bar/foo_bar-1.0%2Blocal.1-py3-none-any.whl#sha256=${sha('1')}">foo_bar-1.0+local.1-py3-none-any.whl</a><br />`,
      `    <a href="http://127.0.0.1:9000/acme/py/pypi/files/foo-bar/foo_bar-1.2-py3-none-any.whl#sha256=${sha('2')}" data-core-metadata="sha256=${sha('b')}" data-dist-info-metadata="sha256=${sha('b')}" data-yanked="">foo_bar-1.2-py3-none-any.whl</a><br />`,
      `    <a href="http://127.0.0.1:9000/acme/py/pypi/files/foo-bar/foo_bar-1.2.tar.gz#sha256=${sha('2')}" data-yanked="broken &lt;build&gt; &amp; &quot;more&quot;">foo_bar-1.2.tar.gz</a><br />`,
      `    <a href="http://127.0.0.1:9000/acme/py/pypi/files/foo-bar/foo_bar-1.10-py3-none-any.whl#sha256=${sha('0')}" data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256=${sha('a')}" data-dist-info-metadata="sha256=${sha('a')}">foo_bar-1.10-py3-none-any.whl</a><br />`,
    ]);
  });

  it('is deterministic, and renders an empty page for a project with no files left', async () => {
    const a = await pypiFormat.render(input('foo-bar', members), signer);
    const b = await pypiFormat.render(input('foo-bar', [...members].reverse()), signer);
    expect(a.top.map((f) => text(f.body))).toEqual(b.top.map((f) => text(f.body)));
    const empty = await pypiFormat.render(input('gone', []), signer);
    expect(JSON.parse(text(empty.top[0].body))).toEqual({ meta: { 'api-version': '1.1' }, name: 'gone', versions: [], files: [] });
  });

  it('needs the public base URL', async () => {
    await expect(pypiFormat.render({ ...input('foo-bar', members), baseUrl: undefined }, signer)).rejects.toThrow(/base URL/);
  });
});

describe('the project list (catalog scope)', () => {
  it('lists every project once, by normalised name, spelled as its newest file spells it', async () => {
    const members = [
      member('foo-bar', '1.0', 'foo_bar-1.0.tar.gz', { display: 'foo_bar', at: '2024-01-01T00:00:00.000Z' }),
      member('foo-bar', '2.0', 'Foo.Bar-2.0.tar.gz', { display: 'Foo.Bar', at: '2024-03-01T00:00:00.000Z' }),
      member('alpha', '1.0', 'alpha-1.0.tar.gz', { display: 'Alpha' }),
      member('x-y', '1.0', 'x_y-1.0.tar.gz', { display: 'x<y' }),
    ];
    expect(pypiFormat.catalog).toBe(true);
    const out = await pypiFormat.render(input(CATALOG_SCOPE, members), signer);
    expect(out.top.map((f) => [f.key, f.contentType])).toEqual([
      ['acme/py/pypi/simple/index.json', 'application/vnd.pypi.simple.v1+json'],
      ['acme/py/pypi/simple/index.html', 'text/html; charset=utf-8'],
    ]);
    expect(JSON.parse(text(out.top[0].body))).toEqual({ meta: { 'api-version': '1.1' }, projects: [{ name: 'Alpha' }, { name: 'Foo.Bar' }, { name: 'x<y' }] });
    const html = text(out.top[1].body);
    expect(html.split('\n').filter((l) => l.includes('<a '))).toEqual([
      '    <a href="alpha/">Alpha</a><br />',
      '    <a href="foo-bar/">Foo.Bar</a><br />',
      '    <a href="x-y/">x&lt;y</a><br />',
    ]);
  });
});
