import type { Constraint, GemSpec } from './spec';

/** One gem file as the compact and legacy indexes need it; stored as the package's fragment. */
export interface GemFragment {
  name: string;
  version: string;
  /** 'ruby' or Gem::Platform#to_s. */
  platform: string;
  /** Of the .gem file: the compact index's `checksum:`. */
  sha256: string;
  /** Runtime dependencies: name and the compact index's requirement text (`>= 1.0&< 2`). */
  dependencies: [string, string][];
  /** Required Ruby / RubyGems versions in the same form, absent when unconstrained. */
  ruby?: string;
  rubygems?: string;
}

/** `op version` pairs joined with `&`, as /info lines write a requirement. */
export const requirementText = (constraints: Constraint[]): string => constraints.map((c) => `${c.op} ${c.version}`).join('&');

const unconstrained = (constraints: Constraint[]) => constraints.length === 0 || (constraints.length === 1 && constraints[0].op === '>=' && constraints[0].version === '0');

export function gemFragment(spec: GemSpec, sha256: string): string {
  const fragment: GemFragment = {
    name: spec.name,
    version: spec.version,
    platform: spec.platform,
    sha256,
    dependencies: spec.dependencies.filter((d) => d.type === 'runtime').map((d) => [d.name, requirementText(d.requirement)]),
    ...(unconstrained(spec.requiredRubyVersion) ? {} : { ruby: requirementText(spec.requiredRubyVersion) }),
    ...(unconstrained(spec.requiredRubygemsVersion) ? {} : { rubygems: requirementText(spec.requiredRubygemsVersion) }),
  };
  return JSON.stringify(fragment);
}

export function readFragment(fragment: string): GemFragment {
  // Fragments are written only by gemFragment.
  return JSON.parse(fragment) as GemFragment;
}
