import { createHash } from 'node:crypto';
import { isPackyardError } from '../../../shared/domain/errors';
import { checkProvenance, readProvenance } from '../../../shared/formats/helm/provenance';
import { chart, provenance } from './charts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const codeOf = async (f: () => unknown) => {
  try {
    await f();
    return undefined;
  } catch (e) {
    return isPackyardError(e) ? `${e.code}: ${e.message}` : String(e);
  }
};

describe('Helm provenance files', () => {
  it('reads the chart identity and the digest from a clear-signed provenance file', async () => {
    const bytes = await chart('web', '1.2.3');
    const prov = await provenance('apiVersion: v2\nname: web\nversion: 1.2.3\n', { 'web-1.2.3.tgz': `sha256:${sha256(bytes)}` });
    const p = await readProvenance(Buffer.from(prov));
    expect(p).toEqual({ name: 'web', version: '1.2.3', filename: 'web-1.2.3.tgz', digest: `sha256:${sha256(bytes)}` });
    expect(() => checkProvenance(p, { filename: 'web-1.2.3.tgz', sha256: sha256(bytes) })).not.toThrow();
    expect(await codeOf(() => checkProvenance(p, { sha256: '0'.repeat(64) }))).toMatch(/^HELM_BAD_PROVENANCE: .*digest/);
    expect(await codeOf(() => checkProvenance(p, { filename: 'web-1.2.4.tgz', sha256: sha256(bytes) }))).toMatch(/^HELM_BAD_PROVENANCE: .*web-1\.2\.4\.tgz/);
  });

  it.each([
    ['an unsigned text', async () => 'name: web\nversion: 1.0.0\n...\nfiles:\n  web-1.0.0.tgz: sha256:' + '0'.repeat(64) + '\n'],
    ['a broken signature block', async () => `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nname: web\n-----BEGIN PGP SIGNATURE-----\n\nnot base64!\n-----END PGP SIGNATURE-----\n`],
    ['no files block', () => provenance('apiVersion: v2\nname: web\nversion: 1.0.0\n', {}).then((p) => p.replace('\n...\n', '\n'))],
    ['a files block naming another chart', () => provenance('apiVersion: v2\nname: web\nversion: 1.0.0\n', { 'api-1.0.0.tgz': 'sha256:' + '0'.repeat(64) })],
    ['a digest that is not sha256', () => provenance('apiVersion: v2\nname: web\nversion: 1.0.0\n', { 'web-1.0.0.tgz': 'md5:abc' })],
    ['no chart name', () => provenance('apiVersion: v2\nversion: 1.0.0\n', { 'web-1.0.0.tgz': 'sha256:' + '0'.repeat(64) })],
  ])('refuses %s', async (_what, make) => {
    const prov = await make();
    expect(await codeOf(() => readProvenance(Buffer.from(prov)))).toMatch(/^HELM_BAD_PROVENANCE: /);
  });

  it('refuses an oversized provenance file before parsing it', async () => {
    expect(await codeOf(() => readProvenance(Buffer.alloc(65 * 1024, 0x41)))).toMatch(/^HELM_BAD_PROVENANCE: .*larger/);
  });
});
