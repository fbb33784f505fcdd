import busboy from 'busboy';
import { badRequest, Codes } from '../domain/errors';

export interface MultipartFile {
  field: string;
  filename: string;
  bytes: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: MultipartFile[];
}

/** Parses a buffered multipart/form-data body (API Gateway delivers the whole body at once). */
export function parseMultipart(body: Buffer, contentType: string | undefined): Promise<MultipartForm> {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) {
    return Promise.reject(badRequest(Codes.INVALID_REQUEST, 'expected a multipart/form-data body'));
  }
  return new Promise((resolve, reject) => {
    const form: MultipartForm = { fields: {}, files: [] };
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: { 'content-type': contentType }, limits: { files: 4, fields: 1000, fieldSize: 64 * 1024 } });
    } catch {
      reject(badRequest(Codes.INVALID_REQUEST, 'malformed multipart/form-data content type'));
      return;
    }
    // Dropping what is over a limit would silently lose fields (twine sends the sha256 after every
    // classifier), so a form over a limit is refused instead.
    const tooMuch = (what: string) => reject(badRequest(Codes.INVALID_REQUEST, `the form has too many ${what}`));
    bb.on('fieldsLimit', () => tooMuch('fields (at most 1000)'));
    bb.on('filesLimit', () => tooMuch('files (at most 4)'));
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) reject(badRequest(Codes.INVALID_REQUEST, `the form field ${JSON.stringify(name)} is over 64 KiB`));
      form.fields[name] = value;
    });
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => form.files.push({ field, filename: info.filename ?? '', bytes: Buffer.concat(chunks) }));
    });
    bb.on('error', () => reject(badRequest(Codes.INVALID_REQUEST, 'malformed multipart/form-data body')));
    bb.on('close', () => resolve(form));
    bb.end(body);
  });
}
