/**
 * A TOML 1.0 reader for the manifest inside a `.crate` (no TOML package is among the dependencies), also
 * taking TOML 1.1's multi-line inline tables. It accepts every TOML 1.0 document; date-times are returned as their text and integers as numbers, because
 * nothing the registry reads from a manifest is a date or a large integer. Tables have no prototype, so a
 * key such as `__proto__` is plain data.
 */
export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export class TomlError extends Error {
  constructor(message: string, readonly line: number) {
    super(`${message} at line ${line}`);
    this.name = 'TomlError';
  }
}

const MAX_DEPTH = 100;
const BARE_KEY = /[A-Za-z0-9_-]/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?)?$|^\d{2}:\d{2}:\d{2}(?:\.\d+)?$/;
const DEC_INT = /^[+-]?(?:0|[1-9](?:_?\d)*)$/;
const HEX_INT = /^0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*$/;
const OCT_INT = /^0o[0-7](?:_?[0-7])*$/;
const BIN_INT = /^0b[01](?:_?[01])*$/;
const FLOAT = /^[+-]?(?:0|[1-9](?:_?\d)*)(?:\.\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?$/;
const SPECIAL_FLOAT = /^[+-]?(?:inf|nan)$/;

const newTable = (): TomlTable => Object.create(null) as TomlTable;
const isTable = (v: TomlValue | undefined): v is TomlTable => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseToml(src: string): TomlTable {
  return new Parser(src).document();
}

class Parser {
  private pos = 0;
  private readonly root = newTable();
  /** Tables opened by a `[header]`: a second header for them is an error. */
  private readonly headed = new WeakSet<object>();
  /** Tables made by dotted keys: a header may not reopen them. */
  private readonly dotted = new WeakSet<object>();
  /** Inline tables and arrays are complete values: nothing may be added to them later. */
  private readonly sealed = new WeakSet<object>();
  /** Arrays made by `[[header]]`. */
  private readonly tableArrays = new WeakSet<object>();

  constructor(private readonly src: string) {
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  document(): TomlTable {
    let current = this.root;
    for (;;) {
      this.skipBlanks();
      if (this.eof()) return this.root;
      const c = this.peek();
      if (c === '\n' || c === '\r') {
        this.newline();
        continue;
      }
      if (c === '#') {
        this.comment();
        continue;
      }
      if (c === '[') current = this.header();
      else this.keyValue(current, 0);
      this.endOfLine();
    }
  }

  private header(): TomlTable {
    const array = this.src.startsWith('[[', this.pos);
    this.pos += array ? 2 : 1;
    this.skipBlanks();
    const keys = this.key();
    this.skipBlanks();
    if (!this.src.startsWith(array ? ']]' : ']', this.pos)) this.fail(`expected "${array ? ']]' : ']'}" after the table name`);
    this.pos += array ? 2 : 1;
    let table = this.root;
    for (const k of keys.slice(0, -1)) {
      const next = table[k];
      if (next === undefined) {
        const t = newTable();
        table[k] = t;
        table = t;
      } else if (isTable(next) && !this.sealed.has(next)) {
        table = next;
      } else if (Array.isArray(next) && this.tableArrays.has(next)) {
        table = next[next.length - 1] as TomlTable;
      } else {
        this.fail(`"${k}" is not a table`);
      }
    }
    const last = keys[keys.length - 1];
    const existing = table[last];
    if (array) {
      const t = newTable();
      if (existing === undefined) {
        const list: TomlValue[] = [t];
        this.tableArrays.add(list);
        table[last] = list;
      } else if (Array.isArray(existing) && this.tableArrays.has(existing)) {
        existing.push(t);
      } else {
        this.fail(`"${keys.join('.')}" is already defined and is not an array of tables`);
      }
      return t;
    }
    if (existing === undefined) {
      const t = newTable();
      table[last] = t;
      this.headed.add(t);
      return t;
    }
    if (!isTable(existing) || this.headed.has(existing) || this.dotted.has(existing) || this.sealed.has(existing)) {
      this.fail(`table "${keys.join('.')}" is defined twice`);
    }
    this.headed.add(existing);
    return existing;
  }

  private keyValue(table: TomlTable, depth: number): void {
    const keys = this.key();
    this.skipBlanks();
    if (this.peek() !== '=') this.fail('expected "=" after a key');
    this.pos++;
    this.skipBlanks();
    let target = table;
    for (const k of keys.slice(0, -1)) {
      const next = target[k];
      if (next === undefined) {
        const t = newTable();
        this.dotted.add(t);
        target[k] = t;
        target = t;
      } else if (isTable(next) && this.dotted.has(next) && !this.sealed.has(next)) {
        target = next;
      } else {
        this.fail(`"${k}" is already defined`);
      }
    }
    const last = keys[keys.length - 1];
    if (last in target) this.fail(`duplicate key "${keys.join('.')}"`);
    target[last] = this.value(depth);
  }

  private key(): string[] {
    const keys: string[] = [];
    for (;;) {
      const c = this.peek();
      if (c === '"') keys.push(this.basicString());
      else if (c === "'") keys.push(this.literalString());
      else {
        const start = this.pos;
        while (!this.eof() && BARE_KEY.test(this.peek())) this.pos++;
        if (this.pos === start) this.fail('expected a key');
        keys.push(this.src.slice(start, this.pos));
      }
      this.skipBlanks();
      if (this.peek() !== '.') return keys;
      this.pos++;
      this.skipBlanks();
    }
  }

  private value(depth: number): TomlValue {
    if (depth > MAX_DEPTH) this.fail('values are nested too deeply');
    const c = this.peek();
    if (c === '"') return this.src.startsWith('"""', this.pos) ? this.multilineBasicString() : this.basicString();
    if (c === "'") return this.src.startsWith("'''", this.pos) ? this.multilineLiteralString() : this.literalString();
    if (c === '[') return this.array(depth + 1);
    if (c === '{') return this.inlineTable(depth + 1);
    return this.scalar();
  }

  private scalar(): TomlValue {
    const start = this.pos;
    while (!this.eof() && /[0-9A-Za-z_:.+-]/.test(this.peek())) this.pos++;
    let token = this.src.slice(start, this.pos);
    // A date and a time may be separated by a space (`1979-05-27 07:32:00Z`).
    if (/^\d{4}-\d{2}-\d{2}$/.test(token) && this.peek() === ' ' && /^ \d{2}:/.test(this.src.slice(this.pos, this.pos + 4))) {
      this.pos++;
      while (!this.eof() && /[0-9A-Za-z_:.+-]/.test(this.peek())) this.pos++;
      token = this.src.slice(start, this.pos);
    }
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (DATE_TIME.test(token)) return token;
    if (DEC_INT.test(token)) return Number(token.replace(/_/g, ''));
    if (HEX_INT.test(token) || OCT_INT.test(token) || BIN_INT.test(token)) return Number(token.replace(/_/g, ''));
    if (FLOAT.test(token)) return Number(token.replace(/_/g, ''));
    if (SPECIAL_FLOAT.test(token)) return token.endsWith('nan') ? NaN : token.startsWith('-') ? -Infinity : Infinity;
    this.pos = start;
    return this.fail(token ? `invalid value ${JSON.stringify(token)}` : 'expected a value');
  }

  private array(depth: number): TomlValue[] {
    this.pos++; // [
    const out: TomlValue[] = [];
    for (;;) {
      this.skipBlanksAndNewlines();
      if (this.peek() === ']') break;
      out.push(this.value(depth));
      this.skipBlanksAndNewlines();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() !== ']') this.fail('expected "," or "]" in an array');
      break;
    }
    this.pos++; // ]
    this.sealed.add(out);
    return out;
  }

  // TOML 1.1 (which Cargo's parser reads) allows newlines, comments and a trailing comma in inline tables.
  private inlineTable(depth: number): TomlTable {
    this.pos++; // {
    const t = newTable();
    for (;;) {
      this.skipBlanksAndNewlines();
      if (this.peek() === '}') break;
      this.keyValue(t, depth);
      this.skipBlanksAndNewlines();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() !== '}') this.fail('expected "," or "}" in an inline table');
      break;
    }
    this.pos++; // }
    this.sealDeep(t);
    return t;
  }

  /** Dotted keys inside an inline table make sub-tables that are just as complete as the table itself. */
  private sealDeep(t: TomlTable): void {
    this.sealed.add(t);
    for (const v of Object.values(t)) if (isTable(v) && this.dotted.has(v)) this.sealDeep(v);
  }

  private basicString(): string {
    this.pos++; // "
    let out = '';
    for (;;) {
      if (this.eof()) this.fail('unterminated string');
      const c = this.src[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') out += this.escape();
      else if (c === '\n' || c === '\r') this.fail('newline in a single-line string');
      else {
        this.checkControl(c);
        out += c;
        this.pos++;
      }
    }
  }

  private multilineBasicString(): string {
    this.pos += 3;
    this.skipOneNewline();
    let out = '';
    for (;;) {
      if (this.eof()) this.fail('unterminated multi-line string');
      if (this.src.startsWith('"""', this.pos)) {
        // Up to two quotes may sit right before the closing delimiter.
        let n = 3;
        while (n < 5 && this.src[this.pos + n] === '"') n++;
        out += '"'.repeat(n - 3);
        this.pos += n;
        return out;
      }
      const c = this.src[this.pos];
      if (c === '\\') {
        // A backslash at the end of a line trims the newline and the blanks that follow.
        let j = this.pos + 1;
        while (this.src[j] === ' ' || this.src[j] === '\t') j++;
        if (this.src[j] === '\n' || this.src.startsWith('\r\n', j)) {
          this.pos = j;
          while (!this.eof() && /[ \t\r\n]/.test(this.peek())) this.pos++;
          continue;
        }
        out += this.escape();
        continue;
      }
      if (c === '\r' && this.src[this.pos + 1] === '\n') {
        out += '\n';
        this.pos += 2;
        continue;
      }
      if (c !== '\n') this.checkControl(c);
      out += c;
      this.pos++;
    }
  }

  private literalString(): string {
    this.pos++; // '
    const end = this.src.indexOf("'", this.pos);
    const nl = this.src.slice(this.pos, end < 0 ? undefined : end).search(/[\r\n]/);
    if (end < 0 || nl >= 0) this.fail('unterminated literal string');
    const out = this.src.slice(this.pos, end);
    for (const c of out) this.checkControl(c);
    this.pos = end + 1;
    return out;
  }

  private multilineLiteralString(): string {
    this.pos += 3;
    this.skipOneNewline();
    const end = this.src.indexOf("'''", this.pos);
    if (end < 0) this.fail('unterminated multi-line literal string');
    let n = 3;
    while (n < 5 && this.src[end + n] === "'") n++;
    const out = this.src.slice(this.pos, end + n - 3).replace(/\r\n/g, '\n');
    for (const c of out) if (c !== '\n') this.checkControl(c);
    this.pos = end + n;
    return out;
  }

  private escape(): string {
    const c = this.src[this.pos + 1];
    const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
    if (c !== undefined && c in simple) {
      this.pos += 2;
      return simple[c];
    }
    if (c === 'u' || c === 'U') {
      const len = c === 'u' ? 4 : 8;
      const hex = this.src.slice(this.pos + 2, this.pos + 2 + len);
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) this.fail('invalid unicode escape');
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail('escape is not a unicode scalar value');
      this.pos += 2 + len;
      return String.fromCodePoint(cp);
    }
    return this.fail(`invalid escape "\\${c ?? ''}"`);
  }

  private checkControl(c: string): void {
    const code = c.charCodeAt(0);
    if ((code < 0x20 && c !== '\t') || code === 0x7f) this.fail('control character in a string');
  }

  private endOfLine(): void {
    this.skipBlanks();
    if (this.peek() === '#') this.comment();
    if (this.eof()) return;
    if (this.peek() !== '\n' && this.peek() !== '\r') this.fail('expected the end of the line');
    this.newline();
  }

  private comment(): void {
    while (!this.eof() && this.peek() !== '\n' && this.peek() !== '\r') this.pos++;
  }

  private newline(): void {
    if (this.src.startsWith('\r\n', this.pos)) this.pos += 2;
    else if (this.peek() === '\n') this.pos++;
    else this.fail('expected a newline');
  }

  private skipOneNewline(): void {
    if (this.src.startsWith('\r\n', this.pos)) this.pos += 2;
    else if (this.peek() === '\n') this.pos++;
  }

  private skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  private skipBlanksAndNewlines(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n') this.pos++;
      else if (c === '\r' && this.src[this.pos + 1] === '\n') this.pos += 2;
      else if (c === '#') this.comment();
      else return;
    }
  }

  private peek(): string {
    return this.src[this.pos] ?? '';
  }

  private eof(): boolean {
    return this.pos >= this.src.length;
  }

  private fail(message: string): never {
    let line = 1;
    for (let i = 0; i < this.pos && i < this.src.length; i++) if (this.src[i] === '\n') line++;
    throw new TomlError(message, line);
  }
}
