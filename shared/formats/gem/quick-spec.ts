import { deflateSync } from 'node:zlib';
import { marshalDump, rubyHash, rubyObject, sym, userDefined, userMarshal, type RubyValue } from './marshal';
import { RUBY } from './platform';
import type { Constraint, GemSpec } from './spec';

export const gemVersion = (version: string): RubyValue => userMarshal('Gem::Version', [version]);

const gemRequirement = (constraints: Constraint[]): RubyValue =>
  userMarshal('Gem::Requirement', [constraints.map((c) => [c.op, gemVersion(c.version)])]);

/** Time#_dump of midnight UTC on `YYYY-MM-DD`: two little-endian words of packed fields (time.c). */
function utcMidnight(date: string): RubyValue {
  const [year, month, day] = date.split('-').map(Number);
  const high = ((1 << 31) | (1 << 30) | ((year - 1900) << 14) | ((month - 1) << 10) | (day << 5)) >>> 0;
  const bytes = Buffer.alloc(8);
  bytes.writeUInt32LE(high, 0);
  bytes.writeUInt32LE(0, 4); // minutes, seconds, microseconds
  return userDefined('Time', bytes);
}

/**
 * The array Gem::Specification#_dump marshals (rubygems/specification.rb): the fields Gem::Specification._load
 * reads back, in its order; index 10 is the removed rubyforge_project and 15 the obsolete has_rdoc.
 */
function specificationFields(spec: GemSpec): RubyValue[] {
  const platform: RubyValue = spec.platformParts
    ? rubyObject('Gem::Platform', [
        ['@cpu', spec.platformParts.cpu],
        ['@os', spec.platformParts.os],
        ['@version', spec.platformParts.version],
      ])
    : RUBY;
  const dependencies = spec.dependencies.map((d) => {
    const requirement = gemRequirement(d.requirement);
    return rubyObject('Gem::Dependency', [
      ['@name', d.name],
      ['@requirement', requirement],
      ['@type', sym(d.type)],
      ['@prerelease', d.prerelease],
      ['@version_requirements', requirement],
    ]);
  });
  return [
    spec.rubygemsVersion,
    spec.specificationVersion,
    spec.name,
    gemVersion(spec.version),
    utcMidnight(spec.date),
    spec.summary,
    gemRequirement(spec.requiredRubyVersion),
    gemRequirement(spec.requiredRubygemsVersion),
    spec.originalPlatform,
    dependencies,
    '',
    Array.isArray(spec.email) ? [...spec.email] : spec.email,
    [...spec.authors],
    spec.description,
    spec.homepage,
    true,
    platform,
    [...spec.licenses],
    rubyHash(spec.metadata.map(([k, v]) => [k, v])),
  ];
}

/** Marshal.dump(spec): a Gem::Specification as RubyGems writes and reads it. */
export function marshalSpecification(spec: GemSpec): Uint8Array {
  return marshalDump(userDefined('Gem::Specification', marshalDump(specificationFields(spec))));
}

/** `quick/Marshal.4.8/{full_name}.gemspec.rz`: zlib-deflated Marshal of the Gem::Specification. */
export const quickSpec = (spec: GemSpec): Uint8Array => deflateSync(marshalSpecification(spec));
