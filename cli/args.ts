import { parseArgs, type ParseArgsConfig } from 'node:util';
import { distributionName, parseDistribution, SINGLE_WORD_TARGETS } from '../shared/domain/distribution';
import { isPackyardError } from '../shared/domain/errors';
import { parseRepoName } from '../shared/domain/repo';
import { UsageError, errorMessage } from './errors';

/** Accepted by every command, before or after its own arguments. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs in strict mode, with the global flags added and its errors turned into usage errors. */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs throws TypeError with a readable message for unknown flags and missing values.
    throw new UsageError(errorMessage(e).replace(/\. To specify a positional.*$/s, ''), 'USAGE', command);
  }
}

/** The names the global flags take a value after, so leading globals can be moved past the command word. */
const VALUED_GLOBALS = new Set(['--url', '--token']);

/**
 * `packyard --url U push ...` and `packyard push ... --url U` mean the same: split off flags that come before
 * the command word and hand them to the command after its own arguments.
 */
export function splitLeadingGlobals(argv: string[]): { leading: string[]; rest: string[] } {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--') {
    leading.push(argv[i]);
    if (VALUED_GLOBALS.has(argv[i]) && i + 1 < argv.length) leading.push(argv[++i]);
    i++;
  }
  return { leading, rest: argv.slice(i) };
}

/** Turns a domain validation error (bad repo name...) into a usage error with the same code. */
function asUsage<T>(command: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isPackyardError(e)) throw new UsageError(e.message, e.code, command);
    throw e;
  }
}

export function parseRepoArg(command: string, value: string | undefined): { owner: string; repo: string; name: string } {
  if (!value) throw new UsageError('missing <owner>/<repo>', 'USAGE', command);
  return asUsage(command, () => parseRepoName(value));
}

/**
 * `acme/tools/debian/bookworm` -> repository `acme/tools`, distribution `debian/bookworm`;
 * `acme/tools/files` -> distribution `files` (generic files); `acme/tools/npm` (and the other language
 * registries) -> that registry.
 */
export function parsePushTarget(value: string | undefined): { owner: string; repo: string; name: string; distribution: string } {
  const parts = (value ?? '').split('/');
  const generic = parts.length === 3 && SINGLE_WORD_TARGETS.includes(parts[2]);
  if (parts.length !== 4 && !generic) {
    throw new UsageError(
      `the target must be <owner>/<repo>/<distro>/<release> or <owner>/<repo>/<${SINGLE_WORD_TARGETS.join('|')}>, e.g. acme/tools/debian/bookworm or acme/tools/npm (got ${JSON.stringify(value ?? '')})`,
      'USAGE',
      'push',
    );
  }
  const repo = parseRepoArg('push', `${parts[0]}/${parts[1]}`);
  const dist = asUsage('push', () => parseDistribution(parts.slice(2).join('/')));
  return { ...repo, distribution: distributionName(dist) };
}

export function parseIntOption(command: string, flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`, 'USAGE', command);
  }
  return n;
}

/** Rejects arguments a command does not take, instead of silently ignoring them. */
export function expectPositionals(command: string, positionals: string[], min: number, max: number, usage: string): void {
  if (positionals.length < min) throw new UsageError(`missing argument: ${usage}`, 'USAGE', command);
  if (positionals.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[max])}: ${usage}`, 'USAGE', command);
}
