import { fileHashes } from '../../../shared/domain/hashes';
import { fileFormat } from '../../../shared/formats/file';
import type { IndexMember, Signer } from '../../../shared/formats/format';

/** Generic files sign nothing: any use of the signer fails the test. */
const noSigner: Signer = {
  clearsign: () => Promise.reject(new Error('unexpected clearsign')),
  detachSign: () => Promise.reject(new Error('unexpected detachSign')),
};

const D = { distro: 'files', release: '' };
const REPO = 'acme/tools';

async function member(filename: string, version: string, uploadedAt: string, content = filename): Promise<IndexMember> {
  const pkg = await fileFormat.parse(Buffer.from(content), { filename, declared: { name: 'tool', version } });
  const bytes = Buffer.from(content);
  const fragment = fileFormat.fragment(REPO, D, pkg, { blobKey: fileFormat.blobKey(REPO, D, pkg), size: bytes.length, hashes: fileHashes(bytes) });
  return { name: pkg.name, version: pkg.version, arch: pkg.arch, fragment, uploadedAt };
}

describe('files/{name}/index.json', () => {
  it('lists versions by semantic-version precedence with each file, its size, sha256 and upload time', async () => {
    const members = [
      await member('tool-linux.tgz', '1.10.0', '2024-03-01T00:00:00.000Z'),
      await member('tool-darwin.tgz', '1.10.0', '2024-03-01T00:00:01.000Z'),
      await member('tool.tgz', '1.9.0', '2024-02-01T00:00:00.000Z'),
      await member('tool.tgz', '2.0.0-rc.1', '2024-04-01T00:00:00.000Z'),
      await member('tool.tgz', '1.2.3', '2024-01-01T00:00:00.000Z'),
    ];
    const rendered = await fileFormat.render({ repo: REPO, scope: 'tool', members, now: new Date() }, noSigner);
    expect(rendered.content).toEqual([]);
    expect(rendered.top).toHaveLength(1);
    const [index] = rendered.top;
    expect(index.key).toBe('acme/tools/files/tool/index.json');
    expect(index.contentType).toBe('application/json');
    const json = JSON.parse(Buffer.from(index.body).toString('utf8'));
    expect(json.name).toBe('tool');
    expect(json.latest).toBe('1.10.0');
    expect(json.versions.map((v: { version: string }) => v.version)).toEqual(['1.2.3', '1.9.0', '1.10.0', '2.0.0-rc.1']);
    const v110 = json.versions[2];
    expect(v110.files.map((f: { filename: string }) => f.filename)).toEqual(['tool-darwin.tgz', 'tool-linux.tgz']);
    expect(v110.files[1]).toEqual({
      filename: 'tool-linux.tgz',
      size: 'tool-linux.tgz'.length,
      sha256: fileHashes(Buffer.from('tool-linux.tgz')).sha256,
      uploadedAt: '2024-03-01T00:00:00.000Z',
      path: '/acme/tools/files/tool/1.10.0/tool-linux.tgz',
    });
  });

  it('names a pre-release latest only when there is nothing else', async () => {
    const rendered = await fileFormat.render({ repo: REPO, scope: 'tool', members: [await member('t.tgz', '0.1.0-alpha', 'x'), await member('t.tgz', '0.1.0-beta', 'y')], now: new Date() }, noSigner);
    expect(JSON.parse(Buffer.from(rendered.top[0].body).toString()).latest).toBe('0.1.0-beta');
  });
});
