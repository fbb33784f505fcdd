import { parseMultipart } from '../../../shared/http/multipart';

const BOUNDARY = 'xYzZY';
const type = `multipart/form-data; boundary=${BOUNDARY}`;
function body(fields: [string, string][], file?: { name: string; bytes: Buffer }): Buffer {
  const parts = fields.map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  const chunks: Buffer[] = parts.map((p) => Buffer.from(p));
  if (file) {
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="content"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(file.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

describe('parseMultipart', () => {
  it('keeps every field of a long form (twine sends one per classifier before the digest) and the file', async () => {
    const fields: [string, string][] = Array.from({ length: 300 }, (_, i) => ['classifiers', `Topic :: ${i}`]);
    fields.push(['sha256_digest', 'ab'.repeat(32)]);
    const form = await parseMultipart(body(fields, { name: 'x.whl', bytes: Buffer.from('PK\x03\x04') }), type);
    expect(form.fields.sha256_digest).toBe('ab'.repeat(32));
    expect(form.files).toEqual([{ field: 'content', filename: 'x.whl', bytes: Buffer.from('PK\x03\x04') }]);
  });

  it('refuses a form over its limits instead of dropping what is over', async () => {
    const many: [string, string][] = Array.from({ length: 1001 }, (_, i) => [`f${i}`, 'v']);
    await expect(parseMultipart(body(many), type)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/too many fields/) });
    await expect(parseMultipart(body([['big', 'x'.repeat(65 * 1024)]]), type)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/over 64 KiB/) });
  });

  it('refuses a body that is not multipart', async () => {
    await expect(parseMultipart(Buffer.from('{}'), 'application/json')).rejects.toMatchObject({ status: 400 });
  });
});
