import { parseToml, TomlError } from '../../../shared/formats/cargo/toml';

const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('the TOML reader', () => {
  it('reads tables, dotted and quoted keys, and arrays of tables', () => {
    const doc = parseToml(`
# comment
title = "x" # trailing comment
a.b.c = 1
"quoted key".x = true
'literal key' = 2

[package]
name = "demo"

[target."cfg(unix)".dependencies.libc]
version = "0.2"

[[bin]]
name = "one"

[[bin]]
name = "two"
[bin.extra]
k = 'v'
`);
    expect(plain(doc)).toEqual({
      title: 'x',
      a: { b: { c: 1 } },
      'quoted key': { x: true },
      'literal key': 2,
      package: { name: 'demo' },
      target: { 'cfg(unix)': { dependencies: { libc: { version: '0.2' } } } },
      bin: [{ name: 'one' }, { name: 'two', extra: { k: 'v' } }],
    });
  });

  it('reads every kind of string', () => {
    const doc = parseToml(
      [
        String.raw`basic = "tab\there \"q\" \\ \u00e9 \U0001F600"`,
        'ml = """',
        'first',
        'second"""',
        'trim = """\\',
        '   joined \\',
        '   here"""',
        'quotes = """a ""quoted"" b""""',
        String.raw`lit = 'C:\path\*'`,
        "mllit = '''",
        "raw \\n 'x' ''''",
        'crlf = """\r\nline\r\n"""',
      ].join('\n'),
    );
    expect(doc.basic).toBe('tab\there "q" \\ é 😀');
    expect(doc.ml).toBe('first\nsecond');
    expect(doc.trim).toBe('joined here');
    expect(doc.quotes).toBe('a ""quoted"" b"');
    expect(doc.lit).toBe('C:\\path\\*');
    expect(doc.mllit).toBe("raw \\n 'x' '");
    expect(doc.crlf).toBe('line\n');
  });

  it('reads numbers, booleans, date-times (as text), arrays and inline tables', () => {
    const doc = parseToml(`
i = +1_000
h = 0xff
o = 0o17
b = 0b101
f = -3.5e2
inf = -inf
flag = false
when = 1979-05-27 07:32:00Z
day = 1979-05-27
list = [
  1, # one
  "two",
  [3],
  { four = 4, deep.er = 5 },
]
empty = []
inline = { a = "b", c = { d = [] } }
`);
    expect(plain(doc)).toMatchObject({
      i: 1000,
      h: 255,
      o: 15,
      b: 5,
      f: -350,
      flag: false,
      when: '1979-05-27 07:32:00Z',
      day: '1979-05-27',
      list: [1, 'two', [3], { four: 4, deep: { er: 5 } }],
      empty: [],
      inline: { a: 'b', c: { d: [] } },
    });
    expect(doc.inf).toBe(-Infinity);
  });

  it('reads inline tables over several lines, as TOML 1.1 allows', () => {
    const doc = parseToml('dep = {\n  version = "1", # why\n  features = ["a"],\n}\nnext = 1\n');
    expect(plain(doc)).toEqual({ dep: { version: '1', features: ['a'] }, next: 1 });
    expect(() => parseToml('dep = { , }\n')).toThrow(/expected a key/);
  });

  it('keeps a key named __proto__ as data', () => {
    const doc = parseToml('[features]\n__proto__ = ["x"]\n');
    expect(Object.getPrototypeOf(doc.features)).toBeNull();
    expect(JSON.stringify(doc)).toBe('{"features":{"__proto__":["x"]}}');
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it.each([
    ['a duplicate key', 'a = 1\na = 2\n', /duplicate key "a" at line 2/],
    ['a table defined twice', '[a]\nx = 1\n[a]\ny = 2\n', /table "a" is defined twice at line 3/],
    ['a header reopening a dotted-key table', 'a.b = 1\n[a]\n', /table "a" is defined twice/],
    ['extending an inline table', 'a = { b = 1 }\n[a.c]\n', /"a" is not a table/],
    ['extending an inline table with dotted keys', 'a = { b = 1 }\na.c = 2\n', /"a" is already defined/],
    ['an array of tables over a value', 'a = [1]\n[[a]]\n', /not an array of tables/],
    ['an unterminated string', 'a = "abc\n', /newline in a single-line string at line 1/],
    ['an unterminated multi-line string', 'a = """abc\n', /unterminated multi-line string/],
    ['an invalid escape', 'a = "\\x41"\n', /invalid escape "\\x"/],
    ['a surrogate escape', 'a = "\\uD800"\n', /not a unicode scalar value/],
    ['a control character', 'a = "\u0001"\n', /control character/],
    ['a missing value', 'a =\n', /expected a value/],
    ['an invalid value', 'a = yes\n', /invalid value "yes"/],
    ['a leading zero', 'a = 012\n', /invalid value "012"/],
    ['two values on a line', 'a = 1 b = 2\n', /expected the end of the line/],
    ['an unclosed header', '[package\nname = "x"\n', /expected "\]" after the table name at line 1/],
    ['an unclosed array', 'a = [1, 2\n', /expected "," or "\]" in an array/],
    ['deep nesting', `a = ${'['.repeat(200)}${']'.repeat(200)}\n`, /nested too deeply/],
  ])('refuses %s', (_what, src, message) => {
    expect(() => parseToml(src)).toThrow(TomlError);
    expect(() => parseToml(src)).toThrow(message);
  });
});
