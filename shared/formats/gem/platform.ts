/**
 * Gem::Platform: the `cpu-os[-version]` triple RubyGems makes of a platform string. Its string form is the
 * platform in file names and index lines; the triple is what the quick gemspec carries.
 */
export interface GemPlatform {
  cpu: string | null;
  os: string;
  version: string | null;
}

export const RUBY = 'ruby';

/** What Gem::Platform.new(string) makes of a platform string (lib/rubygems/platform.rb). */
export function parsePlatform(text: string): GemPlatform {
  const parts = text.split('-');
  // `x86-linux-gnu`: a trailing part without digits belongs to the os.
  if (parts.length > 2 && !/\d/.test(parts[parts.length - 1])) {
    const extra = parts.pop()!;
    parts[parts.length - 1] += `-${extra}`;
  }
  const first = parts.shift()!;
  let cpu: string | null = /i\d86/.test(first) ? 'x86' : first;
  if (parts.length === 2 && /^\d+(\.\d+)?$/.test(parts[1])) return { cpu, os: parts[0], version: parts[1] };
  let os = parts[0];
  if (os === undefined) {
    // A single word (`java`) names the os.
    os = first;
    cpu = null;
  }
  const [name, version] = osAndVersion(os);
  // `mswin32` without a cpu is x86.
  if (cpu === null && /^mswin\d*32$/.test(name)) cpu = 'x86';
  return { cpu, os: name, version };
}

type Rule = [RegExp, (m: RegExpExecArray) => [string, string | undefined]];

// Gem::Platform's os table, in its order (the first match wins; matches are unanchored as in Ruby).
const OS_RULES: Rule[] = [
  [/aix(\d+)?/, (m) => ['aix', m[1]]],
  [/cygwin/, () => ['cygwin', undefined]],
  [/darwin(\d+)?/, (m) => ['darwin', m[1]]],
  [/^macruby$/, () => ['macruby', undefined]],
  [/freebsd(\d+)?/, (m) => ['freebsd', m[1]]],
  [/hpux(\d+)?/, (m) => ['hpux', m[1]]],
  [/^java$|^jruby$/, () => ['java', undefined]],
  [/^java([\d.]*)/, (m) => ['java', m[1]]],
  [/^dalvik(\d+)?$/, (m) => ['dalvik', m[1]]],
  [/^dotnet$/, () => ['dotnet', undefined]],
  [/^dotnet([\d.]*)/, (m) => ['dotnet', m[1]]],
  [/linux-?((?!gnu)\w+)?/, (m) => ['linux', m[1]]],
  [/mingw32/, () => ['mingw32', undefined]],
  [/mingw-?(\w+)?/, (m) => ['mingw', m[1]]],
  [/(mswin\d+)(_(\d+))?/, (m) => [m[1], m[3]]],
  [/netbsdelf/, () => ['netbsdelf', undefined]],
  [/openbsd(\d+\.\d+)?/, (m) => ['openbsd', m[1]]],
  [/bitrig(\d+\.\d+)?/, (m) => ['bitrig', m[1]]],
  [/solaris(\d+\.\d+)?/, (m) => ['solaris', m[1]]],
  [/^(\w+_platform)(\d+)?/, (m) => [m[1], m[2]]],
];

function osAndVersion(os: string): [string, string | null] {
  for (const [re, pick] of OS_RULES) {
    const m = re.exec(os);
    if (!m) continue;
    const [name, version] = pick(m);
    return [name, version === undefined ? null : version];
  }
  return ['unknown', null];
}

/** Gem::Platform#to_s. */
export const platformString = (p: GemPlatform): string => [p.cpu, p.os, p.version].filter((x): x is string => x !== null).join('-');
