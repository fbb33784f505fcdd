import { execFileSync } from 'node:child_process';
import { marshalDump, rubyBytes, rubyHash, rubyObject, sym, userDefined, userMarshal, type RubyValue } from '../../../shared/formats/gem/marshal';

/** What Ruby's own Marshal.dump writes for a Ruby expression, as hex. */
function rubyDump(expr: string): string {
  return execFileSync('ruby', ['-e', `STDOUT.binmode; print Marshal.dump(${expr}).unpack1("H*")`], { encoding: 'utf8' });
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('the Marshal 4.8 writer', () => {
  it.each<[string, RubyValue, string]>([
    ['nil', null, 'nil'],
    ['true and false', [true, false], '[true, false]'],
    ['small integers', [0, 1, 122, 123, 255, 256, -1, -123, -124, -256, -257, 65535, 65536, 2 ** 24, -(2 ** 24), 2 ** 30 - 1, -(2 ** 30)], '[0, 1, 122, 123, 255, 256, -1, -123, -124, -256, -257, 65535, 65536, 2**24, -(2**24), 2**30 - 1, -(2**30)]'],
    ['UTF-8 strings', ['', 'ruby', 'é ✓', 'x'.repeat(300)], '["", "ruby", "é ✓", "x" * 300]'],
    ['binary strings', rubyBytes(Buffer.from([0, 1, 255])), '"\\x00\\x01\\xFF".b'],
    ['symbols and their links', [sym('runtime'), sym('development'), sym('runtime')], '[:runtime, :development, :runtime]'],
    ['hashes', rubyHash([['a', '1'], ['b', null]]), '{"a" => "1", "b" => nil}'],
  ])('writes %s byte for byte as Ruby does', (_what, value, expr) => {
    expect(hex(marshalDump(value))).toBe(rubyDump(expr));
  });

  it('writes objects, marshal_dump (U) and _dump (u) kinds that Ruby reads back', () => {
    const value: RubyValue = [
      userMarshal('Gem::Version', ['1.2.3']),
      rubyObject('Gem::Platform', [
        ['@cpu', 'x86_64'],
        ['@os', 'linux'],
        ['@version', null],
      ]),
      userDefined('Time', Buffer.from('c0aa1fc000000000', 'hex')),
    ];
    const script = 'require "rubygems"; v = Marshal.load(STDIN.binmode.read); puts v[0].to_s, v[1].to_s, v[2].utc.strftime("%F %T %Z")';
    const out = execFileSync('ruby', ['-e', script], { input: Buffer.from(marshalDump(value)), encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(['1.2.3', 'x86_64-linux', '2026-11-22 00:00:00 UTC']);
  });

  it('refuses integers Marshal would write as Bignums', () => {
    expect(() => marshalDump(2 ** 30)).toThrow(RangeError);
    expect(() => marshalDump(1.5)).toThrow(RangeError);
  });
});
