import { isPackyardError } from '../../../shared/domain/errors';
import { decodePublishBody } from '../../../shared/formats/cargo/publish-body';
import { publishBody } from './craft';

const failure = (body: Uint8Array): string => {
  try {
    decodePublishBody(body);
  } catch (e) {
    if (isPackyardError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error('accepted');
};

describe('the cargo publish body', () => {
  it('splits the JSON metadata from the .crate', () => {
    const crate = Buffer.from([0x1f, 0x8b, 1, 2, 3]);
    const body = publishBody({ name: 'a', vers: '1.0.0', deps: [] }, crate);
    const { metadata, crate: out } = decodePublishBody(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    expect(metadata).toEqual({ name: 'a', vers: '1.0.0', deps: [] });
    expect(Buffer.from(out)).toEqual(crate);
  });

  it('reads a body that sits at an offset inside a larger buffer', () => {
    const body = publishBody({ name: 'a', vers: '1.0.0' }, Buffer.from('xyz'));
    const big = Buffer.concat([Buffer.from('padding'), body]);
    expect(Buffer.from(decodePublishBody(big.subarray(7)).crate).toString()).toBe('xyz');
  });

  it.each([
    ['an empty body', Buffer.alloc(0), /too short/],
    ['a metadata length past the end', Buffer.from([0xff, 0, 0, 0, 0x7b, 0x7d]), /declares 255 bytes of metadata but is only 6 bytes long/],
    ['metadata that is not JSON', Buffer.concat([Buffer.from([2, 0, 0, 0]), Buffer.from('{x'), Buffer.from([0, 0, 0, 0])]), /not valid UTF-8 JSON/],
    ['metadata that is not an object', publishBody([1, 2], Buffer.from('c')), /must be a JSON object/],
    ['a crate length that is too long', publishBody({}, Buffer.from('c')).subarray(0, 10), /declares a 1-byte .crate but carries 0 bytes/],
    ['trailing bytes', Buffer.concat([publishBody({}, Buffer.from('c')), Buffer.from('extra')]), /declares a 1-byte .crate but carries 6 bytes/],
    ['an empty crate', publishBody({}, Buffer.alloc(0)), /empty .crate/],
  ])('refuses %s', (_what, body, message) => {
    expect(failure(body)).toMatch(/^CARGO_INVALID_PUBLISH_BODY: /);
    expect(failure(body)).toMatch(message);
  });
});
