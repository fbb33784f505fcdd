import { badRequest } from '../../domain/errors';
import { RpmCodes } from './codes';

/** `8e ad e8 01` then four reserved zero bytes: rpm compares all eight (format_header.md). */
export const HEADER_MAGIC = Uint8Array.of(0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0);
const INTRO = 16;
const ENTRY = 16;
/** HEADERSIGNATURES and HEADERIMMUTABLE: the region tag that opens a signed header. */
const REGION_TAGS: ReadonlySet<number> = new Set([62, 63]);

const enum Type {
  NULL = 0,
  CHAR = 1,
  INT8 = 2,
  INT16 = 3,
  INT32 = 4,
  INT64 = 5,
  STRING = 6,
  BIN = 7,
  STRING_ARRAY = 8,
  I18NSTRING = 9,
}
const WIDTH: Partial<Record<Type, number>> = { [Type.CHAR]: 1, [Type.INT8]: 1, [Type.INT16]: 2, [Type.INT32]: 4, [Type.INT64]: 8, [Type.BIN]: 1 };
const TYPE_NAMES = ['NULL', 'CHAR', 'INT8', 'INT16', 'INT32', 'INT64', 'STRING', 'BIN', 'STRING_ARRAY', 'I18NSTRING'];

/**
 * rpm's own ceilings (lib/header.c, hdrblobRead): a header claiming more is refused before anything is
 * allocated. The signature header is small by design.
 */
export const HEADER_LIMITS = {
  signature: { entries: 32, data: 64 * 1024 },
  main: { entries: 0xffff, data: 0x0fffffff },
} as const;
export type HeaderKind = keyof typeof HEADER_LIMITS;

interface Entry {
  tag: number;
  type: Type;
  offset: number;
  count: number;
}

const fail = (kind: HeaderKind, message: string) => badRequest(RpmCodes.BAD_HEADER, `the ${kind} header is malformed: ${message}`);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Header strings are bytes; createrepo_c and dnf read them as UTF-8 and fall back to Latin-1. */
function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** One parsed, structurally validated header: typed access to its tags. */
export class RpmHeader {
  private constructor(
    readonly kind: HeaderKind,
    /** Offset of the header's magic in the file. */
    readonly start: number,
    /** Offset just past its data store. */
    readonly end: number,
    private readonly store: Uint8Array,
    private readonly entries: ReadonlyMap<number, Entry>,
  ) {}

  /** Reads and checks the header at `offset` of `file`; everything is bounded by the file and rpm's limits. */
  static read(file: Uint8Array, offset: number, kind: HeaderKind): RpmHeader {
    if (file.length < offset + INTRO) {
      throw badRequest(RpmCodes.TRUNCATED, `the file ends inside the ${kind} header (at byte ${file.length}, header starts at ${offset})`);
    }
    for (let i = 0; i < HEADER_MAGIC.length; i++) {
      if (file[offset + i] !== HEADER_MAGIC[i]) throw fail(kind, `bad header magic at byte ${offset}`);
    }
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const count = view.getUint32(offset + 8);
    const dataSize = view.getUint32(offset + 12);
    const limits = HEADER_LIMITS[kind];
    if (count < 1) throw fail(kind, 'it has no index entries');
    if (count > limits.entries || dataSize > limits.data) {
      throw badRequest(
        RpmCodes.HEADER_TOO_LARGE,
        `the ${kind} header declares ${count} entries and ${dataSize} data bytes; rpm accepts at most ${limits.entries} and ${limits.data}`,
      );
    }
    const storeStart = offset + INTRO + count * ENTRY;
    const end = storeStart + dataSize;
    if (end > file.length) {
      throw badRequest(RpmCodes.TRUNCATED, `the ${kind} header needs ${end - offset} bytes from byte ${offset} but the file has ${file.length}`);
    }
    const store = file.subarray(storeStart, end);
    const entries = new Map<number, Entry>();
    let previousEnd = 0;
    for (let i = 0; i < count; i++) {
      const at = offset + INTRO + i * ENTRY;
      const e: Entry = { tag: view.getUint32(at), type: view.getUint32(at + 4), offset: view.getUint32(at + 8), count: view.getUint32(at + 12) };
      const length = entryLength(kind, e, store);
      // As rpm (hdrblobVerifyInfo): data follows the index order without overlap, so checking every entry
      // costs one pass over the store. The leading region tag points at the trailer and is exempt.
      if (!(i === 0 && REGION_TAGS.has(e.tag))) {
        if (e.offset < previousEnd) throw fail(kind, `the data of tag ${e.tag} overlaps the previous entry`);
        previousEnd = e.offset + length;
      }
      if (entries.has(e.tag)) throw fail(kind, `tag ${e.tag} appears twice`);
      entries.set(e.tag, e);
    }
    return new RpmHeader(kind, offset, end, store, entries);
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** A STRING, or the first (C locale) element of an I18NSTRING. */
  string(tag: number): string | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (e.type !== Type.STRING && e.type !== Type.I18NSTRING) throw this.wrongType(e, 'a string');
    return this.stringsAt(e, 1)[0];
  }

  /** A STRING_ARRAY (or I18NSTRING) as an array; a plain STRING becomes a one-element array. */
  strings(tag: number): string[] | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (e.type !== Type.STRING_ARRAY && e.type !== Type.I18NSTRING && e.type !== Type.STRING) throw this.wrongType(e, 'a string array');
    return this.stringsAt(e, e.count);
  }

  /** Integers of any width; 64-bit values beyond 2^53 are refused rather than rounded. */
  numbers(tag: number): number[] | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    const view = new DataView(this.store.buffer, this.store.byteOffset + e.offset, e.count * (WIDTH[e.type] ?? 0));
    const out: number[] = [];
    for (let i = 0; i < e.count; i++) {
      switch (e.type) {
        case Type.CHAR:
        case Type.INT8:
          out.push(view.getUint8(i));
          break;
        case Type.INT16:
          out.push(view.getUint16(i * 2));
          break;
        case Type.INT32:
          out.push(view.getUint32(i * 4));
          break;
        case Type.INT64: {
          const v = view.getBigUint64(i * 8);
          if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(this.kind, `tag ${e.tag} holds a 64-bit value too large to represent`);
          out.push(Number(v));
          break;
        }
        default:
          throw this.wrongType(e, 'an integer');
      }
    }
    return out;
  }

  number(tag: number): number | undefined {
    return this.numbers(tag)?.[0];
  }

  binary(tag: number): Uint8Array | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (e.type !== Type.BIN) throw this.wrongType(e, 'binary data');
    return this.store.subarray(e.offset, e.offset + e.count);
  }

  private stringsAt(e: Entry, n: number): string[] {
    const out: string[] = [];
    let at = e.offset;
    for (let i = 0; i < n; i++) {
      const nul = this.store.indexOf(0, at);
      out.push(decode(this.store.subarray(at, nul)));
      at = nul + 1;
    }
    return out;
  }

  private wrongType(e: Entry, wanted: string) {
    return fail(this.kind, `tag ${e.tag} is ${TYPE_NAMES[e.type] ?? e.type}, expected ${wanted}`);
  }
}

/** Checks type, alignment and extent of one index entry and returns its data length: it must lie inside the store. */
function entryLength(kind: HeaderKind, e: Entry, store: Uint8Array): number {
  if (e.type < Type.CHAR || e.type > Type.I18NSTRING) throw fail(kind, `tag ${e.tag} has unknown type ${e.type}`);
  if (e.count < 1) throw fail(kind, `tag ${e.tag} has no values`);
  if (e.offset >= store.length) throw fail(kind, `tag ${e.tag} points outside the data store`);
  if (e.type === Type.STRING && e.count !== 1) throw fail(kind, `tag ${e.tag} is a STRING with ${e.count} values`);
  const width = WIDTH[e.type];
  if (width !== undefined) {
    if (e.offset % width !== 0) throw fail(kind, `tag ${e.tag} is not aligned to ${width} bytes`);
    if (e.count > (store.length - e.offset) / width) throw fail(kind, `tag ${e.tag} declares ${e.count} values past the end of the data store`);
    return e.count * width;
  }
  // Strings: every value needs its NUL inside the store, so there is at most one value per remaining byte.
  if (e.count > store.length - e.offset) throw fail(kind, `tag ${e.tag} declares ${e.count} strings past the end of the data store`);
  let at = e.offset;
  for (let i = 0; i < e.count; i++) {
    const nul = store.indexOf(0, at);
    if (nul < 0) throw fail(kind, `string ${i} of tag ${e.tag} runs past the end of the data store`);
    at = nul + 1;
  }
  return at - e.offset;
}
