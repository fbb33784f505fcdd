import { badRequest } from '../../domain/errors';
import { CargoCodes } from './codes';

/** The parts of the publish metadata the registry relies on; the index itself is read from the .crate. */
export interface PublishMetadata {
  name: unknown;
  vers: unknown;
  [field: string]: unknown;
}

export interface PublishBody {
  metadata: PublishMetadata;
  crate: Uint8Array;
}

const bad = (message: string) => badRequest(CargoCodes.INVALID_PUBLISH_BODY, message);

/**
 * `cargo publish`'s body: a little-endian u32 length, the JSON metadata, another u32 length, the .crate.
 * Both lengths must account for the body exactly.
 */
export function decodePublishBody(body: Uint8Array): PublishBody {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (body.length < 4) throw bad('the publish body is too short for its metadata length');
  const jsonLength = view.getUint32(0, true);
  if (4 + jsonLength + 4 > body.length) throw bad(`the publish body declares ${jsonLength} bytes of metadata but is only ${body.length} bytes long`);
  let metadata: unknown;
  try {
    metadata = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(4, 4 + jsonLength)));
  } catch {
    throw bad('the publish metadata is not valid UTF-8 JSON');
  }
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) throw bad('the publish metadata must be a JSON object');
  const crateLength = view.getUint32(4 + jsonLength, true);
  const crateStart = 4 + jsonLength + 4;
  if (crateStart + crateLength !== body.length) {
    throw bad(`the publish body declares a ${crateLength}-byte .crate but carries ${body.length - crateStart} bytes`);
  }
  if (crateLength === 0) throw bad('the publish body carries an empty .crate');
  return { metadata: metadata as PublishMetadata, crate: body.subarray(crateStart) };
}
