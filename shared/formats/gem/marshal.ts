/**
 * A writer for Ruby's Marshal format 4.8, just large enough for RubyGems' legacy index files: nil, booleans,
 * small integers, UTF-8 and binary strings, symbols, arrays, hashes, plain objects and the two custom-dump
 * kinds (`marshal_dump` -> 'U', `_dump` -> 'u') that Gem::Version, Gem::Requirement, Gem::Specification and
 * Time use. Object links ('@') are never written; Ruby reads a tree without them.
 */
export type RubyValue =
  | null
  | boolean
  /** A Fixnum. */
  | number
  /** A UTF-8 String. */
  | string
  | RubyValue[]
  | RubySymbol
  | RubyBytes
  | RubyHash
  | RubyObject
  | RubyUserMarshal
  | RubyUserDefined;

export interface RubySymbol {
  kind: 'symbol';
  name: string;
}
/** A String without an encoding (ASCII-8BIT). */
export interface RubyBytes {
  kind: 'bytes';
  bytes: Uint8Array;
}
export interface RubyHash {
  kind: 'hash';
  entries: [RubyValue, RubyValue][];
}
/** An object restored by setting its instance variables (`@name` keys). */
export interface RubyObject {
  kind: 'object';
  className: string;
  ivars: [string, RubyValue][];
}
/** An object whose class defines marshal_dump/marshal_load ('U'): `data` is what marshal_dump returns. */
export interface RubyUserMarshal {
  kind: 'user-marshal';
  className: string;
  data: RubyValue;
}
/** An object whose class defines _dump/_load ('u'): `bytes` is the string _dump returns. */
export interface RubyUserDefined {
  kind: 'user-defined';
  className: string;
  bytes: Uint8Array;
}

export const sym = (name: string): RubySymbol => ({ kind: 'symbol', name });
export const rubyBytes = (bytes: Uint8Array): RubyBytes => ({ kind: 'bytes', bytes });
export const rubyHash = (entries: [RubyValue, RubyValue][]): RubyHash => ({ kind: 'hash', entries });
export const rubyObject = (className: string, ivars: [string, RubyValue][]): RubyObject => ({ kind: 'object', className, ivars });
export const userMarshal = (className: string, data: RubyValue): RubyUserMarshal => ({ kind: 'user-marshal', className, data });
export const userDefined = (className: string, bytes: Uint8Array): RubyUserDefined => ({ kind: 'user-defined', className, bytes });

/** Marshal.dump(value): `04 08` and the value. */
export function marshalDump(value: RubyValue): Uint8Array {
  const w = new Writer();
  w.byte(4);
  w.byte(8);
  w.value(value);
  return w.finish();
}

// Marshal writes a Fixnum as 'i' only within 31 bits; larger ones would be Bignums, which nothing here needs.
const FIXNUM_MIN = -(2 ** 30);
const FIXNUM_MAX = 2 ** 30 - 1;

class Writer {
  private readonly chunks: number[] = [];
  private readonly symbols = new Map<string, number>();

  byte(b: number): void {
    this.chunks.push(b & 0xff);
  }

  raw(bytes: Uint8Array): void {
    for (const b of bytes) this.chunks.push(b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }

  /** w_long: the packed integer used for Fixnums, lengths and counts. */
  long(n: number): void {
    if (!Number.isInteger(n) || n < FIXNUM_MIN || n > FIXNUM_MAX) throw new RangeError(`${n} is not a Marshal Fixnum`);
    if (n === 0) return this.byte(0);
    if (n > 0 && n < 123) return this.byte(n + 5);
    if (n < 0 && n > -124) return this.byte(n - 5);
    const out: number[] = [];
    let x = n;
    for (let i = 1; i <= 4; i++) {
      out.push(x & 0xff);
      x >>= 8; // arithmetic shift: negative numbers end at -1
      if (x === 0 || x === -1) {
        this.byte(x === 0 ? i : -i);
        for (const b of out) this.byte(b);
        return;
      }
    }
  }

  bytesWithLength(bytes: Uint8Array): void {
    this.long(bytes.length);
    this.raw(bytes);
  }

  symbol(name: string): void {
    const seen = this.symbols.get(name);
    if (seen !== undefined) {
      this.byte(0x3b); // ';' symlink
      this.long(seen);
      return;
    }
    this.symbols.set(name, this.symbols.size);
    this.byte(0x3a); // ':'
    this.bytesWithLength(Buffer.from(name, 'utf8'));
  }

  value(v: RubyValue): void {
    if (v === null) return this.byte(0x30); // '0'
    if (v === true) return this.byte(0x54); // 'T'
    if (v === false) return this.byte(0x46); // 'F'
    if (typeof v === 'number') {
      this.byte(0x69); // 'i'
      return this.long(v);
    }
    if (typeof v === 'string') {
      // 'I' + String + one instance variable: E = true (UTF-8).
      this.byte(0x49);
      this.byte(0x22);
      this.bytesWithLength(Buffer.from(v, 'utf8'));
      this.long(1);
      this.symbol('E');
      return this.byte(0x54);
    }
    if (Array.isArray(v)) {
      this.byte(0x5b); // '['
      this.long(v.length);
      for (const item of v) this.value(item);
      return;
    }
    switch (v.kind) {
      case 'symbol':
        return this.symbol(v.name);
      case 'bytes':
        this.byte(0x22); // '"'
        return this.bytesWithLength(v.bytes);
      case 'hash':
        this.byte(0x7b); // '{'
        this.long(v.entries.length);
        for (const [k, val] of v.entries) {
          this.value(k);
          this.value(val);
        }
        return;
      case 'object':
        this.byte(0x6f); // 'o'
        this.symbol(v.className);
        this.long(v.ivars.length);
        for (const [name, val] of v.ivars) {
          this.symbol(name);
          this.value(val);
        }
        return;
      case 'user-marshal':
        this.byte(0x55); // 'U'
        this.symbol(v.className);
        return this.value(v.data);
      case 'user-defined':
        this.byte(0x75); // 'u'
        this.symbol(v.className);
        return this.bytesWithLength(v.bytes);
    }
  }
}
